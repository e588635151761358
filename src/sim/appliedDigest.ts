/**
 * A digest of one replica's applied state, for model/'s state_machine_determinism: replicas at the same
 * lastApplied must agree on it. Cheap by construction: a rolling hash over (index, executed) of each applied
 * entry — the state machine is deterministic, so the same commands executed in the same order give the same
 * state — and an order-independent hash of the session table, recomputed only when the table changes. The
 * session table is where replica-local decisions would hide (which session to evict decides whether a retry
 * executes later), so it is hashed itself rather than trusted to show up in a later execution.
 */
import type { ReplicaState } from "../protocol/state.ts"
import { assert } from "../assert.ts"

/** Two independent 32-bit lanes (a 64-bit digest): a false alarm over a whole campaign stays negligible. */
const mix = (hash: number, value: number, multiplier: number): number => {
  const mixed = Math.imul(hash ^ value, multiplier)
  return (mixed ^ (mixed >>> 15)) | 0
}

const stringHash = (text: string, seed: number): number => {
  let hash = seed
  for (let position = 0; position < text.length; position += 1)
    hash = Math.imul(hash ^ text.charCodeAt(position), 0x01000193)
  return hash | 0
}

const hex = (value: number): string => (value >>> 0).toString(16).padStart(8, "0")

export class AppliedStateDigest {
  private executedLow = 0x2545f491
  private executedHigh = 0x6a09e667
  private lastIndex = 0
  private sessions: ReplicaState["sessions"] | undefined
  private sessionsDigest = ""
  /** The last digest given, until an entry is applied or the session table changes. */
  private formatted: string | undefined

  /** Folds in one applied entry; entries arrive in index order from 1 (a restart starts a fresh digest). */
  applied(index: number, executed: boolean): void {
    assert(index === this.lastIndex + 1, () => `entries are applied in index order: ${index} after ${this.lastIndex}`)
    this.lastIndex = index
    const value = index * 2 + (executed ? 1 : 0)
    this.executedLow = mix(this.executedLow, value, 0x2c1b3c6d)
    this.executedHigh = mix(this.executedHigh, value, 0x297a2d39)
    this.formatted = undefined
  }

  /** The digest of the state at state.lastApplied, which must be the last entry folded in. */
  of(state: ReplicaState): string {
    assert(
      state.lastApplied === this.lastIndex,
      () => `the digest saw every applied entry: the replica applied ${state.lastApplied}, the digest ${this.lastIndex}`
    )
    if (state.sessions !== this.sessions) {
      this.sessions = state.sessions
      this.sessionsDigest = sessionTableDigest(state.sessions)
      this.formatted = undefined
    }
    this.formatted ??= `${hex(this.executedHigh)}${hex(this.executedLow)}/${this.sessionsDigest}`
    return this.formatted
  }
}

/** A sum over sessions (the table's iteration order does not matter) of (client, last sequence). */
const sessionTableDigest = (sessions: ReplicaState["sessions"]): string => {
  let low = sessions.size
  let high = low
  for (const [clientId, record] of sessions) {
    low = (low + mix(stringHash(clientId, 0x811c9dc5), record.lastSequence, 0x2c1b3c6d)) | 0
    high = (high + mix(stringHash(clientId, 0x050c5d1f), record.lastSequence, 0x297a2d39)) | 0
  }
  return `${hex(high)}${hex(low)}`
}
