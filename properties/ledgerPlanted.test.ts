/**
 * The ledger properties catch a double spend: with the replica bug `noSessionDeduplication`, a money movement
 * sent WITHOUT an idempotency key and retried after a timeout runs twice. The property fails and shrinks, the
 * shrunk run shows money moved twice by one client command (ledger_idempotency) once the session checks are
 * set aside, and the same schedule passes on the correct replica.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { runSchedule } from "../src/sim/run.ts"
import { ledgerScheduleArbitrary } from "./arbitraries/ledger.ts"
import { findCatalogScenario, type CatalogScenario } from "./catalog.ts"
import { judge } from "./judge.ts"
import { checkScenarioPropertyAsync, describeFailure } from "./property.ts"

const directory = mkdtempSync(join(tmpdir(), "faultline-ledger-planted-"))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

const ledgerInvariants = ["ledger_idempotency", "ledger_money_conserved", "ledger_linearizability"]

describe("a double spend is caught", () => {
  it(
    "noSessionDeduplication with unkeyed, retried withdrawals fails a ledger property",
    { timeout: 600_000 },
    async () => {
      // Arrange: the retry scenario, but no operation carries an idempotency key.
      const base = findCatalogScenario("ledger_retry_idempotency")
      if (base === undefined) throw new Error("the catalog has ledger_retry_idempotency")
      const scenario: CatalogScenario = {
        ...base,
        name: "ledger_retry_without_keys",
        arbitrary: ledgerScheduleArbitrary(base.shape, { accounts: 2, keyedPercent: 0, openingBalance: 1_000 })
      }
      // Act
      // No shrink time budget: with a fixed seed the search and the shrinking are deterministic, whatever the load.
      const outcome = await checkScenarioPropertyAsync(scenario, {
        runs: 200,
        bugs: ["noSessionDeduplication"],
        seed: 11,
        directory
      })
      // Assert
      if (outcome._tag !== "Failed") throw new Error(`the double spend was not caught in ${outcome.numRuns} runs`)
      console.info(
        `${describeFailure(outcome)}\nfirst finding: ${outcome.finding.invariant} — ${outcome.finding.message}`
      )
      const withoutSessionChecks = runSchedule(outcome.built.schedule, {
        bugs: new Set(["noSessionDeduplication"]),
        modelInvariants: false
      })
      const ledgerFindings = withoutSessionChecks.violations.filter((violation) =>
        ledgerInvariants.includes(violation.invariant)
      )
      const described = ledgerFindings.map((violation) => `${violation.invariant}: ${violation.message}`)
      console.info(`without the session checks: ${described.join("; ")}`)
      expect(described).not.toEqual([])
      const correct = judge(outcome.built.schedule, {
        healedAtMs: outcome.built.healedAtMs,
        expectations: scenario.expectations
      })
      expect(correct.findings).toEqual([])
    }
  )
})
