/**
 * The whole-log checks re-check only what changed when a host hands over the same log arrays again (appended
 * to in place, as the simulator does). What they skip must be exactly what cannot have changed: a divergence in
 * the appended part, or anywhere in a log that came as a new array, is still found.
 */
import { describe, expect, test } from "vitest"
import { cluster, logOf, replica } from "./fixtures.ts"
import { InvariantChecker } from "./invariantChecker.ts"
import type { LogEntryObservation } from "./observation.ts"

const auditing = (): InvariantChecker => new InvariantChecker({ auditEveryObservations: 1 })
const entry = (index: number, term: number, digest = `entry-${index}-t${term}`): LogEntryObservation => ({
  index,
  term,
  digest
})

describe("log matching across audits", () => {
  test("a divergence appended after a clean audit is found in the appended part", () => {
    const left = logOf([1, 1])
    const right = logOf([1, 1])
    const checker = auditing()
    expect(checker.observe(cluster(10, [replica(1, { log: left }), replica(2, { log: right })]))).toEqual([])
    // Both arrays grow in place: they agree at index 4 (term 2) but differ at index 3.
    left.push(entry(3, 1, "left-3"), entry(4, 2))
    right.push(entry(3, 1, "right-3"), entry(4, 2))
    const violations = checker.observe(cluster(20, [replica(1, { log: left }), replica(2, { log: right })]))
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "log_matching",
        evidence: expect.objectContaining({ index: 3, agreedThroughIndex: 4 })
      })
    ])
  })

  test("a log handed over as a new array is checked from its start again", () => {
    const right = logOf([1, 1, 2])
    const checker = auditing()
    expect(checker.observe(cluster(10, [replica(1, { log: logOf([1, 1, 2]) }), replica(2, { log: right })]))).toEqual(
      []
    )
    // A new array for node 1 that differs at index 1 but still agrees at index 3: the earlier clean audit covered index 1.
    const rewritten = [entry(1, 1, "rewritten-1"), entry(2, 1), entry(3, 2)]
    const violations = checker.observe(cluster(20, [replica(1, { log: rewritten }), replica(2, { log: right })]))
    expect(violations).toEqual([
      expect.objectContaining({ invariant: "log_matching", evidence: expect.objectContaining({ index: 1 }) })
    ])
  })
})

describe("leader completeness across audits", () => {
  test("an entry committed after the leader was checked is checked at the next audit", () => {
    const leaderLog = logOf([1, 2])
    const checker = auditing()
    const leader = () => replica(1, { role: "leader", term: 3, log: leaderLog })
    expect(
      checker.observe(cluster(10, [leader(), replica(2, { term: 2, log: logOf([1, 2]), commitIndex: 2 })]))
    ).toEqual([])
    // Node 2 now reports index 3 of term 2 committed; the leader of term 3 (same, unchanged array) lacks it.
    const violations = checker.observe(
      cluster(20, [leader(), replica(2, { term: 2, log: logOf([1, 2, 2]), commitIndex: 3 })])
    )
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "leader_completeness",
        evidence: expect.objectContaining({ leader: 1, leaderTerm: 3 })
      })
    ])
  })

  test("a leader whose log comes as a new array is checked against every committed entry again", () => {
    const checker = auditing()
    const follower = replica(2, { term: 2, log: logOf([1, 2]), commitIndex: 2 })
    expect(
      checker.observe(cluster(10, [replica(1, { role: "leader", term: 3, log: logOf([1, 2]) }), follower]))
    ).toEqual([])
    // Same node, same term, a new log array that lost index 2: the entries checked before must be checked again.
    const violations = checker.observe(
      cluster(20, [replica(1, { role: "leader", term: 3, log: logOf([1]) }), follower])
    )
    expect(violations).toEqual([
      expect.objectContaining({ invariant: "leader_completeness", evidence: expect.objectContaining({ leader: 1 }) })
    ])
  })
})
