/**
 * Client histories. Events are what a recorder sees (invoke, then ok, fail or unknown); operations are what the
 * checker searches over (an input, an observed output, a call time and a return time).
 */
import { Data, Either } from "effect"
import { type ObservedOutput, unknownOutput } from "./spec.ts"

export type HistoryEvent<Input, Output> =
  | { readonly _tag: "Invoke"; readonly process: number; readonly atTime: number; readonly input: Input }
  | { readonly _tag: "Ok"; readonly process: number; readonly atTime: number; readonly output: Output }
  /** The operation definitely did not take effect. */
  | { readonly _tag: "Fail"; readonly process: number; readonly atTime: number }
  /** The client gave up (timeout, crash): the operation may take effect at any time after its call, or never. */
  | { readonly _tag: "Unknown"; readonly process: number; readonly atTime: number }

export interface Operation<Input, Output> {
  /** Position of the invocation in the history; stable, used in explanations. */
  readonly id: number
  readonly process: number
  readonly input: Input
  readonly output: ObservedOutput<Output>
  readonly callTime: number
  /** `Infinity` when the outcome is unknown: it may take effect at any point after its call. */
  readonly returnTime: number
}

export class HistoryError extends Data.TaggedError("HistoryError")<{
  readonly eventIndex: number
  readonly message: string
}> {}

type Pending<Input> = { readonly id: number; readonly input: Input; readonly callTime: number }

/**
 * Pairs each completion with the pending invocation of its process. Failed operations are dropped (they did not
 * happen); invocations that never complete get an unknown outcome.
 */
export const operationsFromEvents = <Input, Output>(
  events: ReadonlyArray<HistoryEvent<Input, Output>>
): Either.Either<ReadonlyArray<Operation<Input, Output>>, HistoryError> => {
  const pending = new Map<number, Pending<Input>>()
  const operations: Array<Operation<Input, Output>> = []
  let nextId = 0
  for (let eventIndex = 0; eventIndex < events.length; eventIndex++) {
    const event = events[eventIndex]!
    if (!Number.isFinite(event.atTime)) {
      return Either.left(new HistoryError({ eventIndex, message: `event ${eventIndex} has a non-finite time` }))
    }
    const open = pending.get(event.process)
    if (event._tag === "Invoke") {
      if (open !== undefined) {
        const message = `process ${event.process} invokes again while operation ${open.id} is still pending`
        return Either.left(new HistoryError({ eventIndex, message }))
      }
      pending.set(event.process, { id: nextId++, input: event.input, callTime: event.atTime })
      continue
    }
    if (open === undefined) {
      const message = `${event._tag} for process ${event.process} has no pending invocation`
      return Either.left(new HistoryError({ eventIndex, message }))
    }
    if (event.atTime < open.callTime) {
      const message = `operation ${open.id} of process ${event.process} completes before it was invoked`
      return Either.left(new HistoryError({ eventIndex, message }))
    }
    pending.delete(event.process)
    if (event._tag === "Fail") continue
    const known = event._tag === "Ok"
    operations.push({
      id: open.id,
      process: event.process,
      input: open.input,
      output: known ? event.output : unknownOutput,
      callTime: open.callTime,
      returnTime: known ? event.atTime : Infinity
    })
  }
  for (const [process, open] of pending) {
    operations.push({
      id: open.id,
      process,
      input: open.input,
      output: unknownOutput,
      callTime: open.callTime,
      returnTime: Infinity
    })
  }
  operations.sort((left, right) => left.id - right.id)
  return Either.right(operations)
}
