/**
 * Client sessions (Raft thesis §6.3): each client numbers its commands; a command whose (clientId, sequence)
 * was already applied returns the recorded result instead of running again. The table is bounded and evicts
 * the least recently used session — by log index, so every replica evicts the same one.
 */
import { HashMap, Option } from "effect"
import type { AppResult } from "../app/machine.ts"
import type { Session } from "./entry.ts"
import type { SessionRecord } from "./state.ts"

export type SessionTable = HashMap.HashMap<string, SessionRecord>
export type EvictedSessions = HashMap.HashMap<string, number>

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
  evicted: EvictedSessions = HashMap.empty()
): SessionDecision => {
  if (!deduplicate) return { _tag: "Execute" }
  const record = HashMap.get(table, session.clientId)
  if (Option.isNone(record)) {
    // A first command (sequence 1) opens a session, unless this session was evicted not long ago: then it may
    // be a retry of a command that already ran.
    return session.sequence === 1 && !HashMap.has(evicted, session.clientId) ? { _tag: "Execute" } : { _tag: "Expired" }
  }
  if (session.sequence === record.value.lastSequence) return { _tag: "Duplicate", result: record.value.lastResult, index: record.value.lastIndex }
  if (session.sequence < record.value.lastSequence) return { _tag: "Expired" }
  return { _tag: "Execute" }
}

/** A retried command's recorded result and the log index it was applied at (what its first reply named). */
export const lookup = (
  table: SessionTable,
  session: Session,
  deduplicate = true
): { readonly result: AppResult; readonly index: number } | undefined => {
  if (!deduplicate) return undefined
  const record = HashMap.get(table, session.clientId)
  if (Option.isNone(record) || record.value.lastSequence !== session.sequence) return undefined
  return { result: record.value.lastResult, index: record.value.lastIndex }
}

const pickLocally = (table: SessionTable, salt: number): string | undefined => {
  const clientIds = [...HashMap.keys(table)].sort()
  return clientIds[salt % clientIds.length]
}

export interface Recorded {
  readonly table: SessionTable
  readonly evicted: EvictedSessions
}

/** The oldest entry by the number each maps to (the log index), or undefined for an empty map. */
const oldestBy = <Value>(map: HashMap.HashMap<string, Value>, indexOf: (value: Value) => number): string | undefined => {
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
  const buried = HashMap.set(evicted, clientId, index)
  if (HashMap.size(buried) <= maxSessions) return buried
  const forgotten = oldestBy(buried, (evictedAt) => evictedAt)
  return forgotten === undefined ? buried : HashMap.remove(buried, forgotten)
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
  const table = HashMap.set(sessions.table, session.clientId, entry)
  const evicted = HashMap.has(sessions.evicted, session.clientId) ? HashMap.remove(sessions.evicted, session.clientId) : sessions.evicted
  if (HashMap.size(table) <= maxSessions) return { table, evicted }
  const victim = localEvictionSalt === undefined ? oldestBy(table, (value) => value.lastIndex) : pickLocally(table, localEvictionSalt)
  if (victim === undefined) return { table, evicted }
  return { table: HashMap.remove(table, victim), evicted: bury(evicted, victim, index, maxSessions) }
}
