/**
 * Everything a replica knows, as one immutable value. The replica holds no hidden state: the host keeps the
 * latest ReplicaState and passes it back in with the next input.
 */
import { Map as PersistentMap } from "immutable"
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus"
import { emptyAppState, type AppQuery, type AppResult, type AppState } from "../app/machine.ts"
import { emptyEvictionOrder, type EvictionOrder } from "../app/evictionOrder.ts"
import type { ReplicaConfig } from "./config.ts"
import type { Entry, HardState, NodeId } from "./entry.ts"
import type { Output, RequestId, Role } from "./io.ts"
import { fromEntries, type Log } from "./log.ts"
import type { Rejection, RejectionCounts } from "./rejection.ts"
import { assert } from "../assert.ts"

/** A follower as the leader tracks it (etcd-raft's Progress). */
export interface Progress {
  readonly node: NodeId
  readonly nextIndex: number
  readonly matchIndex: number
  /** probe: one AppendEntries at a time until the logs match; replicate: pipelined batches. */
  readonly mode: "probe" | "replicate"
  /** Unacknowledged batches: the last index each carried and when it was sent. */
  readonly inflight: ReadonlyArray<{ readonly lastIndex: number; readonly sentAtMs: number }>
  /** Heard from since the last CheckQuorum round. */
  readonly recentlyActive: boolean
  /** The highest ReadIndex context this follower has acknowledged in the current term. */
  readonly readContextAcknowledged: number
}

export interface PendingRead {
  readonly requestId: RequestId
  readonly query: AppQuery
  readonly context: number
  /** Set once leadership is confirmed: the commit index the read must wait for. */
  readonly readIndex: number | null
}

export interface LeaderState {
  readonly progress: ReadonlyArray<Progress>
  /** Client requests waiting for their entry to be applied, by log index. */
  readonly proposals: ReadonlyArray<{ readonly index: number; readonly requestId: RequestId }>
  readonly reads: ReadonlyArray<PendingRead>
  readonly nextReadContext: number
  readonly checkQuorumDeadlineMs: number
  /** The no-op appended on election: nothing of an earlier term commits before it does (§5.4.2). */
  readonly termStartIndex: number
}

export interface SessionRecord {
  readonly lastSequence: number
  readonly lastResult: AppResult
  /** The log index of the session's last command: the least recently used session is evicted first. */
  readonly lastIndex: number
}

export interface PendingIo {
  readonly ioId: number
  /** The log's last index once this write is on disk. */
  readonly lastIndexAfter: number
  /** Messages that may leave only after this write is durable. */
  readonly release: ReadonlyArray<Output>
}

export interface ReplicaStats {
  readonly leaderChanges: number
  readonly electionsStarted: number
  readonly messagesReceived: number
  /** Inputs refused, by reason (rejection.ts); nothing refused changed replicated state. */
  readonly rejections: RejectionCounts
  /** The latest refusal whole, for /status and reports: what was refused, from whom, and why. */
  readonly lastRejection: Rejection | null
}

export interface ReplicaState {
  readonly role: Role
  readonly term: number
  readonly votedFor: NodeId | null
  readonly leader: NodeId | null
  readonly log: Log
  readonly commitIndex: number
  readonly lastApplied: number
  readonly app: AppState
  readonly sessions: PersistentMap<string, SessionRecord>
  /**
   * Sessions evicted recently, by the log index of their eviction (at most as many as the table holds): a
   * retry from one of them — even of its first command — is refused as expired, never run again.
   */
  readonly evictedSessions: PersistentMap<string, number>
  /** `sessions` from the least to the most recently used (by log index): the next to evict first. */
  readonly sessionOrder: EvictionOrder<string>
  /** `evictedSessions` by the index of their eviction: the first tombstone forgotten first. */
  readonly evictedSessionOrder: EvictionOrder<string>
  readonly nowMs: number
  readonly electionDeadlineMs: number
  readonly heartbeatDeadlineMs: number
  /** When this replica last heard from a leader of its term: PreVote and votes are refused within a lease. */
  readonly lastLeaderContactMs: number
  readonly votesGranted: ReadonlyArray<NodeId>
  readonly leaderState: LeaderState | null
  readonly nextIoId: number
  readonly pendingIo: ReadonlyArray<PendingIo>
  /** The last log index known to be on disk. */
  readonly durableIndex: number
  /**
   * The disk lost part of this replica's log to corruption: it does not know what it once acknowledged or
   * voted for, so it neither votes nor campaigns until a leader has brought it up to a commit of that
   * leader's own term.
   */
  readonly recovering: boolean
  readonly randomState: ReadonlyArray<number>
  readonly stats: ReplicaStats
}

export interface DurableState {
  readonly hardState: HardState
  readonly log: ReadonlyArray<Entry>
  /** The disk reported a damaged record in the middle of the log: the suffix after it was discarded. */
  readonly damaged: boolean
}

const emptyStats: ReplicaStats = {
  leaderChanges: 0,
  electionsStarted: 0,
  messagesReceived: 0,
  rejections: {},
  lastRejection: null
}

/**
 * A replica restarting from its disk: volatile state (commit index, applied state, sessions) is rebuilt by
 * re-applying entries as they commit again.
 */
export const recover = (config: ReplicaConfig, durable: DurableState): ReplicaState => {
  const log: Log = fromEntries(durable.log)
  for (let position = 0; position < durable.log.length; position += 1) {
    const index = (durable.log[position] as Entry).index
    // Per entry: checked before assert is called (assert.ts).
    if (index !== position + 1)
      assert(false, `a recovered log is contiguous from index 1: position ${position} holds ${index}`)
  }
  return {
    role: "follower",
    term: durable.hardState.term,
    votedFor: durable.hardState.votedFor,
    leader: null,
    log,
    commitIndex: 0,
    lastApplied: 0,
    app: emptyAppState,
    sessions: PersistentMap(),
    evictedSessions: PersistentMap(),
    sessionOrder: emptyEvictionOrder(),
    evictedSessionOrder: emptyEvictionOrder(),
    nowMs: 0,
    // The first Tick sets a real deadline; until then the replica has no notion of time.
    electionDeadlineMs: Number.POSITIVE_INFINITY,
    heartbeatDeadlineMs: Number.POSITIVE_INFINITY,
    lastLeaderContactMs: Number.NEGATIVE_INFINITY,
    votesGranted: [],
    leaderState: null,
    nextIoId: 1,
    pendingIo: [],
    durableIndex: durable.log.length,
    recovering: durable.damaged,
    randomState: xoroshiro128plus(config.randomSeed).getState(),
    stats: emptyStats
  }
}

export const initialState = (config: ReplicaConfig): ReplicaState =>
  recover(config, { hardState: { term: 0, votedFor: null }, log: [], damaged: false })
