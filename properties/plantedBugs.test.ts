/**
 * The suite catches bugs: each planted protocol bug makes a property fail, the failure shrinks to a short
 * schedule, `faultline repro` replays it (still failing), and the same schedule passes on the correct
 * replica — so the counterexample is about the bug, not about the schedule.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import type { BugName } from "../src/protocol/bugs.ts"
import { findCatalogScenario } from "./catalog.ts"
import { repositoryRoot } from "./counterexample.ts"
import { judge } from "./judge.ts"
import { checkScenarioPropertyAsync } from "./property.ts"

const directory = mkdtempSync(join(tmpdir(), "faultline-planted-"))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

const planted: ReadonlyArray<{ readonly bug: BugName; readonly scenario: string }> = [
  { bug: "replyBeforeCommit", scenario: "combined" },
  { bug: "quorumOfF", scenario: "combined" },
  { bug: "applyBeyondCommit", scenario: "combined" }
]

describe("planted bugs are caught, shrunk and replayed", () => {
  for (const { bug, scenario: name } of planted) {
    it(`${bug} fails a property of ${name}`, { timeout: 300_000 }, async () => {
      // Arrange
      const scenario = findCatalogScenario(name)
      if (scenario === undefined) throw new Error(`the catalog has ${name}`)
      // Act
      const outcome = await checkScenarioPropertyAsync(scenario, { runs: 150, bugs: [bug], seed: 7, shrinkBudgetMs: 60_000, directory })
      // Assert
      if (outcome._tag !== "Failed") throw new Error(`${bug} was not caught in ${outcome.numRuns} runs of ${name}`)
      expect(outcome.built.schedule.steps.length).toBeLessThanOrEqual(30)
      const replay = spawnSync(process.execPath, [join(repositoryRoot, "bin", "faultline.mjs"), "repro", outcome.file], { encoding: "utf8" })
      expect(replay.status, replay.stdout + replay.stderr).toBe(1)
      expect(replay.stdout).toContain("STILL FAILS")
      expect(replay.stdout).toContain("trace hash matches the recorded run")
      const correct = judge(outcome.built.schedule, { healedAtMs: outcome.built.healedAtMs, expectations: scenario.expectations })
      expect(correct.findings).toEqual([])
    })
  }
})
