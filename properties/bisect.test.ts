/**
 * Bisect names the step a person would name, on counterexamples of the bug zoo made here with fixed seeds (the
 * zoo campaign's own search, without shrinking, so the schedules do not depend on the machine's speed):
 * - quorumOfF: the second leader's win, a candidate counting a minority of votes in a term that has a leader;
 * - ackBeforePersist: the acknowledgement sent in the same step as the write it acknowledges, before its fsync;
 * - commitOldTermByCounting: the leader advancing its commit index over an entry of an earlier term by counting.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import type { BugName } from "../src/protocol/bugs.ts"
import { termAt } from "../src/protocol/log.ts"
import { bisect, type Bisection } from "./bisect.ts"
import { findCatalogScenario } from "./catalog.ts"
import { loadCounterexample } from "./counterexample.ts"
import { huntBug } from "./zoo/campaign.ts"

const directory = mkdtempSync(join(tmpdir(), "faultline-bisect-"))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

const bisectZoo = (bug: BugName, scenario: string, firstSeed: number, runsMax: number): Bisection => {
  const outcome = huntBug(bug, {
    clock: () => 0,
    budgetMs: 1,
    seedsMax: runsMax,
    shrinkBudgetMs: 0,
    shrink: false,
    directory,
    scenarios: [scenario],
    firstSeed
  })
  if (outcome.file === null) throw new Error(`${bug} was not caught in ${runsMax} runs of ${scenario}`)
  const loaded = loadCounterexample(outcome.file)
  if (loaded._tag === "Left") throw loaded.left
  return bisect(loaded.right, findCatalogScenario(scenario)?.expectations ?? {})
}

describe("faultline bisect on the bug zoo", () => {
  it("quorumOfF: the second leader's win", { timeout: 120_000 }, () => {
    const result = bisectZoo("quorumOfF", "zoo_divergent_logs", 1, 10)
    expect(result.method).toBe("replay")
    const step = result.observation
    expect(step?.input._tag).toBe("Receive")
    expect(step?.before.role).toBe("candidate")
    expect(step?.after.role).toBe("leader")
    const otherLeader = result.replicasBefore.find(
      (replica) =>
        replica.node !== step?.node && replica.state?.role === "leader" && replica.state.term === step?.after.term
    )
    expect(otherLeader, "another replica already led that term").toBeDefined()
  })

  it("ackBeforePersist: the acknowledgement sent before the fsync", { timeout: 120_000 }, () => {
    const result = bisectZoo("ackBeforePersist", "zoo_power_loss_slow_fsync", 1, 5)
    expect(result.method).toBe("replay")
    const outputs = result.observation?.outputs ?? []
    const acknowledgement = outputs.find(
      (output) =>
        output._tag === "Send" &&
        ((output.message._tag === "RequestVoteResponse" && output.message.granted) ||
          (output.message._tag === "AppendEntriesResponse" && output.message.success))
    )
    expect(acknowledgement, "the step sends a grant or an AppendOk").toBeDefined()
    // The write it acknowledges is issued in the same step, so no fsync can have completed before the send.
    expect(outputs.some((output) => output._tag === "Persist")).toBe(true)
    expect(result.observation?.after.pendingIo.length).toBeGreaterThan(0)
  })

  it("commitOldTermByCounting: the commit by counting", { timeout: 180_000 }, () => {
    const result = bisectZoo("commitOldTermByCounting", "zoo_figure8_leader_faults", 368, 3)
    expect(result.method).toBe("replay")
    const step = result.observation
    expect(step?.after.role).toBe("leader")
    expect(step?.after.commitIndex).toBeGreaterThan(step?.before.commitIndex ?? Number.POSITIVE_INFINITY)
    const committedTerm = step === undefined ? undefined : termAt(step.after.log, step.after.commitIndex)
    expect(committedTerm, "the newly committed entry is of an earlier term").toBeLessThan(step?.after.term ?? 0)
  })
})
