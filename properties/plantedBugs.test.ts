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

/**
 * Each bug with a scenario that hunts it (see properties/zoo). No shrink time budget: with a fixed seed,
 * fast-check's search and shrinking are deterministic, so the sizes asserted below do not depend on load.
 */
const planted: ReadonlyArray<{ readonly bug: BugName; readonly scenario: string }> = [
  { bug: "ackBeforePersist", scenario: "zoo_power_loss_slow_fsync" },
  { bug: "replyBeforeCommit", scenario: "zoo_client_retries" },
  { bug: "quorumOfF", scenario: "zoo_divergent_logs" }
]

describe("planted bugs are caught, shrunk and replayed", () => {
  for (const { bug, scenario: name } of planted) {
    it(`${bug} fails a property of ${name}`, { timeout: 300_000 }, async () => {
      // Arrange
      const scenario = findCatalogScenario(name)
      if (scenario === undefined) throw new Error(`the catalog has ${name}`)
      // Act
      const outcome = await checkScenarioPropertyAsync(scenario, { runs: 200, bugs: [bug], seed: 7, directory })
      // Assert
      if (outcome._tag !== "Failed") throw new Error(`${bug} was not caught in ${outcome.numRuns} runs of ${name}`)
      expect(outcome.built.schedule.steps.length).toBeLessThanOrEqual(10)
      const replay = spawnSync(
        process.execPath,
        [join(repositoryRoot, "bin", "faultline.mjs"), "repro", outcome.file],
        { encoding: "utf8" }
      )
      expect(replay.status, replay.stdout + replay.stderr).toBe(1)
      expect(replay.stdout).toContain("STILL FAILS")
      expect(replay.stdout).toContain("trace hash matches the recorded run")
      const correct = judge(outcome.built.schedule, {
        healedAtMs: outcome.built.healedAtMs,
        expectations: scenario.expectations
      })
      expect(correct.findings).toEqual([])
    })
  }
})
