/**
 * The session table evicts exactly as the scanning rule it replaced (the session whose last command has the lowest
 * log index; tombstones forgotten by the index of their eviction), and finds the victim without walking the table
 * (issue 13, F4).
 */
import fc from "fast-check"
import { Map as PersistentMap } from "immutable"
import { describe, expect, it } from "vitest"
import type { AppResult } from "../app/machine.ts"
import { emptyEvictionOrder } from "../app/evictionOrder.ts"
import { countMapIterations } from "../app/mapIterations.ts"
import type { Session } from "./entry.ts"
import * as Sessions from "./sessions.ts"
import type { SessionRecord } from "./state.ts"

const result: AppResult = { _tag: "Kv", result: { _tag: "Deleted", existed: false } } as unknown as AppResult

const emptyRecorded: Sessions.Recorded = {
  table: PersistentMap(),
  order: emptyEvictionOrder(),
  evicted: PersistentMap(),
  evictedOrder: emptyEvictionOrder()
}

/** The rule as it was before the eviction order: scan for the lowest index (kept here as the reference). */
const oldestByScan = <Value>(map: PersistentMap<string, Value>, indexOf: (value: Value) => number): string => {
  let oldest: string | undefined
  for (const [key, value] of map)
    if (oldest === undefined || indexOf(value) < indexOf(map.get(oldest) as Value)) oldest = key
  return oldest as string
}

interface Reference {
  readonly table: PersistentMap<string, SessionRecord>
  readonly evicted: PersistentMap<string, number>
}

const recordByScan = (reference: Reference, session: Session, index: number, maxSessions: number): Reference => {
  const table = reference.table.set(session.clientId, {
    lastSequence: session.sequence,
    lastResult: result,
    lastIndex: index
  })
  const evicted = reference.evicted.remove(session.clientId)
  if (table.size <= maxSessions) return { table, evicted }
  const victim = oldestByScan(table, (record) => record.lastIndex)
  const buried = evicted.set(victim, index)
  const forgotten = buried.size > maxSessions ? oldestByScan(buried, (evictedAt) => evictedAt) : undefined
  return { table: table.remove(victim), evicted: forgotten === undefined ? buried : buried.remove(forgotten) }
}

const command = fc.record({
  clientId: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
  sequence: fc.integer({ min: 1, max: 4 })
})

describe("session table eviction", () => {
  it("decides and evicts exactly as the scanning rule, command by command", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 120 }), fc.integer({ min: 1, max: 5 }), (commands, maxSessions) => {
        // Arrange
        let recorded = emptyRecorded
        let reference: Reference = { table: PersistentMap(), evicted: PersistentMap() }
        commands.forEach((session, position) => {
          const index = position + 1
          // Act
          const decision = Sessions.decide(recorded.table, session, true, recorded.evicted)
          const expected = Sessions.decide(reference.table, session, true, reference.evicted)
          // Assert
          expect(decision._tag).toBe(expected._tag)
          if (decision._tag !== "Execute") return
          recorded = Sessions.record(recorded, session, result, index, maxSessions)
          reference = recordByScan(reference, session, index, maxSessions)
          expect(recorded.table.toJS()).toEqual(reference.table.toJS())
          expect(recorded.evicted.toJS()).toEqual(reference.evicted.toJS())
        })
      }),
      { numRuns: 300 }
    )
  })

  it("opens 5,000 sessions in a table of 64 without walking the table once", () => {
    // Arrange
    const maxSessions = 64
    // Act
    const { result: recorded, count } = countMapIterations(() => {
      let sessions = emptyRecorded
      for (let index = 1; index <= 5_000; index += 1)
        sessions = Sessions.record(sessions, { clientId: `client-${index}`, sequence: 1 }, result, index, maxSessions)
      return sessions
    })
    // Assert
    expect(count).toBe(0)
    expect(recorded.table.size).toBe(maxSessions)
    expect(recorded.table.has("client-5000")).toBe(true)
    expect(recorded.table.has("client-4936")).toBe(false)
    expect(recorded.evicted.size).toBe(maxSessions)
    expect(recorded.evicted.get("client-4936")).toBe(5_000)
  })
})
