/**
 * The simulator asserts every replica's state invariants after every step (protocol/checkState.ts): a planted
 * bug that leaves a state no correct replica can be in ends the run at that step, as an AssertionFailure that
 * names the clause and carries the seed to replay it.
 */
import { describe, expect, it } from "vitest"
import { runSchedule } from "./run.ts"
import { defaultProfile, type Schedule, type Step } from "../schedule/index.ts"

const puts: ReadonlyArray<Step> = Array.from({ length: 6 }, (_, serial) => ({
  _tag: "Client" as const,
  at: 3_000 + serial * 100,
  client: serial % 2,
  op: { _tag: "Put" as const, key: `k${serial % 3}`, value: `v${serial}` }
}))

const schedule: Schedule = {
  version: 1,
  replicas: 3,
  seed: 23,
  profile: defaultProfile,
  limits: { simulatedMs: 8_000, events: 1_000_000 },
  steps: puts
}

describe("replica state checks in the simulator", () => {
  it("catch a follower applying entries beyond its commit index (the applyBeyondCommit zoo bug) at that step, with the seed", () => {
    // Act
    const checked = runSchedule(schedule, { bugs: new Set(["applyBeyondCommit"]), checkLinearizability: false })
    // Assert
    const failure = checked.violations.find((violation) => violation.invariant === "assertion_failure")
    expect(failure?.message).toMatch(/on Receive: AssertionFailure: checkReplicaState: lastApplied ≤ commitIndex: /)
    expect(failure?.message).toContain("(seed 23)")
    expect(failure?.seed).toBe(23)
  })

  it("are what caught it: unchecked, the same run reaches no assertion, and the correct replica passes checked", () => {
    // Act
    const unchecked = runSchedule(schedule, {
      bugs: new Set(["applyBeyondCommit"]),
      checkLinearizability: false,
      checkReplicaState: false
    })
    const correct = runSchedule(schedule)
    // Assert
    expect(unchecked.violations.filter((violation) => violation.invariant === "assertion_failure")).toEqual([])
    expect(correct.violations).toEqual([])
  })
})
