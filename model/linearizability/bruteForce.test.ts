/**
 * The checker agrees with a brute-force oracle on small random histories, linearizable or not: the oracle tries
 * every order that respects real time (operations with unknown outcomes may also be left out), so a checker
 * shortcut that wrongly accepts or rejects a history shows up here.
 */
import { fc, test } from "@fast-check/vitest"
import { Either } from "effect"
import { describe, expect } from "vitest"
import { applyKv, emptyKvStore, type KvCommand, type KvResult, kvResultsEqual, type KvStore } from "../kv/kv.ts"
import { kvSpec } from "../kv/kvSpec.ts"
import { checkHistory } from "./check.ts"
import { type HistoryEvent, type Operation, operationsFromEvents } from "./history.ts"
import { isUnknownOutput } from "./spec.ts"

type KvOperation = Operation<KvCommand, KvResult>

const bruteForceLinearizable = (operations: ReadonlyArray<KvOperation>): boolean => {
  const search = (remaining: ReadonlyArray<KvOperation>, store: KvStore): boolean => {
    if (remaining.every((operation) => isUnknownOutput(operation.output))) return true
    return remaining.some((candidate) => {
      // Real time: nothing may go before an operation that returned before it was called.
      if (remaining.some((other) => other.returnTime < candidate.callTime)) return false
      const step = applyKv(store, candidate.input)
      if (!isUnknownOutput(candidate.output) && !kvResultsEqual(step.result, candidate.output)) return false
      return search(
        remaining.filter((operation) => operation !== candidate),
        step.store
      )
    })
  }
  return search(operations, emptyKvStore)
}

const value = fc.constantFrom("0", "1")
const commandArbitrary: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({ _tag: fc.constant("Put" as const), key: fc.constant("a"), value }),
  fc.record({ _tag: fc.constant("Get" as const), key: fc.constant("a") }),
  fc.record({ _tag: fc.constant("Delete" as const), key: fc.constant("a") }),
  fc.record({
    _tag: fc.constant("Cas" as const),
    key: fc.constant("a"),
    expected: fc.constantFrom(null, "0", "1"),
    value
  })
)
const resultArbitrary: fc.Arbitrary<KvResult | "unknown" | "fail"> = fc.oneof(
  fc.constantFrom<KvResult>({ _tag: "Ok", value: null }, { _tag: "NotFound" }),
  fc.record({ _tag: fc.constant("Ok" as const), value }),
  fc.record({ _tag: fc.constant("CasMismatch" as const), current: fc.constantFrom(null, "0", "1") }),
  fc.constantFrom("unknown" as const, "fail" as const)
)

/** Random operations with random results, interleaved by a random schedule of "next event of process p". */
const randomHistoryArbitrary = fc
  .record({
    operations: fc.array(
      fc.record({ process: fc.nat({ max: 2 }), command: commandArbitrary, result: resultArbitrary }),
      { minLength: 1, maxLength: 7 }
    ),
    schedule: fc.array(fc.nat({ max: 2 }), { maxLength: 20 })
  })
  .map(({ operations, schedule }) => {
    const events: Array<HistoryEvent<KvCommand, KvResult>> = []
    const queues = [0, 1, 2].map((process) => operations.filter((operation) => operation.process === process))
    const open = new Map<number, KvResult | "unknown" | "fail">()
    const advance = (process: number) => {
      const atTime = events.length
      const result = open.get(process)
      if (result === undefined) {
        const next = queues[process]!.shift()
        if (next === undefined) return
        open.set(process, next.result)
        events.push({ _tag: "Invoke", process, atTime, input: next.command })
        return
      }
      open.delete(process)
      if (result === "unknown") events.push({ _tag: "Unknown", process, atTime })
      else if (result === "fail") events.push({ _tag: "Fail", process, atTime })
      else events.push({ _tag: "Ok", process, atTime, output: result })
    }
    for (const process of schedule) advance(process)
    for (const process of [0, 1, 2]) while (open.has(process) || queues[process]!.length > 0) advance(process)
    return events
  })

describe("the checker against a brute-force oracle", () => {
  test.prop([randomHistoryArbitrary], { numRuns: 1000 })("both give the same verdict", (events) => {
    // Arrange
    const operations = Either.getOrThrow(operationsFromEvents(events))
    // Act
    const verdict = Either.getOrThrow(checkHistory(kvSpec, events)).verdict
    // Assert
    expect(verdict).toBe(bruteForceLinearizable(operations) ? "linearizable" : "not linearizable")
  })
})
