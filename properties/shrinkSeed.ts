/**
 * Shrinking one failing seed of a scenario: fast-check starts from the same seed (so its first value is the
 * schedule the seed stands for) and shrinks while the run keeps failing the same invariant, for at most a time
 * budget (fast-check keeps the smallest failing schedule found so far). Used by `faultline sim` to turn every
 * failing seed of a campaign into a small counterexample file, and by the bug zoo.
 */
import fc from "fast-check"
import type { InvariantName } from "../model/invariants/names.ts"
import type { BugName } from "../src/protocol/bugs.ts"
import type { BuiltSchedule } from "./arbitraries/schedule.ts"
import { arbitraryFor, type CatalogScenario } from "./catalog.ts"
import type { Counterexample } from "./counterexample.ts"
import { judge } from "./judge.ts"

export interface Shrunk {
  readonly built: BuiltSchedule
  readonly seed: number
  /** fast-check's path to the shrunk value ("" when nothing smaller failed). */
  readonly path: string
  readonly shrinks: number
}

export interface ShrinkRequest {
  readonly scenario: CatalogScenario
  readonly seed: number
  readonly bugs: ReadonlySet<BugName>
  /** The invariant the seed failed: a smaller schedule counts only if it fails the same one. */
  readonly invariant: InvariantName
  readonly budgetMs: number
  readonly replicas?: number | undefined
}

/** The smallest schedule found that still fails the invariant, or undefined when the seed no longer fails. */
export const shrinkSeed = (request: ShrinkRequest): Shrunk | undefined => {
  const { scenario, bugs, invariant } = request
  // The linearizability search is the costliest check: skip it while chasing another invariant.
  const checkLinearizability = invariant === "linearizability" || invariant === "history_well_formed"
  const stillFails = (built: BuiltSchedule): boolean =>
    judge(built.schedule, {
      bugs,
      healedAtMs: built.healedAtMs,
      expectations: scenario.expectations,
      checkLinearizability
    }).findings[0]?.invariant === invariant
  const property = fc.property(arbitraryFor(scenario, request.replicas), (built) => !stillFails(built))
  const details = fc.check(property, {
    seed: request.seed,
    numRuns: 1,
    ...(request.budgetMs > 0 ? { interruptAfterTimeLimit: request.budgetMs, markInterruptAsFailure: false } : {}),
    ...(request.budgetMs <= 0 ? { endOnFailure: true } : {})
  })
  if (!details.failed || details.counterexample === null) return undefined
  const [built] = details.counterexample
  return { built, seed: details.seed, path: details.counterexamplePath ?? "", shrinks: details.numShrinks }
}

/** The counterexample file's contents for a schedule that fails (judged once more, with the full checks). */
export const counterexampleOf = (
  scenario: CatalogScenario,
  bugs: ReadonlySet<BugName>,
  built: BuiltSchedule,
  fastCheck: { readonly seed: number; readonly path: string }
): Counterexample | undefined => {
  const judged = judge(built.schedule, {
    bugs,
    healedAtMs: built.healedAtMs,
    expectations: scenario.expectations
  })
  const finding = judged.findings[0]
  if (finding === undefined) return undefined
  return {
    version: 1,
    scenario: scenario.name,
    bugs: [...bugs],
    fastCheck,
    healedAtMs: built.healedAtMs,
    schedule: built.schedule,
    violation: finding,
    traceHash: judged.result.traceHash
  }
}
