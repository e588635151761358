/**
 * The end-of-run check of the client history against model/'s sequential kv specification (Wing–Gong–Lowe
 * search, partitioned per key). Bounded by a step budget so that a pathological history cannot stall a run;
 * a budget that runs out is reported as "unknown", never as a pass.
 */
import { Either } from "effect"
import { kvSpec } from "../../model/kv/kvSpec.ts"
import { checkHistory, type CheckResult } from "../../model/linearizability/index.ts"
import type { HistoryEvent } from "./client.ts"

export const linearizabilityStepsMax = 2_000_000

export type LinearizabilityVerdict =
  | { readonly _tag: "Checked"; readonly result: CheckResult }
  | { readonly _tag: "MalformedHistory"; readonly message: string }

export const checkLinearizable = (history: ReadonlyArray<HistoryEvent>): LinearizabilityVerdict => {
  const checked = checkHistory(kvSpec, history, { budget: { maxSteps: linearizabilityStepsMax } })
  return Either.isLeft(checked)
    ? { _tag: "MalformedHistory", message: checked.left.message }
    : { _tag: "Checked", result: checked.right }
}
