/**
 * The polynomial-time check for unique writes (uniqueWrites.ts) against the general search, on generated
 * histories (linearizable by construction, then with a planted stale or impossible read) and on random
 * histories with random results: the two must give the same verdict on every one.
 */
import { fc, test } from "@fast-check/vitest"
import { Either } from "effect"
import { describe, expect } from "vitest"
import type { KvCommand, KvResult } from "../kv/kv.ts"
import { kvSpec } from "../kv/kvSpec.ts"
import { checkHistory } from "./check.ts"
import { type Fate, runPlannedHistory } from "./generatedHistories.ts"
import type { HistoryEvent } from "./history.ts"

type KvEvent = HistoryEvent<KvCommand, KvResult>

const keys = ["a", "b"]
const budget = { maxSteps: 2_000_000 }

const fateArbitrary: fc.Arbitrary<Fate> = fc.oneof(
  { weight: 6, arbitrary: fc.constant("completes" as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("times-out-after-effect" as const, "times-out-before-effect" as const, "fails" as const)
  }
)

/** Puts and Gets; every Put writes a value of its own (its position in the plan). */
const planArbitrary = fc
  .array(
    fc.record({
      process: fc.nat({ max: 3 }),
      isPut: fc.boolean(),
      key: fc.constantFrom(...keys),
      fate: fateArbitrary
    }),
    { minLength: 1, maxLength: 30 }
  )
  .map((raw) =>
    raw.map(({ process, isPut, key, fate }, index) => ({
      process,
      fate,
      command: isPut ? ({ _tag: "Put", key, value: `v${index}` } as const) : ({ _tag: "Get", key } as const)
    }))
  )

/**
 * Times are coarsened by a random factor so that operations often touch at the same instant (then they count as
 * concurrent, which only relaxes the history: it stays linearizable).
 */
const generatedArbitrary = fc
  .record({
    plan: planArbitrary,
    schedule: fc.array(fc.nat({ max: 3 }), { maxLength: 120 }),
    coarsening: fc.integer({ min: 1, max: 4 })
  })
  .map(({ plan, schedule, coarsening }) =>
    runPlannedHistory(plan, schedule).events.map((event) => ({
      ...event,
      atTime: Math.floor(event.atTime / coarsening)
    }))
  )

/** Every completed Get: the reads a violation can be planted in. */
const completedGets = (events: ReadonlyArray<KvEvent>): Array<number> => {
  const pending = new Map<number, KvCommand>()
  const found: Array<number> = []
  events.forEach((event, index) => {
    if (event._tag === "Invoke") pending.set(event.process, event.input)
    else if (event._tag === "Ok" && pending.get(event.process)?._tag === "Get") found.push(index)
  })
  return found
}

/** Every value some Put wrote, and absence: what a planted read may return instead of what it saw. */
const readableResults = (events: ReadonlyArray<KvEvent>): Array<KvResult> => [
  { _tag: "NotFound" },
  { _tag: "Ok", value: "never written" },
  ...events.flatMap(
    (event): Array<KvResult> =>
      event._tag === "Invoke" && event.input._tag === "Put" ? [{ _tag: "Ok", value: event.input.value }] : []
  )
]

const verdicts = (events: ReadonlyArray<KvEvent>) => {
  const polynomial = Either.getOrThrow(checkHistory(kvSpec, events, { budget }))
  const search = Either.getOrThrow(checkHistory(kvSpec, events, { budget, polynomial: false }))
  return { polynomial, search }
}

/**
 * Random single-key histories: each operation its own process, call and return times from a small range (so
 * that many touch at the same instant), reads returning any written value or nothing, some writes unknown.
 */
const randomArbitrary = fc
  .array(
    fc.record({
      isPut: fc.boolean(),
      callTime: fc.nat({ max: 8 }),
      duration: fc.nat({ max: 3 }),
      unknown: fc.boolean(),
      readChoice: fc.nat()
    }),
    { minLength: 1, maxLength: 9 }
  )
  .map((raw) => {
    const puts = raw.flatMap((operation, index) => (operation.isPut ? [`v${index}`] : []))
    const events = raw.flatMap((operation, process): Array<KvEvent> => {
      const returnTime = operation.callTime + operation.duration
      if (operation.isPut) {
        const input = { _tag: "Put", key: "a", value: `v${process}` } as const
        return [
          { _tag: "Invoke", process, atTime: operation.callTime, input },
          operation.unknown
            ? { _tag: "Unknown", process, atTime: returnTime }
            : { _tag: "Ok", process, atTime: returnTime, output: { _tag: "Ok", value: null } }
        ]
      }
      const choice = operation.readChoice % (puts.length + 1)
      const output: KvResult = choice === puts.length ? { _tag: "NotFound" } : { _tag: "Ok", value: puts[choice]! }
      return [
        { _tag: "Invoke", process, atTime: operation.callTime, input: { _tag: "Get", key: "a" } },
        { _tag: "Ok", process, atTime: returnTime, output }
      ]
    })
    // Real-time order, invocations first at equal times (the order of events within an instant does not matter).
    return events.sort((left, right) => left.atTime - right.atTime || (left._tag === "Invoke" ? -1 : 1))
  })

describe("the unique-writes check agrees with the search", () => {
  test.prop([randomArbitrary], { numRuns: 2000 })("on random histories with random results", (events) => {
    // Act
    const { polynomial, search } = verdicts(events)
    // Assert
    expect(polynomial.polynomialPartitions).toBe(1)
    expect(polynomial.verdict).toBe(search.verdict)
  })

  test.prop([generatedArbitrary], { numRuns: 300 })("on histories produced by the sequential spec", (events) => {
    // Act
    const { polynomial, search } = verdicts(events)
    // Assert
    expect(polynomial.verdict).toBe("linearizable")
    expect(search.verdict).toBe("linearizable")
    expect(polynomial.polynomialPartitions).toBe(polynomial.partitions)
  })

  test.prop([generatedArbitrary, fc.nat(), fc.nat()], { numRuns: 500 })(
    "with one read planted to return another written value, an impossible one, or nothing",
    (events, readChoice, resultChoice) => {
      // Arrange
      const gets = completedGets(events)
      fc.pre(gets.length > 0)
      const target = gets[readChoice % gets.length]!
      const results = readableResults(events)
      const output = results[resultChoice % results.length]!
      const planted = events.map((event, index) =>
        index === target && event._tag === "Ok" ? { ...event, output } : event
      )
      // Act
      const { polynomial, search } = verdicts(planted)
      // Assert
      expect(search.verdict).not.toBe("unknown")
      expect(polynomial.verdict).toBe(search.verdict)
      if (polynomial.verdict === "not linearizable") expect(polynomial.explanation).not.toBeNull()
    }
  )

  test("a stale read after a newer write completed is caught by the zones", () => {
    // Arrange: put 1, put 2 (after it), then a read of 1 after put 2 returned.
    const events: Array<KvEvent> = [
      { _tag: "Invoke", process: 0, atTime: 0, input: { _tag: "Put", key: "a", value: "1" } },
      { _tag: "Ok", process: 0, atTime: 1, output: { _tag: "Ok", value: null } },
      { _tag: "Invoke", process: 0, atTime: 2, input: { _tag: "Put", key: "a", value: "2" } },
      { _tag: "Ok", process: 0, atTime: 3, output: { _tag: "Ok", value: null } },
      { _tag: "Invoke", process: 1, atTime: 4, input: { _tag: "Get", key: "a" } },
      { _tag: "Ok", process: 1, atTime: 5, output: { _tag: "Ok", value: "1" } }
    ]
    // Act
    const { polynomial, search } = verdicts(events)
    // Assert
    expect(polynomial.verdict).toBe("not linearizable")
    expect(polynomial.polynomialPartitions).toBe(1)
    expect(search.verdict).toBe("not linearizable")
  })
})
