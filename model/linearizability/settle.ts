/**
 * Settling unknown outcomes from ground truth. A client that timed out does not know whether its command took
 * effect, but the system does: the replicas' applied logs (the simulator watches them; the Docker replay can read
 * them from the WALs) say which commands were applied, when, and with what result. As etcd's robustness tests
 * patch a history from the WAL before checking it, an operation whose outcome the client did not learn is
 * settled before the check: applied (it then has that result and returns no later than it was applied) or never
 * applied (it is dropped, as a failed operation is). Without truth for an operation it stays unknown, and with
 * none at all the check runs on the raw history.
 *
 * Settling only removes possibilities the raw history left open, so a raw history that is not linearizable
 * stays so; it makes the search cheap, as a settled history has no operation the search may place or leave out.
 */
import { Either } from "effect"
import { type CheckOptions, type CheckResult, checkOperations } from "./check.ts"
import { type HistoryError, type HistoryEvent, type Operation, operationsFromEvents } from "./history.ts"
import { isUnknownOutput, type LinearizabilitySpec } from "./spec.ts"

/** What became of an operation, from the system's own record. */
export type Settlement<Output> =
  /** Applied with this result, by `atTime` at the latest (the time it was first seen applied). */
  { readonly _tag: "Applied"; readonly output: Output; readonly atTime: number } | { readonly _tag: "NotApplied" }

export interface SettledOperations<Input, Output> {
  readonly operations: ReadonlyArray<Operation<Input, Output>>
  /** How many unknown outcomes had truth: applied, and never applied. */
  readonly applied: number
  readonly notApplied: number
  /** Unknown outcomes left unknown (no truth for them). */
  readonly stillUnknown: number
}

/**
 * Settles every operation with an unknown outcome for which `truth` (keyed by the operation's id, the position
 * of its invocation in the history) has an answer. Operations whose outcome the client saw are kept as they are:
 * the check is of what the clients saw.
 */
export const settleOperations = <Input, Output>(
  operations: ReadonlyArray<Operation<Input, Output>>,
  truth: (id: number) => Settlement<Output> | undefined
): SettledOperations<Input, Output> => {
  const settled: Array<Operation<Input, Output>> = []
  let applied = 0
  let notApplied = 0
  let stillUnknown = 0
  for (const operation of operations) {
    if (!isUnknownOutput(operation.output)) {
      settled.push(operation)
      continue
    }
    const settlement = truth(operation.id)
    if (settlement === undefined) {
      stillUnknown++
      settled.push(operation)
    } else if (settlement._tag === "NotApplied") {
      notApplied++
    } else {
      applied++
      // It took effect after its call; a record of it from before (clocks apart) only says "soon after the call".
      const returnTime = Math.max(operation.callTime, settlement.atTime)
      settled.push({ ...operation, output: settlement.output, returnTime })
    }
  }
  return { operations: settled, applied, notApplied, stillUnknown }
}

/** Pairs the events into operations, settles what `truth` knows, then checks: the judge's path when truth exists. */
export const checkSettledHistory = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  events: ReadonlyArray<HistoryEvent<Input, Output>>,
  truth: (id: number) => Settlement<Output> | undefined,
  options: CheckOptions = {}
): Either.Either<
  CheckResult & { readonly settled: Omit<SettledOperations<Input, Output>, "operations"> },
  HistoryError
> =>
  Either.map(operationsFromEvents(events), (operations) => {
    const { operations: settledOperations, ...settled } = settleOperations(operations, truth)
    return { ...checkOperations(spec, settledOperations, options), settled }
  })
