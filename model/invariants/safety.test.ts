import { describe, expect, test } from "vitest"
import { checkElectionSafety } from "./electionSafety.ts"
import { cluster, logOf, replica } from "./fixtures.ts"
import { checkLeaderCompleteness } from "./leaderCompleteness.ts"
import { checkLogMatching } from "./logMatching.ts"
import { checkPersistedState } from "./persistedState.ts"
import { checkVolatileMonotonicity } from "./volatileMonotonicity.ts"

describe("election_safety", () => {
  test("two leaders of the same term at different instants are flagged", () => {
    // Arrange: node 1 leads term 3, then later node 2 also claims term 3.
    const observations = [
      cluster(10, [replica(1, { role: "leader", term: 3 }), replica(2, { term: 3 })]),
      cluster(20, [replica(1, { alive: false, term: 3 }), replica(2, { role: "leader", term: 3 })])
    ]
    // Act
    const violations = checkElectionSafety(observations)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "election_safety",
        atMs: 20,
        evidence: { term: 3, firstLeader: 1, firstSeenAtMs: 10, secondLeader: 2 }
      })
    ])
  })

  test("successive leaders of successive terms pass", () => {
    const observations = [
      cluster(10, [replica(1, { role: "leader", term: 3 }), replica(2, { term: 3 })]),
      cluster(20, [replica(1, { term: 4 }), replica(2, { role: "leader", term: 4 })]),
      cluster(30, [replica(1, { term: 4 }), replica(2, { role: "leader", term: 4 })])
    ]
    expect(checkElectionSafety(observations)).toEqual([])
  })

  test("a dead replica that still says leader is not counted", () => {
    const observations = [
      cluster(10, [replica(1, { role: "leader", term: 3, alive: false }), replica(2, { role: "leader", term: 3 })])
    ]
    expect(checkElectionSafety(observations)).toEqual([])
  })
})

describe("log matching", () => {
  test("logs that agree at a later index but differ before it are flagged", () => {
    // Arrange: both hold term 2 at index 3, yet index 2 differs.
    const snapshot = cluster(5, [
      replica(1, { log: logOf([1, 1, 2]) }),
      replica(2, { log: logOf([1, 1, 2], { 2: "something else" }) })
    ])
    // Act
    const violations = checkLogMatching(snapshot)
    // Assert
    expect(violations).toHaveLength(1)
    expect(violations[0]).toMatchObject({
      invariant: "log_matching",
      evidence: { nodes: [1, 2], agreedThroughIndex: 3, index: 2 }
    })
  })

  test("a follower behind the leader, and a divergent uncommitted suffix, pass", () => {
    const snapshot = cluster(5, [
      replica(1, { log: logOf([1, 1, 2, 2]) }),
      replica(2, { log: logOf([1, 1]) }),
      replica(3, { log: logOf([1, 1, 3], { 3: "written in term 3" }) })
    ])
    expect(checkLogMatching(snapshot)).toEqual([])
  })

  test("entries compacted into a snapshot are not compared", () => {
    const snapshot = cluster(5, [
      replica(1, { log: logOf([1, 1, 2]).slice(2), compactedThrough: 2 }),
      replica(2, { log: logOf([1, 1, 2]) })
    ])
    expect(checkLogMatching(snapshot)).toEqual([])
  })
})

describe("leader completeness", () => {
  test("a later leader missing a committed entry is flagged", () => {
    // Arrange: index 2 is committed in term 1; node 2 leads term 2 without it.
    const observations = [
      cluster(10, [
        replica(1, { role: "leader", term: 1, log: logOf([1, 1]), commitIndex: 2 }),
        replica(2, { term: 1, log: logOf([1]) })
      ]),
      cluster(20, [
        replica(1, { alive: false, term: 1, log: logOf([1, 1]) }),
        replica(2, { role: "leader", term: 2, log: logOf([1, 2]) })
      ])
    ]
    // Act
    const violations = checkLeaderCompleteness(observations)
    // Assert
    expect(violations).toHaveLength(1)
    expect(violations[0]).toMatchObject({
      invariant: "leader_completeness",
      atMs: 20,
      evidence: { leader: 2, leaderTerm: 2, committed: { index: 2, term: 1 }, leaderEntry: { index: 2, term: 2 } }
    })
  })

  test("a later leader holding every committed entry passes", () => {
    const observations = [
      cluster(10, [
        replica(1, { role: "leader", term: 1, log: logOf([1, 1]), commitIndex: 2 }),
        replica(2, { term: 1, log: logOf([1, 1]) })
      ]),
      cluster(20, [
        replica(1, { term: 2, log: logOf([1, 1]) }),
        replica(2, { role: "leader", term: 2, log: logOf([1, 1, 2]) })
      ])
    ]
    expect(checkLeaderCompleteness(observations)).toEqual([])
  })

  test("two replicas committing different entries at one index break state machine safety", () => {
    const observations = [
      cluster(10, [
        replica(1, { log: logOf([1]), commitIndex: 1 }),
        replica(2, { log: logOf([1], { 1: "other" }), commitIndex: 1 })
      ])
    ]
    expect(checkLeaderCompleteness(observations)).toEqual([
      expect.objectContaining({ invariant: "state_machine_safety", evidence: expect.objectContaining({ index: 1 }) })
    ])
  })
})

describe("commit and applied indexes never decrease on a live replica", () => {
  test("a commit index that goes back without a restart is flagged", () => {
    // Arrange
    const trace = [
      { _tag: "Observation" as const, cluster: cluster(10, [replica(1, { commitIndex: 5, lastApplied: 5 })]) },
      { _tag: "Observation" as const, cluster: cluster(20, [replica(1, { commitIndex: 3, lastApplied: 5 })]) }
    ]
    // Act
    const violations = checkVolatileMonotonicity(trace)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "commit_index_monotonic",
        evidence: { node: 1, before: 5, beforeAtMs: 10, after: 3 }
      })
    ])
  })

  test("an applied index that goes back is flagged", () => {
    const trace = [
      { _tag: "Observation" as const, cluster: cluster(10, [replica(1, { commitIndex: 5, lastApplied: 5 })]) },
      { _tag: "Observation" as const, cluster: cluster(20, [replica(1, { commitIndex: 5, lastApplied: 4 })]) }
    ]
    expect(checkVolatileMonotonicity(trace).map((violation) => violation.invariant)).toEqual([
      "applied_index_monotonic"
    ])
  })

  test("a reset across a restart passes", () => {
    const trace = [
      { _tag: "Observation" as const, cluster: cluster(10, [replica(1, { commitIndex: 5, lastApplied: 5 })]) },
      { _tag: "Event" as const, event: { _tag: "Restarted" as const, atMs: 15, node: 1 } },
      { _tag: "Observation" as const, cluster: cluster(20, [replica(1, { commitIndex: 0, lastApplied: 0 })]) },
      { _tag: "Observation" as const, cluster: cluster(30, [replica(1, { commitIndex: 6, lastApplied: 6 })]) }
    ]
    expect(checkVolatileMonotonicity(trace)).toEqual([])
  })
})

describe("persisted term and vote never regress", () => {
  test("a durable term that goes back across a restart is flagged", () => {
    // Arrange
    const observations = [
      cluster(10, [replica(1, { durable: { term: 4, votedFor: 2 } })]),
      cluster(20, [replica(1, { alive: false, durable: { term: 3, votedFor: 2 } })])
    ]
    // Act
    const violations = checkPersistedState(observations)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "persisted_state_monotonic",
        evidence: expect.objectContaining({ node: 1, after: { term: 3, votedFor: 2 } })
      })
    ])
  })

  test("a durable vote that changes within a term is flagged", () => {
    const observations = [
      cluster(10, [replica(1, { durable: { term: 4, votedFor: 2 } })]),
      cluster(20, [replica(1, { durable: { term: 4, votedFor: 3 } })])
    ]
    expect(checkPersistedState(observations)).toEqual([
      expect.objectContaining({
        invariant: "persisted_state_monotonic",
        evidence: { node: 1, term: 4, before: 2, beforeAtMs: 10, after: 3 }
      })
    ])
  })

  test("a first vote in a term, then a new term with no vote, pass", () => {
    const observations = [
      cluster(10, [replica(1, { durable: { term: 4, votedFor: null } })]),
      cluster(20, [replica(1, { durable: { term: 4, votedFor: 1 } })]),
      cluster(30, [replica(1, { durable: { term: 5, votedFor: null } })])
    ]
    expect(checkPersistedState(observations)).toEqual([])
  })
})
