/**
 * Client requests at the replica: followers redirect, the leader proposes commands (deduplicated by
 * session) and serves reads through ReadIndex.
 */
import { applyApp, queryApp } from "../app/machine.ts"
import { assert, leaderOf, persist, type Context } from "./context.ts"
import type { Entry } from "./entry.ts"
import type { ClientRequest, ClientRequestItem, ClientResult, RequestId } from "./io.ts"
import { replicateToAll, maybeCommit } from "./leader.ts"
import * as Log from "./log.ts"
import { checkProposal } from "./proposal.ts"
import { confirmReads, registerRead, startRead } from "./reads.ts"

/** The most client requests one ClientRequests input may carry (hosts batch at most this many). */
export const maxClientRequestsPerBatch = 1024
import * as Sessions from "./sessions.ts"

const reply = (context: Context, requestId: RequestId, result: ClientResult): void => {
  context.outputs.push({ _tag: "Reply", requestId, result })
}

/** Appends a proposal's entry to the leader's log; the caller persists and replicates. Undefined when answered. */
const appendProposal = (
  context: Context,
  requestId: RequestId,
  request: Extract<ClientRequest, { _tag: "Command" }>
): Entry | undefined => {
  const state = context.state
  if (state.leaderState === null) return undefined
  // Only what every follower and the leader's own recovery will accept may enter the log (issue 13, F1).
  const rejection = checkProposal(request.session, request.command, context.config.maxEntryBytes)
  if (rejection !== undefined) return void reply(context, requestId, { _tag: "Rejected", rejection })
  // A retry of a command already applied is answered from the session table without a new entry.
  const known = Sessions.lookup(state.sessions, request.session, !context.config.bugs.has("noSessionDeduplication"))
  if (known !== undefined) {
    // The index the command was applied at, not the current lastApplied: a client (and the durability check)
    // must be told where its write lives, whichever attempt's reply reaches it.
    return void reply(context, requestId, { _tag: "Applied", result: known.result, index: known.index })
  }
  if (Log.lastIndex(state.log) - state.commitIndex >= context.config.maxUncommittedEntries) {
    return void reply(context, requestId, { _tag: "Busy" })
  }
  const entry: Entry = {
    index: Log.lastIndex(state.log) + 1,
    term: state.term,
    payload: { _tag: "Command", session: request.session, command: request.command }
  }
  state.log = Log.append(state.log, [entry])
  const leaderState = leaderOf(context)
  leaderState.proposals = [...leaderState.proposals, { index: entry.index, requestId }]
  return entry
}

/** One Persist for the new entries, then one replication round for all of them. */
const persistAndReplicate = (
  context: Context,
  proposed: ReadonlyArray<{ requestId: RequestId; entry: Entry }>
): void => {
  if (proposed.length === 0) return
  persist(context, { append: proposed.map((proposal) => proposal.entry) })
  if (context.config.bugs.has("replyBeforeCommit")) {
    for (const proposal of proposed) replySpeculatively(context, proposal.requestId, proposal.entry)
  }
  replicateToAll(context, false)
  maybeCommit(context)
}

const propose = (
  context: Context,
  requestId: RequestId,
  request: Extract<ClientRequest, { _tag: "Command" }>
): void => {
  const entry = appendProposal(context, requestId, request)
  if (entry !== undefined) persistAndReplicate(context, [{ requestId, entry }])
}

/** Bug zoo: answer from the applied state as if the new entry had committed, and forget the proposal. */
const replySpeculatively = (context: Context, requestId: RequestId, entry: Entry): void => {
  if (entry.payload._tag !== "Command") return
  const result = applyApp(context.state.app, entry.payload.command).result
  reply(context, requestId, { _tag: "Applied", result, index: entry.index })
  if (context.state.leaderState === null) return
  const leaderState = leaderOf(context)
  leaderState.proposals = leaderState.proposals.filter((proposal) => proposal.requestId !== requestId)
}

export const handleClientRequest = (context: Context, requestId: RequestId, request: ClientRequest): void => {
  if (context.state.role !== "leader" && request._tag === "Query" && context.config.bugs.has("followerReads")) {
    const result = queryApp(context.state.app, request.query)
    return reply(context, requestId, { _tag: "Read", result, readIndex: context.state.lastApplied })
  }
  if (context.state.role !== "leader") {
    return reply(context, requestId, { _tag: "NotLeader", leaderHint: context.state.leader })
  }
  if (request._tag === "Query") startRead(context, requestId, request.query)
  else propose(context, requestId, request)
}

/** Every request of the batch in order; at the leader, one Persist, one replication round and one read round. */
export const handleClientRequests = (context: Context, requests: ReadonlyArray<ClientRequestItem>): void => {
  assert(requests.length <= maxClientRequestsPerBatch, "a client batch is bounded")
  const batched = context.state.role === "leader" && !context.config.bugs.has("readWithoutQuorum")
  if (!batched) {
    for (const item of requests) handleClientRequest(context, item.requestId, item.request)
    return
  }
  const proposed: Array<{ requestId: RequestId; entry: Entry }> = []
  let readsStarted = false
  for (const { requestId, request } of requests) {
    if (request._tag === "Query") {
      readsStarted = registerRead(context, requestId, request.query) || readsStarted
      continue
    }
    const entry = appendProposal(context, requestId, request)
    if (entry !== undefined) proposed.push({ requestId, entry })
  }
  persistAndReplicate(context, proposed)
  if (context.state.role !== "leader") return
  // The heartbeat round that confirms the reads also carries any entries not yet sent.
  if (readsStarted) replicateToAll(context, true)
  confirmReads(context)
}
