import { describe, expect, test } from "vitest"
import { cluster, replica } from "./fixtures.ts"
import {
  checkConvergence,
  checkHistoryCompleted,
  checkLeaderAfterHeal,
  checkLeaderAtEnd,
  checkOperationsCompleted,
  type HistoryOutcome
} from "./liveness.ts"
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

describe("the end-state forms, for a host that has only the end of the run", () => {
  test("a final cluster whose only leader is of an old term has no leader", () => {
    // Arrange
    const final = cluster(2000, [replica(1, { role: "leader", term: 4 }), replica(2, { role: "candidate", term: 5 })])
    // Act
    const violations = checkLeaderAtEnd(final)
    // Assert
    expect(violations.map((violation) => violation.invariant)).toEqual(["leader_after_heal"])
    expect(checkLeaderAtEnd(cluster(2000, [replica(1, { role: "leader", term: 5 }), replica(2, { term: 5 })]))).toEqual(
      []
    )
  })

  const completion = { ...options, what: "key-value", endMs: 3000 }

  test("an unknown outcome is allowed before a leader had time to emerge, not after", () => {
    // Arrange: process 1 gave up during the faults, process 2 once a leader should have been there.
    const history: Array<HistoryOutcome> = [
      { _tag: "Invoke", process: 1, atTime: 1200 },
      { _tag: "Unknown", process: 1, atTime: 1400 },
      { _tag: "Invoke", process: 2, atTime: 1600 },
      { _tag: "Unknown", process: 2, atTime: 2000 }
    ]
    // Act
    const violations = checkHistoryCompleted(history, completion)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "operations_completed",
        atMs: 2000,
        evidence: expect.objectContaining({ process: 2 })
      })
    ])
  })

  test("an operation without an outcome at the end is flagged, even after earlier ones ended", () => {
    const history: Array<HistoryOutcome> = [
      { _tag: "Invoke", process: 1, atTime: 1200 },
      { _tag: "Ok", process: 1, atTime: 1300 },
      { _tag: "Invoke", process: 1, atTime: 1400 }
    ]
    expect(checkHistoryCompleted(history, completion)).toEqual([
      expect.objectContaining({ invariant: "operations_completed", atMs: 3000 })
    ])
  })
})
