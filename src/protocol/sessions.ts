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

export type SessionDecision =
  | { readonly _tag: "Execute" }
  /** Already applied: the first result, and the index where the command took effect. */
  | { readonly _tag: "Duplicate"; readonly result: AppResult; readonly index: number }
  /** The session is unknown (evicted) or the sequence is older than its last: never re-executed. */
  | { readonly _tag: "Expired" }

export const decide = (table: SessionTable, session: Session, deduplicate = true): SessionDecision => {
  if (!deduplicate) return { _tag: "Execute" }
  const record = HashMap.get(table, session.clientId)
  if (Option.isNone(record)) return session.sequence === 1 ? { _tag: "Execute" } : { _tag: "Expired" }
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

const leastRecentlyUsed = (table: SessionTable): string | undefined => {
  let oldestClientId: string | undefined
  let oldestIndex = Number.POSITIVE_INFINITY
  for (const [clientId, record] of table) {
    if (record.lastIndex < oldestIndex) {
      oldestIndex = record.lastIndex
      oldestClientId = clientId
    }
  }
  return oldestClientId
}

const pickLocally = (table: SessionTable, salt: number): string | undefined => {
  const clientIds = [...HashMap.keys(table)].sort()
  return clientIds[salt % clientIds.length]
}

export const record = (
  table: SessionTable,
  session: Session,
  result: AppResult,
  index: number,
  maxSessions: number,
  /** Bug zoo: a replica-local choice of whom to evict, so replicas' tables diverge. */
  localEvictionSalt?: number
): SessionTable => {
  const updated = HashMap.set(table, session.clientId, { lastSequence: session.sequence, lastResult: result, lastIndex: index })
  if (HashMap.size(updated) <= maxSessions) return updated
  const evicted = localEvictionSalt === undefined ? leastRecentlyUsed(updated) : pickLocally(updated, localEvictionSalt)
  return evicted === undefined ? updated : HashMap.remove(updated, evicted)
}
