/**
 * Client requests at the replica: followers redirect, the leader proposes commands (deduplicated by
 * session) and serves reads through ReadIndex.
 */
import { applyApp, queryApp, validateAppCommand } from "../app/machine.ts"
import { persist, type Context } from "./context.ts"
import type { Entry } from "./entry.ts"
import type { ClientRequest, ClientResult, RequestId } from "./io.ts"
import { replicateToAll, maybeCommit } from "./leader.ts"
import * as Log from "./log.ts"
import { startRead } from "./reads.ts"
import * as Sessions from "./sessions.ts"

const reply = (context: Context, requestId: RequestId, result: ClientResult): void => {
  context.outputs.push({ _tag: "Reply", requestId, result })
}

const propose = (context: Context, requestId: RequestId, request: Extract<ClientRequest, { _tag: "Command" }>): void => {
  const state = context.state
  const leaderState = state.leaderState
  if (leaderState === null) return
  const invalid = validateAppCommand(request.command)
  if (invalid !== undefined) return reply(context, requestId, { _tag: "Rejected", reason: invalid })
  // A retry of a command already applied is answered from the session table without a new entry.
  const known = Sessions.lookup(state.sessions, request.session, !context.config.bugs.has("noSessionDeduplication"))
  if (known !== undefined) {
    // The index the command was applied at, not the current lastApplied: a client (and the durability check)
    // must be told where its write lives, whichever attempt's reply reaches it.
    return reply(context, requestId, { _tag: "Applied", result: known.result, index: known.index })
  }
  if (Log.lastIndex(state.log) - state.commitIndex >= context.config.maxUncommittedEntries) {
    return reply(context, requestId, { _tag: "Busy" })
  }
  const entry: Entry = {
    index: Log.lastIndex(state.log) + 1,
    term: state.term,
    payload: { _tag: "Command", session: request.session, command: request.command }
  }
  context.state = {
    ...state,
    log: Log.append(state.log, [entry]),
    leaderState: { ...leaderState, proposals: [...leaderState.proposals, { index: entry.index, requestId }] }
  }
  persist(context, { append: [entry] })
  if (context.config.bugs.has("replyBeforeCommit")) replySpeculatively(context, requestId, entry)
  replicateToAll(context, false)
  maybeCommit(context)
}

/** Bug zoo: answer from the applied state as if the new entry had committed, and forget the proposal. */
const replySpeculatively = (context: Context, requestId: RequestId, entry: Entry): void => {
  if (entry.payload._tag !== "Command") return
  const result = applyApp(context.state.app, entry.payload.command).result
  reply(context, requestId, { _tag: "Applied", result, index: entry.index })
  const leaderState = context.state.leaderState
  if (leaderState === null) return
  const proposals = leaderState.proposals.filter((proposal) => proposal.requestId !== requestId)
  context.state = { ...context.state, leaderState: { ...leaderState, proposals } }
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
