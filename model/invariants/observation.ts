/**
 * What a host (the simulator, or the harness watching real nodes) tells the invariant checker. These are plain
 * data types of the model's own, so that model/ depends on neither src/protocol nor the hosts: each host adapts
 * its state to them.
 */

export type Role = "leader" | "candidate" | "precandidate" | "follower"

export interface LogEntryObservation {
  readonly index: number
  readonly term: number
  /** A stable string of the entry's payload (for example a hash of its encoded command). */
  readonly digest: string
}

/** One replica at one instant. */
export interface ReplicaObservation {
  readonly node: number
  readonly alive: boolean
  readonly role: Role
  readonly term: number
  readonly votedFor: number | null
  readonly commitIndex: number
  readonly lastApplied: number
  /**
   * The entries the replica holds, in index order; entries at or below `compactedThrough` may be missing. A host
   * may hand over the same array again after only appending to it (the simulator does, to avoid a copy per
   * step); any other change must come as a new array. Whole-log checks rely on this to re-check only what
   * changed since they last looked at the same array.
   */
  readonly log: ReadonlyArray<LogEntryObservation>
  /** Entries up to this index live in a snapshot and are not in `log` (0 or absent without a snapshot). */
  readonly compactedThrough?: number
  /** The hard state on the replica's disk. */
  readonly durable: { readonly term: number; readonly votedFor: number | null }
  /**
   * A stable string of the applied state at `lastApplied` (state machine and session table), when the host can
   * give one: replicas at the same `lastApplied` must agree on it (state_machine_determinism).
   */
  readonly appliedStateDigest?: string
}

export interface ClusterObservation {
  readonly atMs: number
  readonly replicas: ReadonlyArray<ReplicaObservation>
}

/** A client session's command: the unit of exactly-once. */
export interface SessionCommand {
  readonly clientId: string
  readonly sequence: number
}

/** Events the host reports as they happen. */
export type ModelEvent =
  /**
   * A replica applied an entry to its state machine. `session` names the client command it carried, and
   * `duplicate` says the application recognized it as a retry and did not execute it again.
   */
  | {
      readonly _tag: "Applied"
      readonly atMs: number
      readonly node: number
      readonly index: number
      readonly term: number
      readonly digest: string
      readonly session?: SessionCommand & { readonly duplicate: boolean }
    }
  /** A replica came back from a crash: its volatile state (commit index, applied index) may reset. */
  /**
   * `diskDamaged`: recovery found corruption and discarded part of the disk. Such a replica knows it may have
   * lost its vote and refuses to vote until repaired, so its durable state may legitimately go back.
   */
  | { readonly _tag: "Restarted"; readonly atMs: number; readonly node: number; readonly diskDamaged?: boolean }
  /** A host detected that a record which failed its checksum was applied anyway. */
  | { readonly _tag: "CorruptRecordApplied"; readonly atMs: number; readonly node: number; readonly index: number }
  /** A client sent a command (first attempt; retries keep the same session command). */
  | { readonly _tag: "ClientInvoked"; readonly atMs: number; readonly clientId: string; readonly sequence: number }
  /**
   * A client received a success reply. `write` is present for commands that change state: the digest of the
   * log entry that carries it, and its index when the reply names one.
   */
  | {
      readonly _tag: "ClientAcknowledged"
      readonly atMs: number
      readonly clientId: string
      readonly sequence: number
      readonly write: { readonly digest: string; readonly index?: number } | null
    }
  /** The client gave up or was told the command definitely failed; either way it is no longer pending. */
  | {
      readonly _tag: "ClientFailed"
      readonly atMs: number
      readonly clientId: string
      readonly sequence: number
      readonly reason: string
    }

/** The entry a replica holds at `index`, if it holds one (a binary search would do; logs are dense). */
export const entryAt = (replica: ReplicaObservation, index: number): LogEntryObservation | undefined => {
  const first = replica.log[0]
  if (first === undefined) return undefined
  const candidate = replica.log[index - first.index]
  return candidate?.index === index ? candidate : replica.log.find((entry) => entry.index === index)
}

export const isCompacted = (replica: ReplicaObservation, index: number): boolean =>
  index <= (replica.compactedThrough ?? 0)

/**
 * The position in `log` of its first entry after `index` (the log's length when there is none), so that a check
 * can resume where it stopped instead of at the head. Logs are dense, so that is one subtraction; a log with gaps
 * walks back to it.
 */
export const positionAfter = (log: ReadonlyArray<LogEntryObservation>, index: number): number => {
  const firstIndex = log[0]?.index ?? 1
  let position = Math.min(log.length, Math.max(0, index + 1 - firstIndex))
  while (position > 0 && log[position - 1]!.index > index) position--
  return position
}
