import { describe, expect, test } from "vitest"
import { cluster, replica } from "./fixtures.ts"
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
