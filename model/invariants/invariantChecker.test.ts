import { describe, expect, test } from "vitest"
import { applied, cluster, logOf, replica } from "./fixtures.ts"
import { InvariantChecker, invariantsWithoutLogs } from "./invariantChecker.ts"

describe("the incremental invariant checker", () => {
  test("a healthy run has no violations, liveness included", () => {
    // Arrange
    const checker = new InvariantChecker({
      auditEveryObservations: 1,
      liveness: { healedAtMs: 0, leaderWithinMs: 100 }
    })
    const log = logOf([1, 1])
    // Act
    checker.record({ _tag: "ClientInvoked", atMs: 0, clientId: "c1", sequence: 1 })
    checker.observe(
      cluster(10, [
        replica(1, { role: "leader", log, commitIndex: 2, lastApplied: 2 }),
        replica(2, { log, commitIndex: 1, lastApplied: 1 })
      ])
    )
    checker.record(applied(11, 1, 2, log[1]!.digest))
    checker.record({
      _tag: "ClientAcknowledged",
      atMs: 12,
      clientId: "c1",
      sequence: 1,
      write: { digest: log[1]!.digest, index: 2 }
    })
    const violations = checker.finish(
      cluster(200, [
        replica(1, { role: "leader", log, commitIndex: 2, lastApplied: 2 }),
        replica(2, { log, commitIndex: 2, lastApplied: 2 })
      ])
    )
    // Assert
    expect(violations).toEqual([])
  })

  test("observe returns the violations it reveals, each once however often it is seen", () => {
    // Arrange
    const checker = new InvariantChecker()
    const twoLeaders = cluster(10, [replica(1, { role: "leader", term: 2 }), replica(2, { role: "leader", term: 2 })])
    // Act
    const first = checker.observe(twoLeaders)
    const second = checker.observe({ ...twoLeaders, atMs: 20 })
    // Assert
    expect(first.map((violation) => violation.invariant)).toEqual(["election_safety"])
    expect(second).toEqual([])
    expect(checker.violations).toHaveLength(1)
  })

  test("whole-log checks run at finish even between audits", () => {
    const checker = new InvariantChecker({ auditEveryObservations: 1000 })
    const diverged = cluster(10, [
      replica(1, { log: logOf([1, 2]) }),
      replica(2, { log: logOf([1, 2], { 1: "forged" }) })
    ])
    expect(checker.observe(diverged)).toEqual([])
    expect(checker.finish(diverged).map((violation) => violation.invariant)).toEqual(["log_matching"])
  })

  test("every violation is plain JSON", () => {
    const checker = new InvariantChecker()
    checker.record({ _tag: "CorruptRecordApplied", atMs: 5, node: 1, index: 3 })
    const violations = checker.finish(cluster(10, [replica(1)]))
    expect(JSON.parse(JSON.stringify(violations))).toEqual(violations)
  })

  test("the checker refuses input after finish", () => {
    const checker = new InvariantChecker()
    checker.finish(cluster(0, []))
    expect(() => checker.observe(cluster(1, []))).toThrow(/finish/)
  })

  test("a world that cannot see logs runs only the monitors it can feed, and says which it judged", () => {
    // Arrange: logs that diverge (log_matching) and two leaders in term 2 (election_safety).
    const checker = new InvariantChecker({ invariants: invariantsWithoutLogs })
    const observed = cluster(10, [
      replica(1, { role: "leader", term: 2, log: logOf([1, 2]) }),
      replica(2, { role: "leader", term: 2, log: logOf([1, 2], { 1: "forged" }) })
    ])
    // Act
    const violations = checker.finish(observed)
    // Assert
    expect(violations.map((violation) => violation.invariant)).toEqual(["election_safety"])
    expect(checker.judged).toEqual([
      "election_safety",
      "commit_index_monotonic",
      "applied_index_monotonic",
      "persisted_state_monotonic"
    ])
  })

  test("liveness starts when the host says the faults healed", () => {
    const checker = new InvariantChecker({ invariants: ["election_safety"] })
    checker.observe(cluster(10, [replica(1, { role: "leader" })]))
    checker.healed({ healedAtMs: 100, leaderWithinMs: 50 })
    checker.record({ _tag: "ClientInvoked", atMs: 120, clientId: "c1", sequence: 1 })
    const violations = checker.finish(
      cluster(200, [replica(1, { role: "candidate", term: 2, lastApplied: 1 }), replica(2)])
    )
    expect(violations.map((violation) => violation.invariant)).toEqual([
      "leader_after_heal",
      "operations_completed",
      "replicas_converged"
    ])
    expect(checker.judged).toEqual([
      "election_safety",
      "leader_after_heal",
      "operations_completed",
      "replicas_converged"
    ])
    expect(() =>
      new InvariantChecker({ liveness: { healedAtMs: 0, leaderWithinMs: 1 } }).healed({
        healedAtMs: 0,
        leaderWithinMs: 1
      })
    ).toThrow(/once/)
  })

  test("a selection naming no safety monitor is refused", () => {
    expect(() => new InvariantChecker({ invariants: ["linearizability" as "durability"] })).toThrow(
      "no safety monitor judges linearizability"
    )
  })
})
