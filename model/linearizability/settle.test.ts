/**
 * Settling unknown outcomes from ground truth: on generated histories (where the generator knows which timed-out
 * operations took effect, as the simulator knows from the applied logs) the raw check and the settled check
 * agree; with a planted impossible read, a raw history that is not linearizable stays so once settled.
 */
import { fc, test } from "@fast-check/vitest"
import { Either } from "effect"
import { describe, expect } from "vitest"
import type { KvCommand, KvResult } from "../kv/kv.ts"
import { kvSpec } from "../kv/kvSpec.ts"
import { checkHistory } from "./check.ts"
import { type Fate, runPlannedHistory } from "./generatedHistories.ts"
import type { HistoryEvent } from "./history.ts"
import { checkSettledHistory } from "./settle.ts"

type KvEvent = HistoryEvent<KvCommand, KvResult>

const keys = ["a", "b"]
const values = ["0", "1", "2"]
const budget = { maxSteps: 2_000_000 }

const commandArbitrary: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({ _tag: fc.constant("Put" as const), key: fc.constantFrom(...keys), value: fc.constantFrom(...values) }),
  fc.record({ _tag: fc.constant("Get" as const), key: fc.constantFrom(...keys) }),
  fc.record({ _tag: fc.constant("Delete" as const), key: fc.constantFrom(...keys) }),
  fc.record({
    _tag: fc.constant("Cas" as const),
    key: fc.constantFrom(...keys),
    expected: fc.constantFrom(null, ...values),
    value: fc.constantFrom(...values)
  })
)

/** Timeouts are common here: they are what settling is about. */
const fateArbitrary: fc.Arbitrary<Fate> = fc.oneof(
  { weight: 4, arbitrary: fc.constant("completes" as const) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("times-out-after-effect" as const, "times-out-before-effect" as const, "fails" as const)
  }
)

const generatedArbitrary = fc
  .record({
    plan: fc.array(fc.record({ process: fc.nat({ max: 3 }), command: commandArbitrary, fate: fateArbitrary }), {
      minLength: 1,
      maxLength: 24
    }),
    schedule: fc.array(fc.nat({ max: 3 }), { maxLength: 90 })
  })
  .map(({ plan, schedule }) => runPlannedHistory(plan, schedule))

const unknownCount = (events: ReadonlyArray<KvEvent>): number =>
  events.filter((event) => event._tag === "Unknown").length

const completedGets = (events: ReadonlyArray<KvEvent>): Array<number> => {
  const pending = new Map<number, KvCommand>()
  const found: Array<number> = []
  events.forEach((event, index) => {
    if (event._tag === "Invoke") pending.set(event.process, event.input)
    else if (event._tag === "Ok" && pending.get(event.process)?._tag === "Get") found.push(index)
  })
  return found
}

describe("settling unknown outcomes from ground truth", () => {
  test.prop([generatedArbitrary], { numRuns: 300 })(
    "the raw and the settled check agree on generated histories, and every unknown outcome is settled",
    ({ events, truth }) => {
      // Act
      const raw = Either.getOrThrow(checkHistory(kvSpec, events, { budget }))
      const settled = Either.getOrThrow(checkSettledHistory(kvSpec, events, (id) => truth.get(id), { budget }))
      // Assert
      expect(raw.verdict).toBe("linearizable")
      expect(settled.verdict).toBe(raw.verdict)
      expect(settled.settled.stillUnknown).toBe(0)
      expect(settled.settled.applied + settled.settled.notApplied).toBe(unknownCount(events))
    }
  )

  test.prop([generatedArbitrary, fc.nat(), fc.constantFrom(...values, "never written")], { numRuns: 300 })(
    "a planted read that the raw check rejects is rejected once settled too",
    ({ events, truth }, choice, value) => {
      // Arrange: one Get reports some other value.
      const gets = completedGets(events)
      fc.pre(gets.length > 0)
      const target = gets[choice % gets.length]!
      const output: KvResult = { _tag: "Ok", value }
      const planted = events.map((event, index) =>
        index === target && event._tag === "Ok" ? { ...event, output } : event
      )
      // Act
      const raw = Either.getOrThrow(checkHistory(kvSpec, planted, { budget }))
      const settled = Either.getOrThrow(checkSettledHistory(kvSpec, planted, (id) => truth.get(id), { budget }))
      // Assert
      expect(raw.verdict).not.toBe("unknown")
      if (raw.verdict === "not linearizable") expect(settled.verdict).toBe("not linearizable")
    }
  )

  test("a timed-out write that the truth says was never applied cannot explain a read of its value", () => {
    // Arrange: put 1 timed out; a later read sees 1. Raw: fine (it may have taken effect). Truth: it never did.
    const events: Array<KvEvent> = [
      { _tag: "Invoke", process: 0, atTime: 0, input: { _tag: "Put", key: "a", value: "1" } },
      { _tag: "Unknown", process: 0, atTime: 1 },
      { _tag: "Invoke", process: 1, atTime: 2, input: { _tag: "Get", key: "a" } },
      { _tag: "Ok", process: 1, atTime: 3, output: { _tag: "Ok", value: "1" } }
    ]
    // Act
    const raw = Either.getOrThrow(checkHistory(kvSpec, events))
    const settled = Either.getOrThrow(checkSettledHistory(kvSpec, events, () => ({ _tag: "NotApplied" })))
    // Assert
    expect(raw.verdict).toBe("linearizable")
    expect(settled.verdict).toBe("not linearizable")
    expect(settled.settled).toEqual({ applied: 0, notApplied: 1, stillUnknown: 0 })
  })
})
