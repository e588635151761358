/**
 * Turns a search dead end into a report a person can read: the longest order that worked, the state it left,
 * and for each operation that could have gone next, why it could not.
 */
import type { Operation } from "./history.ts"
import type { DeadEnd } from "./searchPartition.ts"
import type { LinearizabilitySpec } from "./spec.ts"
import type { UniqueWritesOutcome } from "./uniqueWrites.ts"

export interface OperationSummary {
  readonly id: number
  readonly process: number
  readonly operation: string
  readonly callTime: number
  /** null when the outcome is unknown (the operation may take effect at any time after its call). */
  readonly returnTime: number | null
}

export interface Explanation {
  readonly partition: string
  readonly operations: number
  readonly longestPrefix: ReadonlyArray<OperationSummary>
  readonly stateAfterPrefix: string
  readonly blocking: OperationSummary
  readonly candidates: ReadonlyArray<{ readonly operation: OperationSummary; readonly reason: string }>
  readonly text: string
}

/** At most this many prefix operations are spelled out in the text (all of them are in `longestPrefix`). */
const prefixLinesShown = 12

export const summarizeOperation = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operation: Operation<Input, Output>
): OperationSummary => ({
  id: operation.id,
  process: operation.process,
  operation: spec.describeOperation(operation.input, operation.output),
  callTime: operation.callTime,
  returnTime: Number.isFinite(operation.returnTime) ? operation.returnTime : null
})

export const formatSummary = (summary: OperationSummary): string => {
  const returned = summary.returnTime === null ? "outcome unknown" : `returned at ${summary.returnTime}`
  return `#${summary.id} process ${summary.process}: ${summary.operation} (called at ${summary.callTime}, ${returned})`
}

export const explainDeadEnd = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  partition: string,
  operations: ReadonlyArray<Operation<Input, Output>>,
  deadEnd: DeadEnd<State>
): Explanation => {
  const summarize = (index: number) => summarizeOperation(spec, operations[index]!)
  const longestPrefix = deadEnd.prefix.map(summarize)
  const blocking = summarize(deadEnd.blocking)
  const stateAfterPrefix = spec.describeState(deadEnd.stateAfterPrefix)
  const candidates = deadEnd.candidates.map(({ operation, accepted }) => ({
    operation: summarize(operation),
    reason: accepted
      ? "its result fits this state, but every order that continues with it was explored and fails later"
      : `its result is impossible in state ${stateAfterPrefix}`
  }))
  const shown = longestPrefix.slice(-prefixLinesShown)
  const text = [
    `Partition ${JSON.stringify(partition)} (${operations.length} operations) has no linearization.`,
    `The longest linearizable prefix found has ${longestPrefix.length} operations` +
      (shown.length < longestPrefix.length ? `; its last ${shown.length}:` : ":"),
    ...shown.map(
      (summary, position) => `  ${longestPrefix.length - shown.length + position + 1}. ${formatSummary(summary)}`
    ),
    `It leaves the state ${stateAfterPrefix}.`,
    `Next, ${formatSummary(blocking)} must take effect before anything invoked after it returned,`,
    "yet no remaining operation can be placed next:",
    ...candidates.map((candidate) => `  - ${formatSummary(candidate.operation)}: ${candidate.reason}`)
  ].join("\n")
  return { partition, operations: operations.length, longestPrefix, stateAfterPrefix, blocking, candidates, text }
}

/**
 * The report of a failure the unique-writes check found when the search ran out of budget before it could give
 * its own: the reason, and the operations it names (the first of them as the one that blocks).
 */
export const explainUniqueWrites = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  partition: string,
  operations: ReadonlyArray<Operation<Input, Output>>,
  failure: Extract<UniqueWritesOutcome, { _tag: "NotLinearizable" }>
): Explanation => {
  const named = failure.operations.map((index) => summarizeOperation(spec, operations[index]!))
  const text = [
    `Partition ${JSON.stringify(partition)} (${operations.length} operations, every write of its own value) has no linearization:`,
    `  ${failure.reason}.`,
    "The operations involved:",
    ...named.map((summary) => `  ${formatSummary(summary)}`)
  ].join("\n")
  return {
    partition,
    operations: operations.length,
    longestPrefix: [],
    stateAfterPrefix: spec.describeState(spec.initialState),
    blocking: named[0]!,
    candidates: [],
    text
  }
}
