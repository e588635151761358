/**
 * The leader's side of replication (Raft §5.3, §5.4.2): pipelined AppendEntries with bounded batches and a
 * bounded window per follower, fast backtracking from conflict hints, commitment by counting replicas only
 * for entries of the current term, heartbeats, and CheckQuorum.
 */
import { applyCommitted } from "./apply.ts"
import { quorumSize } from "./config.ts"
import {
  assert,
  leaderOf,
  leaderView,
  progressDraft,
  reject,
  send,
  type Context,
  type ProgressDraft
} from "./context.ts"
import type { Entry, NodeId } from "./entry.ts"
import * as Log from "./log.ts"
import type { AppendEntriesResponse } from "./messages.ts"
import { confirmReads } from "./reads.ts"
import { Rejection } from "./rejection.ts"
import { becomeFollower } from "./roles.ts"
import type { Progress } from "./state.ts"

const noEntries: ReadonlyArray<Entry> = []

/** One AppendEntries to `node` with up to `maxEntries` entries from `nextIndex`; returns how many it carried. */
const sendBatch = (context: Context, node: NodeId, nextIndex: number, maxEntries: number): number => {
  const state = context.state
  const prevLogIndex = nextIndex - 1
  const prevLogTerm = Log.termAt(state.log, prevLogIndex)
  assert(prevLogTerm !== undefined, `the leader holds index ${prevLogIndex} (no snapshot transfer yet)`)
  const entries =
    maxEntries === 0
      ? noEntries
      : Log.entriesWithin(state.log, nextIndex, maxEntries, context.config.maxBytesPerMessage)
  send(context, node, {
    _tag: "AppendEntries",
    term: state.term,
    prevLogIndex,
    prevLogTerm,
    entries,
    leaderCommit: context.config.bugs.has("acceptInflatedCommit")
      ? state.commitIndex
      : Math.min(state.commitIndex, prevLogIndex + entries.length),
    readContext: leaderView(context).nextReadContext - 1
  })
  return entries.length
}

/** The follower's progress record, writable. */
const progressOf = (context: Context, node: NodeId): ProgressDraft => {
  const position = leaderOf(context).progress.findIndex((entry) => entry.node === node)
  assert(position >= 0, `node ${node} is a follower of this leader`)
  return progressDraft(context, position)
}

/**
 * Sends what the follower's window allows: one probe at a time until the logs match, then up to
 * maxInflightBatches pipelined batches. With `heartbeat`, sends at least one message: an empty AppendEntries
 * at the index known to match, which carries the commit index and the read context.
 */
export const replicateTo = (context: Context, node: NodeId, heartbeat: boolean): void => {
  const { maxInflightBatches, maxEntriesPerMessage } = context.config
  let sent = false
  const progress = progressOf(context, node)
  for (let batch = 0; batch < maxInflightBatches; batch += 1) {
    const window = progress.mode === "probe" ? 1 : maxInflightBatches
    if (progress.inflight.length >= window || progress.nextIndex > Log.lastIndex(context.state.log)) break
    const count = sendBatch(context, progress.node, progress.nextIndex, maxEntriesPerMessage)
    const lastSent = progress.nextIndex + count - 1
    sent = true
    // A probe keeps nextIndex until it is answered; a pipeline moves on optimistically.
    if (progress.mode === "replicate") progress.nextIndex = lastSent + 1
    progress.inflight = [...progress.inflight, { lastIndex: lastSent, sentAtMs: context.state.nowMs }]
  }
  if (heartbeat && !sent) sendBatch(context, node, progress.matchIndex + 1, 0)
}

export const replicateToAll = (context: Context, heartbeat: boolean): void => {
  for (const progress of leaderView(context).progress) replicateTo(context, progress.node, heartbeat)
}

/**
 * The highest index that a quorum holds (the leader's durable log counts as one): the quorum-th largest of the
 * match indexes. Found without sorting a copy — a step must not allocate for this on every acknowledgement.
 */
const quorumMatchIndex = (ownIndex: number, progress: ReadonlyArray<Progress>, quorum: number): number => {
  let best = 0
  for (let position = -1; position < progress.length; position += 1) {
    const value = position < 0 ? ownIndex : (progress[position] as Progress).matchIndex
    if (value <= best) continue
    let holders = ownIndex >= value ? 1 : 0
    for (const other of progress) if (other.matchIndex >= value) holders += 1
    if (holders >= quorum) best = value
  }
  return best
}

/** Raft §5.4.2 (Figure 8): only an entry of the current term is committed by counting replicas. */
export const maybeCommit = (context: Context): void => {
  const state = context.state
  const candidate = quorumMatchIndex(state.durableIndex, leaderView(context).progress, quorumSize(context.config))
  if (candidate <= state.commitIndex) return
  const countsOldTerms = context.config.bugs.has("commitOldTermByCounting")
  if (!countsOldTerms && Log.termAt(state.log, candidate) !== state.term) return
  assert(candidate <= Log.lastIndex(state.log), "the commit index stays within the leader's log")
  state.commitIndex = candidate
  applyCommitted(context)
}

const acknowledge = (progress: ProgressDraft, response: AppendEntriesResponse): void => {
  progress.recentlyActive = true
  progress.readContextAcknowledged = Math.max(progress.readContextAcknowledged, response.readContext)
}

const handleSuccess = (context: Context, progress: ProgressDraft, response: AppendEntriesResponse): void => {
  const matchIndex = Math.max(progress.matchIndex, response.matchIndex)
  progress.matchIndex = matchIndex
  progress.nextIndex = Math.max(progress.nextIndex, matchIndex + 1)
  progress.mode = "replicate"
  if (progress.inflight.some((batch) => batch.lastIndex <= matchIndex)) {
    progress.inflight = progress.inflight.filter((batch) => batch.lastIndex > matchIndex)
  }
  maybeCommit(context)
}

const handleRejection = (context: Context, progress: ProgressDraft, response: AppendEntriesResponse): void => {
  const log = context.state.log
  const lastOfConflictTerm = response.conflictTerm > 0 ? Log.lastIndexOfTerm(log, response.conflictTerm) : undefined
  const hint = lastOfConflictTerm !== undefined ? lastOfConflictTerm + 1 : response.conflictIndex
  // A log shorter than what the follower acknowledged means its disk lost entries to corruption (it restarts
  // recovering, without a vote): matchIndex no longer holds, and probing must go back to what it still has,
  // or the leader would retry past the gap forever and the follower would never recover.
  const lostEntries = response.conflictTerm === 0 && response.conflictIndex <= progress.matchIndex
  const matchIndex = lostEntries ? Math.max(0, response.conflictIndex - 1) : progress.matchIndex
  progress.matchIndex = matchIndex
  progress.mode = "probe"
  progress.inflight = []
  progress.nextIndex = Math.min(Math.max(hint, matchIndex + 1), Log.lastIndex(log) + 1)
}

/** Called after term alignment: response.term === state.term. */
export const handleAppendResponse = (context: Context, from: NodeId, response: AppendEntriesResponse): void => {
  if (context.state.role !== "leader") return
  const lastIndex = Log.lastIndex(context.state.log)
  if (response.success && response.matchIndex > lastIndex) {
    reject(context, Rejection.MatchBeyondLog({ from, matchIndex: response.matchIndex, lastIndex }))
    return
  }
  const progress = progressOf(context, from)
  acknowledge(progress, response)
  if (response.success) handleSuccess(context, progress, response)
  else handleRejection(context, progress, response)
  replicateTo(context, from, false)
  confirmReads(context)
}

/** Batches unacknowledged for two heartbeats are presumed lost: fall back to probing from matchIndex. */
const expireInflight = (context: Context): void => {
  const expiryMs = 2 * context.config.heartbeatIntervalMs
  for (let position = 0; position < leaderView(context).progress.length; position += 1) {
    const oldest = (leaderView(context).progress[position] as Progress).inflight[0]
    if (oldest === undefined || context.state.nowMs - oldest.sentAtMs < expiryMs) continue
    const progress = progressDraft(context, position)
    progress.mode = "probe"
    progress.inflight = []
    progress.nextIndex = progress.matchIndex + 1
  }
}

/** CheckQuorum: a leader that has not heard from a majority within an election timeout steps down. */
const checkQuorum = (context: Context): void => {
  if (context.state.nowMs < leaderView(context).checkQuorumDeadlineMs) return
  if (context.config.bugs.has("noCheckQuorum")) return
  const leaderState = leaderOf(context)
  const active = 1 + leaderState.progress.filter((progress) => progress.recentlyActive).length
  if (active < quorumSize(context.config)) {
    becomeFollower(context, context.state.term, null)
    return
  }
  for (let position = 0; position < leaderState.progress.length; position += 1)
    progressDraft(context, position).recentlyActive = false
  leaderState.checkQuorumDeadlineMs = context.state.nowMs + context.config.electionTimeoutMinMs
}

export const leaderTick = (context: Context): void => {
  context.state.lastLeaderContactMs = context.state.nowMs
  checkQuorum(context)
  if (context.state.role !== "leader") return
  if (context.state.nowMs < context.state.heartbeatDeadlineMs) return
  context.state.heartbeatDeadlineMs = context.state.nowMs + context.config.heartbeatIntervalMs
  expireInflight(context)
  replicateToAll(context, true)
}
