/**
 * The linearizability check of a whole history: split by partition key (P-compositionality: a history is
 * linearizable iff each partition is), decide the partitions from the smallest up so that the first failure
 * found is the smallest failing partition, and never say "linearizable" unless every partition was decided.
 * A partition of plain reads and unique writes is decided in polynomial time (uniqueWrites.ts); any other goes
 * to the Wing–Gong–Lowe search.
 */
import { Either } from "effect"
import { type Budget, BudgetMeter } from "./budget.ts"
import { type CoreOptions, minimalCore } from "./core.ts"
import {
  type Explanation,
  explainDeadEnd,
  explainUniqueWrites,
  formatSummary,
  type OperationSummary,
  summarizeOperation
} from "./explanation.ts"
import { type HistoryError, type HistoryEvent, type Operation, operationsFromEvents } from "./history.ts"
import { searchPartition } from "./searchPartition.ts"
import { isUnknownOutput, type LinearizabilitySpec } from "./spec.ts"
import { checkUniqueWrites } from "./uniqueWrites.ts"

export type Verdict = "linearizable" | "not linearizable" | "unknown"

export interface CheckResult {
  readonly verdict: Verdict
  /** Present exactly when the verdict is "not linearizable". */
  readonly explanation: Explanation | null
  /**
   * With `core` in the options and a "not linearizable" verdict: a small sub-history (core.ts) that is still not
   * linearizable, in call order; its operations are also listed at the end of the explanation's text.
   */
  readonly core: ReadonlyArray<OperationSummary> | null
  /** A sentence for every verdict: what was decided, or why it could not be. */
  readonly summary: string
  readonly partitions: number
  /** Partitions decided by the polynomial-time check for unique writes (uniqueWrites.ts) rather than the search. */
  readonly polynomialPartitions: number
  readonly undecidedPartitions: ReadonlyArray<string>
  readonly steps: number
}

export interface CheckOptions {
  readonly budget?: Budget
  /** Look for a minimal core of a failing history (costs further bounded searches). */
  readonly core?: boolean | CoreOptions
  /** Decide unique-writes register partitions in polynomial time (default true); false forces the search. */
  readonly polynomial?: boolean
}

export const partitionOperations = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>
): Map<string, Array<Operation<Input, Output>>> => {
  const partitions = new Map<string, Array<Operation<Input, Output>>>()
  const isReadOnly = spec.isReadOnly
  for (const operation of operations) {
    // A read whose result nobody saw can sit anywhere in any order without changing it.
    if (isReadOnly !== undefined && isUnknownOutput(operation.output) && isReadOnly(operation.input)) continue
    const key = spec.partitionKey(operation.input)
    const partition = partitions.get(key)
    if (partition === undefined) partitions.set(key, [operation])
    else partition.push(operation)
  }
  return partitions
}

/** Search steps spent on explaining a failure the unique-writes check already proved. */
const explanationStepsMax = 200_000

export const checkOperations = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  options: CheckOptions = {}
): CheckResult => {
  const meter = new BudgetMeter(options.budget ?? {})
  const partitions = [...partitionOperations(spec, operations)].sort(
    ([leftKey, left], [rightKey, right]) =>
      left.length - right.length || (leftKey < rightKey ? -1 : leftKey > rightKey ? 1 : 0)
  )
  const undecided: Array<string> = []
  let polynomialPartitions = 0
  const counts = () => ({ partitions: partitions.length, polynomialPartitions, steps: meter.steps })
  for (const [key, partitionOperationList] of partitions) {
    const fast = options.polynomial === false ? null : checkUniqueWrites(spec, partitionOperationList)
    if (fast !== null) polynomialPartitions++
    if (fast?._tag === "Linearizable") continue
    // The search also runs after the fast check found a failure, within a bound of its own: its dead end, when it
    // finds one, is the better explanation.
    const searchMeter = fast === null ? meter : new BudgetMeter({ maxSteps: explanationStepsMax })
    const outcome = searchPartition(spec, partitionOperationList, searchMeter)
    if (outcome._tag === "NotLinearizable" || fast !== null) {
      const explanation =
        outcome._tag === "NotLinearizable"
          ? explainDeadEnd(spec, key, partitionOperationList, outcome.deadEnd)
          : explainUniqueWrites(spec, key, partitionOperationList, fast!)
      const core =
        options.core === undefined || options.core === false
          ? null
          : minimalCore(spec, partitionOperationList, options.core === true ? {} : options.core)
              .map((operation) => summarizeOperation(spec, operation))
              .sort((left, right) => left.callTime - right.callTime || left.id - right.id)
      const summary = `not linearizable: partition ${JSON.stringify(key)} with ${partitionOperationList.length} operations has no valid order`
      return {
        verdict: "not linearizable",
        explanation: core === null ? explanation : withCore(explanation, core),
        core,
        summary,
        undecidedPartitions: undecided,
        ...counts()
      }
    }
    if (outcome._tag === "Exhausted") undecided.push(key)
  }
  if (undecided.length > 0) {
    const summary = `unknown: the budget ran out after ${meter.steps} search steps with ${undecided.length} of ${partitions.length} partitions undecided (${undecided
      .slice(0, 5)
      .map((key) => JSON.stringify(key))
      .join(", ")}${undecided.length > 5 ? ", …" : ""}); no failure was found in the others`
    return { verdict: "unknown", explanation: null, core: null, summary, undecidedPartitions: undecided, ...counts() }
  }
  const summary = `linearizable: all ${partitions.length} partitions (${operations.length} operations) have a valid order`
  return { verdict: "linearizable", explanation: null, core: null, summary, undecidedPartitions: [], ...counts() }
}

const withCore = (explanation: Explanation, core: ReadonlyArray<OperationSummary>): Explanation => ({
  ...explanation,
  text: [
    explanation.text,
    `A minimal core: ${core.length === 1 ? "this operation alone is" : `these ${core.length} operations alone are`} still not linearizable:`,
    ...core.map((summary) => `  ${formatSummary(summary)}`)
  ].join("\n")
})

/** Pairs the events into operations, then checks them. */
export const checkHistory = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  events: ReadonlyArray<HistoryEvent<Input, Output>>,
  options: CheckOptions = {}
): Either.Either<CheckResult, HistoryError> =>
  Either.map(operationsFromEvents(events), (operations) => checkOperations(spec, operations, options))
