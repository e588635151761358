/** Typed errors for history files: a line number and a sentence, never a stack trace. */
import { Data, Either, ParseResult } from "effect"
import { describeParseError } from "../../src/schemaIssue.ts"
import { type HistoryEvent, type Operation, operationsFromEvents } from "../linearizability/history.ts"

export class HistoryParseError extends Data.TaggedError("HistoryParseError")<{
  /** 1-based line number in the file. */
  readonly line: number
  readonly message: string
}> {}

/** The first problem the Schema found, as `path: message` (see src/schemaIssue.ts). */
export const schemaErrorMessage = (error: ParseResult.ParseError): string => describeParseError(error)

/** Pairs events into operations, reporting a pairing problem at the line of the event that caused it. */
export const pairEvents = <Input, Output>(
  events: ReadonlyArray<HistoryEvent<Input, Output>>,
  lineOfEvent: ReadonlyArray<number>
): Either.Either<ReadonlyArray<Operation<Input, Output>>, HistoryParseError> =>
  Either.mapLeft(
    operationsFromEvents(events),
    (error) => new HistoryParseError({ line: lineOfEvent[error.eventIndex] ?? 0, message: error.message })
  )

/** Splits a file into lines, numbering from 1 and skipping blank lines. */
export const numberedLines = (text: string): Array<{ readonly line: number; readonly content: string }> =>
  text.split(/\r?\n/).flatMap((content, index) => (content.trim() === "" ? [] : [{ line: index + 1, content }]))

/** One parsed line: its event, and the operation name a completion must match with its invocation. */
export interface ParsedLine<Input, Output> {
  readonly event: HistoryEvent<Input, Output>
  readonly f: string
}

/**
 * Parses a history file line by line and pairs its events into operations. A completion must name the same
 * operation as its process's invocation; every error carries the line it comes from.
 */
export const parseHistory = <Input, Output>(
  text: string,
  eventOfLine: (line: number, content: string) => Either.Either<ParsedLine<Input, Output>, HistoryParseError>
): Either.Either<ReadonlyArray<Operation<Input, Output>>, HistoryParseError> => {
  const events: Array<HistoryEvent<Input, Output>> = []
  const lineOfEvent: Array<number> = []
  const pendingFunction = new Map<number, string>()
  for (const { line, content } of numberedLines(text)) {
    const parsed = eventOfLine(line, content.trim())
    if (Either.isLeft(parsed)) return Either.left(parsed.left)
    const { event, f } = parsed.right
    if (event._tag === "Invoke") pendingFunction.set(event.process, f)
    else if (pendingFunction.get(event.process) !== f) {
      return Either.left(
        new HistoryParseError({ line, message: `process ${event.process} completes :${f} but did not invoke it` })
      )
    }
    events.push(event)
    lineOfEvent.push(line)
  }
  return pairEvents(events, lineOfEvent)
}
