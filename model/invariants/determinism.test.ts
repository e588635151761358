import { describe, expect, test } from "vitest"
import { cluster, replica } from "./fixtures.ts"
import { checkStateMachineDeterminism } from "./stateMachineDeterminism.ts"

describe("state machine determinism", () => {
  test("two replicas at the same applied index with different states are flagged", () => {
    // Arrange: node 1 reaches index 4 first; node 2 reaches it later with another session table.
    const observations = [
      cluster(10, [
        replica(1, { lastApplied: 4, appliedStateDigest: "a/s1" }),
        replica(2, { lastApplied: 3, appliedStateDigest: "b/s1" })
      ]),
      cluster(20, [
        replica(1, { lastApplied: 4, appliedStateDigest: "a/s1" }),
        replica(2, { lastApplied: 4, appliedStateDigest: "a/s2" })
      ])
    ]
    // Act
    const violations = checkStateMachineDeterminism(observations)
    // Assert
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: "state_machine_determinism",
        atMs: 20,
        evidence: expect.objectContaining({ index: 4 })
      })
    ])
  })

  test("replicas that agree at every index they share pass, whatever their pace", () => {
    const observations = [
      cluster(10, [
        replica(1, { lastApplied: 2, appliedStateDigest: "x" }),
        replica(2, { lastApplied: 1, appliedStateDigest: "w" })
      ]),
      cluster(20, [
        replica(1, { lastApplied: 3, appliedStateDigest: "y" }),
        replica(2, { lastApplied: 2, appliedStateDigest: "x" })
      ]),
      cluster(30, [
        replica(1, { lastApplied: 3, appliedStateDigest: "y" }),
        replica(2, { lastApplied: 3, appliedStateDigest: "y" })
      ])
    ]
    expect(checkStateMachineDeterminism(observations)).toEqual([])
  })

  test("a replica that is down, or gives no digest, is not compared", () => {
    const observations = [
      cluster(10, [
        replica(1, { lastApplied: 2, appliedStateDigest: "x" }),
        replica(2, { lastApplied: 2, appliedStateDigest: "z", alive: false }),
        replica(3, { lastApplied: 2 })
      ])
    ]
    expect(checkStateMachineDeterminism(observations)).toEqual([])
  })
})
