/**
 * The linearizability check of a whole history: split by partition key (P-compositionality: a history is
 * linearizable iff each partition is), search the partitions from the smallest up so that the first failure
 * found is the smallest failing partition, and never say "linearizable" unless every partition was decided.
 */
import { Either } from "effect"
import { type Budget, BudgetMeter } from "./budget.ts"
import { type CoreOptions, minimalCore } from "./core.ts"
import {
  type Explanation,
  explainDeadEnd,
  formatSummary,
  type OperationSummary,
  summarizeOperation
} from "./explanation.ts"
import { type HistoryError, type HistoryEvent, type Operation, operationsFromEvents } from "./history.ts"
import { searchPartition } from "./searchPartition.ts"
import { isUnknownOutput, type LinearizabilitySpec } from "./spec.ts"

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
  readonly undecidedPartitions: ReadonlyArray<string>
  readonly steps: number
}

export interface CheckOptions {
  readonly budget?: Budget
  /** Look for a minimal core of a failing history (costs further bounded searches). */
  readonly core?: boolean | CoreOptions
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
  for (const [key, partitionOperationList] of partitions) {
    const outcome = searchPartition(spec, partitionOperationList, meter)
    if (outcome._tag === "NotLinearizable") {
      const deadEndExplanation = explainDeadEnd(spec, key, partitionOperationList, outcome.deadEnd)
      const core =
        options.core === undefined || options.core === false
          ? null
          : minimalCore(spec, partitionOperationList, options.core === true ? {} : options.core)
              .map((operation) => summarizeOperation(spec, operation))
              .sort((left, right) => left.callTime - right.callTime || left.id - right.id)
      const explanation = core === null ? deadEndExplanation : withCore(deadEndExplanation, core)
      const summary = `not linearizable: partition ${JSON.stringify(key)} with ${partitionOperationList.length} operations has no valid order`
      return {
        verdict: "not linearizable",
        explanation,
        core,
        summary,
        partitions: partitions.length,
        undecidedPartitions: undecided,
        steps: meter.steps
      }
    }
    if (outcome._tag === "Exhausted") undecided.push(key)
  }
  if (undecided.length > 0) {
    const summary = `unknown: the budget ran out after ${meter.steps} search steps with ${undecided.length} of ${partitions.length} partitions undecided (${undecided
      .slice(0, 5)
      .map((key) => JSON.stringify(key))
      .join(", ")}${undecided.length > 5 ? ", …" : ""}); no failure was found in the others`
    return {
      verdict: "unknown",
      explanation: null,
      core: null,
      summary,
      partitions: partitions.length,
      undecidedPartitions: undecided,
      steps: meter.steps
    }
  }
  const summary = `linearizable: all ${partitions.length} partitions (${operations.length} operations) have a valid order`
  return {
    verdict: "linearizable",
    explanation: null,
    core: null,
    summary,
    partitions: partitions.length,
    undecidedPartitions: [],
    steps: meter.steps
  }
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
