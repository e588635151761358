/**
 * A client step may name the replica its request is sent to. The field is optional, so files written before it
 * existed still decode; a named replica must exist in the schedule's cluster, and the story says where it goes.
 */
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { checkSchedule } from "./check.ts"
import { describeStep } from "./describe.ts"
import { ClientStep, defaultProfile, Schedule, scheduleVersion, type Step } from "./schedule.ts"

const decodeStep = Schema.decodeUnknownEither(ClientStep)
const encodeStep = Schema.encodeSync(ClientStep)

const scheduleWith = (step: Step, replicas = 3): Schedule => ({
  version: scheduleVersion,
  replicas,
  seed: 1,
  profile: defaultProfile,
  limits: { simulatedMs: 10_000, events: 10_000 },
  steps: [step]
})

describe("ClientStep.replica", () => {
  it("decodes a step written before the field existed, with no replica", () => {
    // Arrange
    const old = { _tag: "Client", at: 2500, client: 0, op: { _tag: "Read", key: "k0" } }
    // Act
    const decoded = decodeStep(old)
    // Assert
    expect(Either.isRight(decoded)).toBe(true)
    if (Either.isRight(decoded)) expect("replica" in decoded.right).toBe(false)
  })

  it("decodes and encodes a step aimed at a replica unchanged", () => {
    // Arrange
    const aimed = { _tag: "Client", at: 2500, client: 1, op: { _tag: "Read", key: "k0" }, replica: 2 }
    // Act
    const decoded = decodeStep(aimed)
    // Assert
    expect(decoded).toEqual(Either.right(aimed))
    if (Either.isRight(decoded)) expect(encodeStep(decoded.right)).toEqual(aimed)
  })

  it("refuses a replica that no cluster can have, or that is not a whole number", () => {
    // Arrange
    const base = { _tag: "Client", at: 0, client: 0, op: { _tag: "Read", key: "k0" } }
    // Act / Assert
    for (const replica of [-1, 7, 1.5, "1"]) expect(Either.isLeft(decodeStep({ ...base, replica }))).toBe(true)
  })

  it("checkSchedule refuses a replica outside the schedule's cluster, naming the step", () => {
    // Arrange
    const step: Step = { _tag: "Client", at: 100, client: 0, op: { _tag: "Read", key: "k0" }, replica: 3 }
    // Act
    const refusal = checkSchedule(scheduleWith(step))
    // Assert
    expect(refusal).toBe('step 0 (at 100 ms: client 0 read("k0") at n3) names n3, but there are 3 replicas')
    expect(checkSchedule(scheduleWith(step, 4))).toBeUndefined()
  })

  it("tells where an aimed request goes, and says nothing more of an unaimed one", () => {
    // Arrange
    const unaimed: Step = { _tag: "Client", at: 100, client: 0, op: { _tag: "Put", key: "k0", value: "v1" } }
    // Act / Assert
    expect(describeStep({ ...unaimed, replica: 1 })).toBe('at 100 ms: client 0 put("k0", "v1") at n1')
    expect(describeStep(unaimed)).toBe('at 100 ms: client 0 put("k0", "v1")')
  })

  it("a whole schedule with an aimed step round-trips through its Schema", () => {
    // Arrange
    const schedule = scheduleWith({ _tag: "Client", at: 1, client: 0, op: { _tag: "Read", key: "k" }, replica: 0 })
    // Act
    const roundTrip = Schema.decodeUnknownSync(Schedule)(Schema.encodeSync(Schedule)(schedule))
    // Assert
    expect(roundTrip).toEqual(schedule)
  })
})
