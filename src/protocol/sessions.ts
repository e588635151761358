/**
 * Client sessions (Raft thesis §6.3): each client numbers its commands; a command whose (clientId, sequence)
 * was already applied returns the recorded result instead of running again. The table is bounded and evicts
 * the least recently used session — by log index, so every replica evicts the same one.
 */
import { Map as PersistentMap } from "immutable"
import type { AppResult } from "../app/machine.ts"
import type { Session } from "./entry.ts"
import type { SessionRecord } from "./state.ts"

export type SessionTable = PersistentMap<string, SessionRecord>
export type EvictedSessions = PersistentMap<string, number>

export type SessionDecision =
  | { readonly _tag: "Execute" }
  /** Already applied: the first result, and the index where the command took effect. */
  | { readonly _tag: "Duplicate"; readonly result: AppResult; readonly index: number }
  /** The session is unknown (evicted) or the sequence is older than its last: never re-executed. */
  | { readonly _tag: "Expired" }

export const decide = (
  table: SessionTable,
  session: Session,
  deduplicate = true,
  evicted: EvictedSessions = PersistentMap()
): SessionDecision => {
  if (!deduplicate) return { _tag: "Execute" }
  const record = table.get(session.clientId)
  if (record === undefined) {
    // A first command (sequence 1) opens a session, unless this session was evicted not long ago: then it may
    // be a retry of a command that already ran.
    return session.sequence === 1 && !evicted.has(session.clientId) ? { _tag: "Execute" } : { _tag: "Expired" }
  }
  if (session.sequence === record.lastSequence)
    return { _tag: "Duplicate", result: record.lastResult, index: record.lastIndex }
  if (session.sequence < record.lastSequence) return { _tag: "Expired" }
  return { _tag: "Execute" }
}

/** A retried command's recorded result and the log index it was applied at (what its first reply named). */
export const lookup = (
  table: SessionTable,
  session: Session,
  deduplicate = true
): { readonly result: AppResult; readonly index: number } | undefined => {
  if (!deduplicate) return undefined
  const record = table.get(session.clientId)
  if (record === undefined || record.lastSequence !== session.sequence) return undefined
  return { result: record.lastResult, index: record.lastIndex }
}

const pickLocally = (table: SessionTable, salt: number): string | undefined => {
  const clientIds = [...table.keys()].sort()
  return clientIds[salt % clientIds.length]
}

export interface Recorded {
  readonly table: SessionTable
  readonly evicted: EvictedSessions
}

/** The oldest entry by the number each maps to (the log index), or undefined for an empty map. */
const oldestBy = <Value>(map: PersistentMap<string, Value>, indexOf: (value: Value) => number): string | undefined => {
  let oldestKey: string | undefined
  let oldestIndex = Number.POSITIVE_INFINITY
  for (const [key, value] of map) {
    if (indexOf(value) < oldestIndex) {
      oldestIndex = indexOf(value)
      oldestKey = key
    }
  }
  return oldestKey
}

/** Remembers an evicted session; the tombstones are bounded like the table, oldest forgotten first. */
const bury = (evicted: EvictedSessions, clientId: string, index: number, maxSessions: number): EvictedSessions => {
  const buried = evicted.set(clientId, index)
  if (buried.size <= maxSessions) return buried
  const forgotten = oldestBy(buried, (evictedAt) => evictedAt)
  return forgotten === undefined ? buried : buried.remove(forgotten)
}

export const record = (
  sessions: Recorded,
  session: Session,
  result: AppResult,
  index: number,
  maxSessions: number,
  /** Bug zoo: a replica-local choice of whom to evict, so replicas' tables diverge. */
  localEvictionSalt?: number
): Recorded => {
  const entry = { lastSequence: session.sequence, lastResult: result, lastIndex: index }
  const table = sessions.table.set(session.clientId, entry)
  const evicted = sessions.evicted.has(session.clientId) ? sessions.evicted.remove(session.clientId) : sessions.evicted
  if (table.size <= maxSessions) return { table, evicted }
  const victim =
    localEvictionSalt === undefined
      ? oldestBy(table, (value) => value.lastIndex)
      : pickLocally(table, localEvictionSalt)
  if (victim === undefined) return { table, evicted }
  return { table: table.remove(victim), evicted: bury(evicted, victim, index, maxSessions) }
}
