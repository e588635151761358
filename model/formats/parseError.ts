/** Typed errors for history files: a line number and a sentence, never a stack trace. */
import { Data, Either, ParseResult } from "effect"
import { type HistoryEvent, type Operation, operationsFromEvents } from "../linearizability/history.ts"

export class HistoryParseError extends Data.TaggedError("HistoryParseError")<{
  /** 1-based line number in the file. */
  readonly line: number
  readonly message: string
}> {}

export const schemaErrorMessage = (error: ParseResult.ParseError): string => ParseResult.TreeFormatter.formatErrorSync(error)

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
