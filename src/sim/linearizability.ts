/**
 * The end-of-run check of the client history against model/'s sequential kv specification (Wing–Gong–Lowe
 * search, partitioned per key; unique-writes partitions in polynomial time). Unknown outcomes are settled first
 * from the replicas' applied logs (groundTruth.ts) when they agree; without that truth the raw history is
 * checked. Bounded by a step budget so that a pathological history cannot stall a run; a budget that runs out
 * is reported as "unknown", never as a pass.
 */
import { Either } from "effect"
import { kvSpec } from "../../model/kv/kvSpec.ts"
import {
  checkHistory,
  type CheckResult,
  checkSettledHistory,
  type Settlement
} from "../../model/linearizability/index.ts"
import type { HistoryEvent, HistoryOutput } from "./client.ts"

export const linearizabilityStepsMax = 2_000_000

export type LinearizabilityVerdict =
  | {
      readonly _tag: "Checked"
      readonly result: CheckResult
      /** What settling did, or undefined when the raw history was checked. */
      readonly settled:
        | { readonly applied: number; readonly notApplied: number; readonly stillUnknown: number }
        | undefined
    }
  | { readonly _tag: "MalformedHistory"; readonly message: string }

export const checkLinearizable = (
  history: ReadonlyArray<HistoryEvent>,
  truth?: (id: number) => Settlement<HistoryOutput> | undefined,
  /** `core`: also look for a minimal core of a failing history (the dashboard draws it; runs do not need it). */
  extra: { readonly core?: boolean } = {}
): LinearizabilityVerdict => {
  const options = { budget: { maxSteps: linearizabilityStepsMax }, ...(extra.core === true ? { core: true } : {}) }
  if (truth === undefined) {
    const checked = checkHistory(kvSpec, history, options)
    return Either.isLeft(checked)
      ? { _tag: "MalformedHistory", message: checked.left.message }
      : { _tag: "Checked", result: checked.right, settled: undefined }
  }
  const checked = checkSettledHistory(kvSpec, history, truth, options)
  return Either.isLeft(checked)
    ? { _tag: "MalformedHistory", message: checked.left.message }
    : { _tag: "Checked", result: checked.right, settled: checked.right.settled }
}
