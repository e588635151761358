import { describe, expect, test } from "vitest"
import { checkDurability, checkExactlyOnce, checkNoCorruptRecordApplied } from "./clientSessions.ts"
import { applied, cluster, logOf, replica } from "./fixtures.ts"
import type { ModelEvent } from "./observation.ts"
import { checkStateMachineSafety } from "./stateMachineSafety.ts"

const acknowledged = (sequence: number, digest: string, index?: number): ModelEvent => ({
  _tag: "ClientAcknowledged",
  atMs: 10,
  clientId: "c1",
  sequence,
  write: index === undefined ? { digest } : { digest, index }
})

describe("state machine safety", () => {
  test("two replicas applying different entries at one index are flagged", () => {
    // Arrange
    const events = [applied(10, 1, 4, "put a=1"), applied(12, 2, 4, "put a=2")]
    // Act
    const violations = checkStateMachineSafety(events)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "state_machine_safety",
        evidence: expect.objectContaining({
          index: 4,
          first: expect.objectContaining({ node: 1, digest: "put a=1" }),
          second: expect.objectContaining({ node: 2, digest: "put a=2" })
        })
      })
    ])
  })

  test("replicas applying the same entries pass", () => {
    expect(
      checkStateMachineSafety([
        applied(10, 1, 4, "put a=1"),
        applied(12, 2, 4, "put a=1"),
        applied(13, 2, 5, "put b=1")
      ])
    ).toEqual([])
  })
})

describe("durability", () => {
  test("an acknowledged write missing from the committed state at the end is flagged", () => {
    // Arrange: the write was acknowledged at index 2, but the final committed logs hold something else there.
    const events = [acknowledged(1, "put a=1", 2)]
    const final = cluster(100, [
      replica(1, { log: logOf([1, 2], { 2: "put a=9" }), commitIndex: 2 }),
      replica(2, { log: logOf([1]), commitIndex: 1 })
    ])
    // Act
    const violations = checkDurability(events, final)
    // Assert
    expect(violations).toHaveLength(1)
    expect(violations[0]).toMatchObject({
      invariant: "durability",
      evidence: { clientId: "c1", sequence: 1, digest: "put a=1", acknowledgedIndex: 2 }
    })
  })

  test("an acknowledged write that is present but not yet committed anywhere is flagged", () => {
    const final = cluster(100, [replica(1, { log: logOf([1, 1], { 2: "put a=1" }), commitIndex: 1 })])
    expect(checkDurability([acknowledged(1, "put a=1")], final).map((violation) => violation.invariant)).toEqual([
      "durability"
    ])
  })

  test("acknowledged writes committed at the end, or compacted after being applied, pass", () => {
    const events = [
      applied(5, 1, 1, "put a=0"),
      acknowledged(0, "put a=0", 1),
      acknowledged(1, "put a=1", 2),
      acknowledged(2, "put b=1")
    ]
    const final = cluster(100, [
      replica(1, {
        log: logOf([1, 1, 1], { 2: "put a=1", 3: "put b=1" }).slice(1),
        compactedThrough: 1,
        commitIndex: 3
      })
    ])
    expect(checkDurability(events, final)).toEqual([])
  })
})

describe("exactly once", () => {
  test("a session command executed at two indexes on one replica is flagged", () => {
    // Arrange
    const events: Array<ModelEvent> = [
      { ...applied(10, 1, 3, "d3"), session: { clientId: "c1", sequence: 7, duplicate: false } } as ModelEvent,
      { ...applied(11, 1, 5, "d5"), session: { clientId: "c1", sequence: 7, duplicate: false } } as ModelEvent
    ]
    // Act
    const violations = checkExactlyOnce(events)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "exactly_once",
        evidence: { node: 1, clientId: "c1", sequence: 7, firstIndex: 3, firstAtMs: 10, secondIndex: 5 }
      })
    ])
  })

  test("a retry recognized as a duplicate, and re-application after a restart, pass", () => {
    const events: Array<ModelEvent> = [
      { ...applied(10, 1, 3, "d3"), session: { clientId: "c1", sequence: 7, duplicate: false } } as ModelEvent,
      { ...applied(11, 1, 5, "d5"), session: { clientId: "c1", sequence: 7, duplicate: true } } as ModelEvent,
      { _tag: "Restarted", atMs: 12, node: 1 },
      { ...applied(13, 1, 3, "d3"), session: { clientId: "c1", sequence: 7, duplicate: false } } as ModelEvent,
      { ...applied(13, 2, 3, "d3"), session: { clientId: "c1", sequence: 7, duplicate: false } } as ModelEvent
    ]
    expect(checkExactlyOnce(events)).toEqual([])
  })
})

describe("no corrupt record is applied", () => {
  test("a corrupt record reported applied is flagged", () => {
    const violations = checkNoCorruptRecordApplied([{ _tag: "CorruptRecordApplied", atMs: 40, node: 2, index: 9 }])
    expect(violations).toEqual([
      {
        invariant: "no_corrupt_record_applied",
        message: expect.stringContaining("index 9"),
        atMs: 40,
        evidence: { node: 2, index: 9 }
      }
    ])
  })

  test("ordinary applications pass", () => {
    expect(checkNoCorruptRecordApplied([applied(10, 1, 1, "d1")])).toEqual([])
  })
})
