/**
 * Properties of the checker itself: histories produced by running the sequential spec are always linearizable,
 * and the same histories with one result made impossible (a value nobody ever wrote) never are.
 */
import { fc, test } from "@fast-check/vitest"
import { Either } from "effect"
import { describe, expect } from "vitest"
import type { KvCommand, KvResult } from "../kv/kv.ts"
import { kvSpec } from "../kv/kvSpec.ts"
import { checkHistory } from "./check.ts"
import { type Fate, type PlannedOperation, runPlannedHistory } from "./generatedHistories.ts"
import type { HistoryEvent } from "./history.ts"

const keys = ["a", "b"]
const values = ["0", "1", "2"]
/** No generated command writes this, so no order can make a read return it. */
const neverWritten = "never written"

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

const fateArbitrary: fc.Arbitrary<Fate> = fc.oneof(
  { weight: 8, arbitrary: fc.constant("completes" as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("times-out-after-effect" as const, "times-out-before-effect" as const, "fails" as const)
  }
)

const processCount = 4

const historyArbitrary = fc
  .record({
    plan: fc.array(
      fc.record({ process: fc.nat({ max: processCount - 1 }), command: commandArbitrary, fate: fateArbitrary }),
      { minLength: 1, maxLength: 24 }
    ),
    schedule: fc.array(fc.nat({ max: processCount - 1 }), { maxLength: 90 })
  })
  .map(({ plan, schedule }) => {
    // A final read of each key by a fresh process, after everything else: every history has reads to corrupt.
    const finalReads: Array<PlannedOperation> = keys.map((key) => ({
      process: processCount,
      command: { _tag: "Get", key },
      fate: "completes"
    }))
    return runPlannedHistory([...plan, ...finalReads], schedule).events
  })

type KvEvent = HistoryEvent<KvCommand, KvResult>

/** Indexes of completions whose result can be made impossible: a successful Get, or a Cas mismatch. */
const corruptibleCompletions = (
  events: ReadonlyArray<KvEvent>
): Array<{ readonly eventIndex: number; readonly key: string }> => {
  const pendingCommand = new Map<number, KvCommand>()
  const found: Array<{ eventIndex: number; key: string }> = []
  events.forEach((event, eventIndex) => {
    if (event._tag === "Invoke") pendingCommand.set(event.process, event.input)
    else if (event._tag === "Ok") {
      const command = pendingCommand.get(event.process)!
      if (command._tag === "Get" || (command._tag === "Cas" && event.output._tag === "CasMismatch"))
        found.push({ eventIndex, key: command.key })
    }
  })
  return found
}

const corrupt = (event: KvEvent): KvEvent => {
  if (event._tag !== "Ok") return event
  const output: KvResult =
    event.output._tag === "CasMismatch"
      ? { _tag: "CasMismatch", current: neverWritten }
      : { _tag: "Ok", value: neverWritten }
  return { ...event, output }
}

const budget = { maxSteps: 2_000_000 }

describe("the checker on generated kv histories", () => {
  test.prop([historyArbitrary], { numRuns: 300 })(
    "a history produced by the sequential spec is linearizable",
    (events) => {
      // Act
      const result = Either.getOrThrow(checkHistory(kvSpec, events, { budget }))
      // Assert
      expect(result.verdict).toBe("linearizable")
    }
  )

  test.prop([historyArbitrary, fc.nat()], { numRuns: 300 })(
    "one result that no order explains makes it not linearizable",
    (events, choice) => {
      // Arrange: a Get (or a Cas mismatch) reports a value that no command ever wrote.
      const candidates = corruptibleCompletions(events)
      const target = candidates[choice % candidates.length]!
      const corrupted = events.map((event, index) => (index === target.eventIndex ? corrupt(event) : event))
      // Act
      const result = Either.getOrThrow(checkHistory(kvSpec, corrupted, { budget }))
      // Assert
      expect(result.verdict).toBe("not linearizable")
      expect(result.explanation?.partition).toBe(target.key)
      expect(result.explanation?.text).toContain(JSON.stringify(neverWritten))
    }
  )
})
