import { describe, expect, test } from "vitest"
import { cluster, replica } from "./fixtures.ts"
import { InvariantChecker } from "./invariantChecker.ts"
import { checkConvergence, checkLeaderAfterHeal, checkOperationsCompleted } from "./liveness.ts"
import type { ModelEvent } from "./observation.ts"

const options = { healedAtMs: 1000, leaderWithinMs: 500 }

describe("a leader after the heal", () => {
  test("no leader within the bound is flagged", () => {
    // Arrange: candidates keep splitting the vote past the deadline.
    const observations = [
      cluster(1200, [replica(1, { role: "candidate", term: 5 }), replica(2, { role: "candidate", term: 5 })]),
      cluster(1600, [replica(1, { role: "candidate", term: 6 }), replica(2, { role: "leader", term: 6 })])
    ]
    // Act
    const violations = checkLeaderAfterHeal(observations, options)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "leader_after_heal",
        atMs: 1500,
        evidence: expect.objectContaining({ healedAtMs: 1000 })
      })
    ])
  })

  test("a stale leader of an old term does not count", () => {
    const observations = [
      cluster(1200, [replica(1, { role: "leader", term: 4 }), replica(2, { role: "candidate", term: 5 })]),
      cluster(1600, [replica(1, { role: "follower", term: 5 }), replica(2, { role: "candidate", term: 5 })])
    ]
    expect(checkLeaderAfterHeal(observations, options).map((violation) => violation.invariant)).toEqual([
      "leader_after_heal"
    ])
  })

  test("a leader within the bound passes", () => {
    const observations = [
      cluster(1300, [replica(1, { role: "leader", term: 5 }), replica(2, { term: 5 })]),
      cluster(1600, [replica(1, { term: 5 }), replica(2, { term: 5 })])
    ]
    expect(checkLeaderAfterHeal(observations, options)).toEqual([])
  })
})

describe("every operation completes", () => {
  const final = cluster(2000, [replica(1)])

  test("an operation still pending at the end is flagged", () => {
    const events: Array<ModelEvent> = [
      { _tag: "ClientInvoked", atMs: 10, clientId: "c1", sequence: 1 },
      { _tag: "ClientInvoked", atMs: 11, clientId: "c2", sequence: 1 },
      { _tag: "ClientAcknowledged", atMs: 20, clientId: "c1", sequence: 1, write: null }
    ]
    expect(checkOperationsCompleted(events, final)).toEqual([
      expect.objectContaining({
        invariant: "operations_completed",
        evidence: { count: 1, pending: [expect.objectContaining({ clientId: "c2", sequence: 1, invokedAtMs: 11 })] }
      })
    ])
  })

  test("operations that were acknowledged or failed pass", () => {
    const events: Array<ModelEvent> = [
      { _tag: "ClientInvoked", atMs: 10, clientId: "c1", sequence: 1 },
      { _tag: "ClientInvoked", atMs: 11, clientId: "c2", sequence: 1 },
      { _tag: "ClientAcknowledged", atMs: 20, clientId: "c1", sequence: 1, write: null },
      { _tag: "ClientFailed", atMs: 30, clientId: "c2", sequence: 1, reason: "timed out" }
    ]
    expect(checkOperationsCompleted(events, final)).toEqual([])
  })
})

describe("replicas converge", () => {
  test("live replicas on different applied indexes are flagged", () => {
    const final = cluster(2000, [
      replica(1, { lastApplied: 7, commitIndex: 7 }),
      replica(2, { lastApplied: 5, commitIndex: 7 })
    ])
    expect(checkConvergence(final)).toEqual([
      expect.objectContaining({
        invariant: "replicas_converged",
        evidence: {
          appliedIndexes: [
            { node: 1, lastApplied: 7, commitIndex: 7 },
            { node: 2, lastApplied: 5, commitIndex: 7 }
          ]
        }
      })
    ])
  })

  test("a dead replica behind the others does not count", () => {
    const final = cluster(2000, [
      replica(1, { lastApplied: 7 }),
      replica(2, { lastApplied: 7 }),
      replica(3, { alive: false, lastApplied: 2 })
    ])
    expect(checkConvergence(final)).toEqual([])
  })
})

describe("a run that ends settled (the simulator)", () => {
  const settled = { ...options, endsSettled: true }

  test("a final cluster whose only leader is of an old term has no leader, whatever the window saw", () => {
    // Arrange: a leader within the bound, lost by the end.
    const observations = [
      cluster(1300, [replica(1, { role: "leader", term: 5 }), replica(2, { term: 5 })]),
      cluster(2000, [replica(1, { role: "leader", term: 5 }), replica(2, { role: "candidate", term: 6 })])
    ]
    // Act
    const violations = checkLeaderAfterHeal(observations, settled)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "leader_after_heal",
        message: "no leader at the end of the liveness phase (n1 leader term 5, n2 candidate term 6)",
        atMs: 2000
      })
    ])
    expect(checkLeaderAfterHeal(observations, options)).toEqual([])
  })

  test("a leader elected after the deadline passes when the run ends with it", () => {
    const observations = [
      cluster(1200, [replica(1, { role: "candidate", term: 5 }), replica(2, { term: 5 })]),
      cluster(2000, [replica(1, { role: "leader", term: 6 }), replica(2, { term: 6 })])
    ]
    expect(checkLeaderAfterHeal(observations, settled)).toEqual([])
  })

  test("a run that ends before the deadline is still held to a leader at its end", () => {
    const observations = [cluster(1200, [replica(1, { role: "candidate", term: 5 }), replica(2, { term: 5 })])]
    expect(checkLeaderAfterHeal(observations, settled).map((violation) => violation.message)).toEqual([
      "no leader at the end of the liveness phase (n1 candidate term 5, n2 follower term 5)"
    ])
    expect(checkLeaderAfterHeal(observations, options)).toEqual([])
  })

  test("an unknown outcome is allowed before a leader had time to emerge, not after", () => {
    // Arrange: c1 gave up during the faults, c2 once a leader should have been there.
    const events: Array<ModelEvent> = [
      { _tag: "ClientInvoked", atMs: 1200, clientId: "c1", sequence: 1 },
      { _tag: "ClientFailed", atMs: 1400, clientId: "c1", sequence: 1, reason: "unknown" },
      { _tag: "ClientInvoked", atMs: 1600, clientId: "c2", sequence: 1 },
      { _tag: "ClientFailed", atMs: 2000, clientId: "c2", sequence: 1, reason: "unknown" },
      { _tag: "ClientInvoked", atMs: 1700, clientId: "c3", sequence: 1 },
      { _tag: "ClientFailed", atMs: 2000, clientId: "c3", sequence: 1, reason: "failed" }
    ]
    const final = cluster(3000, [replica(1, { role: "leader" })])
    // Act
    const violations = checkOperationsCompleted(events, final, settled)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "operations_completed",
        message: "client c2's operation 1 invoked at 1600 ms never completed after the heal",
        atMs: 2000,
        evidence: expect.objectContaining({ clientId: "c2", invokedAtMs: 1600 })
      })
    ])
    expect(checkOperationsCompleted(events, final, options)).toEqual([])
  })

  test("the checker fed a cluster that never elects after the heal reports leader_after_heal", () => {
    // Arrange: the simulator's checker, told of the heal at construction, fed every step.
    const checker = new InvariantChecker({ liveness: settled })
    const split = (atMs: number, term: number) =>
      cluster(atMs, [
        replica(1, { role: "candidate", term, votedFor: 1 }),
        replica(2, { role: "candidate", term, votedFor: 2 }),
        replica(3, { role: "follower", term, votedFor: 1 })
      ])
    // Act
    for (let step = 0; step < 10; step += 1) checker.observe(split(1000 + step * 100, 5 + step))
    const violations = checker.finish(split(2000, 15))
    // Assert
    expect(violations.map((violation) => violation.invariant)).toEqual(["leader_after_heal"])
    expect(violations[0]?.message).toBe(
      "no leader at the end of the liveness phase (n1 candidate term 15, n2 candidate term 15, n3 follower term 15)"
    )
    expect(checker.judged).toContain("leader_after_heal")
  })
})
