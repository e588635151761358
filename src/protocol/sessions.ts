/**
 * Client sessions (Raft thesis §6.3): each client numbers its commands; a command whose (clientId, sequence)
 * was already applied returns the recorded result instead of running again. The table is bounded and evicts
 * the least recently used session — the one whose last command has the lowest log index, so every replica evicts
 * the same one. An eviction order kept beside each table (evictionOrder.ts) names it without a scan (issue 13, F4).
 */
import { Map as PersistentMap } from "immutable"
import { assert } from "../assert.ts"
import { oldestKey, removeKey, touchKey, type EvictionOrder } from "../app/evictionOrder.ts"
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
  /** The table's sessions by the log index of their last command, oldest first. */
  readonly order: EvictionOrder<string>
  readonly evicted: EvictedSessions
  /** The tombstones by the log index of their eviction, oldest first. */
  readonly evictedOrder: EvictionOrder<string>
}

/** Remembers an evicted session; the tombstones are bounded like the table, oldest forgotten first. */
const bury = (
  sessions: Recorded,
  clientId: string,
  index: number,
  maxSessions: number
): Pick<Recorded, "evicted" | "evictedOrder"> => {
  const evicted = sessions.evicted.set(clientId, index)
  const evictedOrder = touchKey(sessions.evictedOrder, clientId)
  if (evicted.size <= maxSessions) return { evicted, evictedOrder }
  const forgotten = oldestKey(evictedOrder)
  assert(forgotten !== undefined, "a full tombstone table has an oldest tombstone")
  return { evicted: evicted.remove(forgotten), evictedOrder: removeKey(evictedOrder, forgotten) }
}

/** The session to evict: the least recently used, or (bug zoo) a replica-local choice. */
const victimOf = (sessions: Recorded, localEvictionSalt: number | undefined): string | undefined =>
  localEvictionSalt === undefined ? oldestKey(sessions.order) : pickLocally(sessions.table, localEvictionSalt)

export const record = (
  sessions: Recorded,
  session: Session,
  result: AppResult,
  index: number,
  maxSessions: number,
  /** Bug zoo: a replica-local choice of whom to evict, so replicas' tables diverge. */
  localEvictionSalt?: number
): Recorded => {
  const newest = sessions.order.newest === undefined ? undefined : sessions.table.get(sessions.order.newest)
  // Entries are applied in log order, so the session recorded now is the most recently used by log index too.
  assert(newest === undefined || newest.lastIndex < index, () => `session recorded at ${index} after a later one`)
  const entry = { lastSequence: session.sequence, lastResult: result, lastIndex: index }
  const reopened = sessions.evicted.has(session.clientId)
  const touched: Recorded = {
    table: sessions.table.set(session.clientId, entry),
    order: touchKey(sessions.order, session.clientId),
    evicted: reopened ? sessions.evicted.remove(session.clientId) : sessions.evicted,
    evictedOrder: reopened ? removeKey(sessions.evictedOrder, session.clientId) : sessions.evictedOrder
  }
  assert(touched.table.size === touched.order.links.size, "every session is in the eviction order")
  if (touched.table.size <= maxSessions) return touched
  const victim = victimOf(touched, localEvictionSalt)
  if (victim === undefined) return touched
  return {
    table: touched.table.remove(victim),
    order: removeKey(touched.order, victim),
    ...bury(touched, victim, index, maxSessions)
  }
}
