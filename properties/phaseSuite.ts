/**
 * One vitest suite per phase of the catalog: every runnable scenario of the phase becomes a property test;
 * a scenario waiting for a feature is listed as a skipped test that names the feature.
 */
import { describe, it } from "vitest"
import { catalog } from "./catalog.ts"
import type { Phase } from "./scenarios/descriptions.ts"
import { isBugName, type BugName } from "../src/protocol/bugs.ts"
import { assertScenario, runsFor } from "./property.ts"

/** Generous: a failing run shrinks, and a shrink reruns the simulator many times. */
const testTimeoutMs = 600_000

/**
 * In CI the seed is fixed so that a red build is reproducible from its log; locally each run explores new
 * seeds. FC_SEED always wins.
 */
const ciSeed = process.env.CI === "true" ? 20_261_126 : undefined

/** `FAULTLINE_BUGS=quorumOfF,…` runs the suite against planted bugs: a way to watch it catch one. */
const plantedBugs = (): ReadonlyArray<BugName> => {
  const names = (process.env.FAULTLINE_BUGS ?? "").split(",").filter((name) => name.trim() !== "")
  const unknown = names.find((name) => !isBugName(name))
  if (unknown !== undefined) throw new Error(`FAULTLINE_BUGS names an unknown bug: ${unknown}`)
  return names as ReadonlyArray<BugName>
}

export const phaseSuite = (phases: ReadonlyArray<Phase>, defaultRuns: number, file: string): void => {
  for (const phase of phases) {
    describe(`phase ${phase}`, () => {
      for (const scenario of catalog.filter((entry) => entry.phase === phase)) {
        if (scenario.status !== "runs") {
          it.skip(`${scenario.name} (${scenario.status})`, () => {})
          continue
        }
        it(
          `${scenario.name} holds for ${runsFor(defaultRuns)} generated schedules`,
          { timeout: testTimeoutMs },
          async () => {
            await assertScenario(scenario, {
              runs: defaultRuns,
              file,
              bugs: plantedBugs(),
              shrinkBudgetMs: 240_000,
              ...(ciSeed !== undefined ? { seed: ciSeed } : {})
            })
          }
        )
      }
    })
  }
}
