/**
 * A follower accepting a leader's log (Raft §5.3): the consistency check, conflict hints for fast
 * backtracking, truncation only where entries really conflict, and acknowledgements that leave only once
 * the acknowledged entries are durable.
 */
import { applyCommitted } from "./apply.ts"
import { assert, persist, reject, send, type Context, type PersistRequest } from "./context.ts"
import type { Entry, NodeId } from "./entry.ts"
import type { Output } from "./io.ts"
import * as Log from "./log.ts"
import type { AppendEntries, AppendEntriesResponse } from "./messages.ts"
import { Rejection } from "./rejection.ts"
import { becomeFollower, resetElectionDeadline, setLeader } from "./roles.ts"

const rejection = (context: Context, request: AppendEntries): AppendEntriesResponse => {
  const log = context.state.log
  const last = Log.lastIndex(log)
  const base = {
    _tag: "AppendEntriesResponse" as const,
    term: context.state.term,
    success: false,
    matchIndex: 0,
    readContext: request.readContext
  }
  if (request.prevLogIndex > last) return { ...base, conflictIndex: last + 1, conflictTerm: 0 }
  const conflictTerm = Log.termAt(log, request.prevLogIndex) ?? 0
  return { ...base, conflictIndex: Log.firstIndexOfTermAtOrBefore(log, request.prevLogIndex), conflictTerm }
}

/** The entries of the request that are new to our log, and where our log must be cut first. */
const newEntries = (
  context: Context,
  entries: ReadonlyArray<Entry>
): { truncateFrom: number | undefined; append: ReadonlyArray<Entry> } => {
  const log = context.state.log
  const first = entries[0]
  if (context.config.bugs.has("truncateMatchingEntries") && first !== undefined && first.index <= Log.lastIndex(log)) {
    return { truncateFrom: first.index, append: entries }
  }
  for (let position = 0; position < entries.length; position += 1) {
    const entry = entries[position] as Entry
    const existingTerm = Log.termAt(log, entry.index)
    if (existingTerm === undefined) return { truncateFrom: undefined, append: entries.slice(position) }
    if (existingTerm !== entry.term) return { truncateFrom: entry.index, append: entries.slice(position) }
  }
  return { truncateFrom: undefined, append: [] }
}

/** The log after taking the request's new entries (§5.3 steps 3 and 4). */
const spliceEntries = (
  context: Context,
  change: { truncateFrom: number | undefined; append: ReadonlyArray<Entry> }
): Log.Log => {
  const log = context.state.log
  if (change.append.length === 0) return log
  if (change.truncateFrom === undefined) return Log.append(log, change.append)
  const truncated = Log.truncateFrom(log, change.truncateFrom)
  const appended = Log.append(truncated, change.append)
  if (!context.config.bugs.has("keepConflictingSuffix")) return appended
  // Bug zoo: the entries after the overwritten ones survive although they may come from another leader.
  const keptFrom = Log.lastIndex(appended) + 1
  return Log.append(appended, Log.entriesFrom(log, keptFrom, Number.MAX_SAFE_INTEGER))
}

/** Sends now if everything acknowledged is durable, otherwise after the write that makes it so. */
const sendWhenDurable = (context: Context, output: Output, durableUpToIndex: number): void => {
  const state = context.state
  const lastIo = state.pendingIo[state.pendingIo.length - 1]
  if (state.durableIndex >= durableUpToIndex || lastIo === undefined || context.config.bugs.has("ackBeforePersist")) {
    context.outputs.push(output)
    return
  }
  state.pendingIo = [...state.pendingIo.slice(0, -1), { ...lastIo, release: [...lastIo.release, output] }]
}

/** A recovering replica regains its vote once a leader has brought it to a commit of that leader's term. */
const maybeFinishRecovery = (context: Context, leader: NodeId): void => {
  const state = context.state
  if (!state.recovering || Log.termAt(state.log, state.commitIndex) !== state.term) return
  state.recovering = false
  state.votedFor = state.votedFor ?? leader
  persist(context, { hardState: true })
}

/** Called after term alignment: request.term === state.term. */
export const handleAppendEntries = (context: Context, from: NodeId, request: AppendEntries): void => {
  assert(request.term === context.state.term, "appends are handled in the leader's term")
  if (context.state.role === "leader") {
    // Two leaders in one term would break election safety; a peer claiming it is forged or buggy.
    reject(context, Rejection.SecondLeaderInTerm({ from, term: request.term, leader: context.config.id }))
    return
  }
  if (context.state.leader !== null && context.state.leader !== from) {
    // We already follow another leader of this term: two leaders in one term is impossible in Raft.
    reject(context, Rejection.SecondLeaderInTerm({ from, term: request.term, leader: context.state.leader }))
    return
  }
  if (context.state.role !== "follower") becomeFollower(context, request.term, from)
  setLeader(context, from)
  context.state.lastLeaderContactMs = context.state.nowMs
  resetElectionDeadline(context)
  if (Log.termAt(context.state.log, request.prevLogIndex) !== request.prevLogTerm) {
    send(context, from, rejection(context, request))
    return
  }
  const change = newEntries(context, request.entries)
  const bugs = context.config.bugs
  const guarded = !bugs.has("truncateMatchingEntries") && !bugs.has("keepConflictingSuffix")
  if (guarded && change.truncateFrom !== undefined && change.truncateFrom <= context.state.commitIndex) {
    // Committed entries are never replaced (§5.4); only a forged or corrupt leader could ask for it.
    const commitIndex = context.state.commitIndex
    reject(context, Rejection.TruncatesCommitted({ from, truncateFrom: change.truncateFrom, commitIndex }))
    return
  }
  const verifiedIndex = request.prevLogIndex + request.entries.length
  const logAfter = spliceEntries(context, change)
  const matchIndex = bugs.has("matchIndexOffByOne")
    ? Math.min(verifiedIndex + 1, Log.lastIndex(logAfter))
    : verifiedIndex
  const response: Output = {
    _tag: "Send",
    to: from,
    message: {
      _tag: "AppendEntriesResponse",
      term: context.state.term,
      success: true,
      matchIndex,
      conflictIndex: 0,
      conflictTerm: 0,
      readContext: request.readContext
    }
  }
  if (change.append.length > 0) {
    context.state.log = logAfter
    const request: PersistRequest =
      change.truncateFrom === undefined
        ? { append: change.append, release: [response] }
        : { truncateFrom: change.truncateFrom, append: change.append, release: [response] }
    persist(context, request)
  } else {
    sendWhenDurable(context, response, matchIndex)
  }
  const commitLimit = bugs.has("acceptInflatedCommit") ? Log.lastIndex(context.state.log) : verifiedIndex
  const commitIndex = Math.max(context.state.commitIndex, Math.min(request.leaderCommit, commitLimit))
  assert(commitIndex <= Log.lastIndex(context.state.log), "a follower never commits beyond its log")
  context.state.commitIndex = commitIndex
  applyCommitted(context)
  maybeFinishRecovery(context, from)
}
