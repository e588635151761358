/**
 * A replica's static configuration. Timing is in milliseconds of the host's clock; the defaults are etcd's
 * (100 ms heartbeats, 1 s election timeout).
 */
import type { NodeId } from "./entry.ts"
import type { BugName } from "./bugs.ts"
import { Data } from "effect"

export interface ReplicaConfig {
  readonly id: NodeId
  /** Every voting member, this replica included. */
  readonly voters: ReadonlyArray<NodeId>
  readonly heartbeatIntervalMs: number
  readonly electionTimeoutMinMs: number
  readonly electionTimeoutMaxMs: number
  /** The most entries one AppendEntries carries. */
  readonly maxEntriesPerMessage: number
  /**
   * The most bytes of encoded entries (their JSON) one AppendEntries carries, beyond its first entry: a batch
   * bounded by count alone grew to 25 MB with large values and never fit a peer frame (issue 13, F2).
   */
  readonly maxBytesPerMessage: number
  /** The largest encoded entry a proposal may make; larger ones are refused as EntryTooLarge. */
  readonly maxEntryBytes: number
  /** The most unacknowledged AppendEntries batches in flight to one follower (pipelining). */
  readonly maxInflightBatches: number
  /** Proposals beyond this many uncommitted entries are refused with Busy. */
  readonly maxUncommittedEntries: number
  readonly maxPendingReads: number
  /** The client session table's capacity; the least recently used session is evicted. */
  readonly maxSessions: number
  /**
   * The most committed entries one step applies; the replica asks for a Tick at once to apply the rest. A restarted
   * replica re-applies its whole log when it learns the commit index, and doing that in one step held a node's
   * event loop for seconds (issue 13, F4).
   */
  readonly maxAppliedEntriesPerStep: number
  /** Seeds the replica's own PRNG for election timeouts. */
  readonly randomSeed: number
  /**
   * Test-only deliberate protocol bugs (the bug zoo). Empty in every real deployment: the node's command
   * line has no way to set it.
   */
  readonly bugs: ReadonlySet<BugName>
}

export interface ReplicaConfigOptions {
  readonly id: NodeId
  readonly voters: ReadonlyArray<NodeId>
  readonly randomSeed?: number
  readonly heartbeatIntervalMs?: number
  readonly electionTimeoutMinMs?: number
  readonly electionTimeoutMaxMs?: number
  readonly maxEntriesPerMessage?: number
  readonly maxBytesPerMessage?: number
  readonly maxEntryBytes?: number
  readonly maxInflightBatches?: number
  readonly maxUncommittedEntries?: number
  readonly maxPendingReads?: number
  readonly maxSessions?: number
  readonly maxAppliedEntriesPerStep?: number
  readonly bugs?: ReadonlySet<BugName>
}

/**
 * 1 MiB of entries per AppendEntries: a host's frame (8 MiB on the node) holds a whole message with room to spare.
 * Entries up to 1 MiB less 4 KiB: one fits a WAL record (1 MiB of payload) with its record's own JSON around it.
 */
export const maxBytesPerMessageDefault = 1024 * 1024
export const maxEntryBytesDefault = 1024 * 1024 - 4096

/** A replica configuration that breaks its own bounds; `problem` says which. */
class ReplicaConfigInvalid extends Data.TaggedError("ReplicaConfigInvalid")<{ readonly problem: string }> {
  override get message(): string {
    return `invalid replica configuration: ${this.problem}`
  }
}

export const makeReplicaConfig = (options: ReplicaConfigOptions): ReplicaConfig => {
  const config: ReplicaConfig = {
    id: options.id,
    voters: [...options.voters].sort((left, right) => left - right),
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100,
    electionTimeoutMinMs: options.electionTimeoutMinMs ?? 1000,
    electionTimeoutMaxMs: options.electionTimeoutMaxMs ?? 2000,
    maxEntriesPerMessage: options.maxEntriesPerMessage ?? 64,
    maxBytesPerMessage: options.maxBytesPerMessage ?? maxBytesPerMessageDefault,
    maxEntryBytes: options.maxEntryBytes ?? maxEntryBytesDefault,
    maxInflightBatches: options.maxInflightBatches ?? 8,
    maxUncommittedEntries: options.maxUncommittedEntries ?? 4096,
    maxPendingReads: options.maxPendingReads ?? 4096,
    maxSessions: options.maxSessions ?? 1024,
    maxAppliedEntriesPerStep: options.maxAppliedEntriesPerStep ?? 1024,
    randomSeed: options.randomSeed ?? options.id,
    bugs: options.bugs ?? new Set()
  }
  const problem = checkReplicaConfig(config)
  if (problem !== undefined) throw new ReplicaConfigInvalid({ problem })
  return config
}

/** A reason a person can act on, or undefined when the configuration is usable. */
export const checkReplicaConfig = (config: ReplicaConfig): string | undefined => {
  if (!config.voters.includes(config.id)) return `voters ${config.voters.join(",")} should include id ${config.id}`
  if (new Set(config.voters).size !== config.voters.length) return "voters should not repeat"
  if (config.voters.length < 1 || config.voters.length > 9) return "voters should number 1 to 9"
  if (!(config.heartbeatIntervalMs >= 1)) return "heartbeatIntervalMs should be at least 1"
  if (!(config.electionTimeoutMinMs > config.heartbeatIntervalMs)) {
    return "electionTimeoutMinMs should be greater than heartbeatIntervalMs"
  }
  if (!(config.electionTimeoutMaxMs >= config.electionTimeoutMinMs)) {
    return "electionTimeoutMaxMs should be at least electionTimeoutMinMs"
  }
  if (!(config.maxEntriesPerMessage >= 1)) return "maxEntriesPerMessage should be at least 1"
  if (!(config.maxEntryBytes >= 256)) return "maxEntryBytes should be at least 256"
  if (!(config.maxBytesPerMessage >= config.maxEntryBytes)) {
    return "maxBytesPerMessage should be at least maxEntryBytes, so that every entry fits a message"
  }
  if (!(config.maxInflightBatches >= 1)) return "maxInflightBatches should be at least 1"
  if (!(config.maxUncommittedEntries >= 1)) return "maxUncommittedEntries should be at least 1"
  if (!(config.maxPendingReads >= 1)) return "maxPendingReads should be at least 1"
  if (!(config.maxSessions >= 1)) return "maxSessions should be at least 1"
  if (!(config.maxAppliedEntriesPerStep >= 1)) return "maxAppliedEntriesPerStep should be at least 1"
  return undefined
}

export const quorumSize = (config: ReplicaConfig): number =>
  config.bugs.has("quorumOfF")
    ? Math.max(1, Math.floor(config.voters.length / 2))
    : Math.floor(config.voters.length / 2) + 1
