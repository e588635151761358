/**
 * A peer message arriving: validated, then aligned on terms (Raft §5.1), then handed to the role's handler.
 */
import { handlePreVote, handleVote, handleVoteResponse, inLeaderLease } from "./candidate.ts"
import { reject, send, statsOf, type Context } from "./context.ts"
import type { NodeId } from "./entry.ts"
import { handleAppendEntries } from "./follower.ts"
import { handleAppendResponse } from "./leader.ts"
import type { Message } from "./messages.ts"
import { Rejection } from "./rejection.ts"
import { becomeFollower } from "./roles.ts"
import { validateMessage } from "./validate.ts"

/** A granted PreVote response carries the term the candidate would campaign in; nobody adopts it. */
const carriesAdoptableTerm = (message: Message): boolean =>
  !(
    (message._tag === "RequestVote" && message.preVote) ||
    (message._tag === "RequestVoteResponse" && message.preVote && message.granted)
  )

/** Tells a peer of a stale term about ours, so that a deposed leader or candidate steps down. */
const answerStale = (context: Context, from: NodeId, message: Message): void => {
  const term = context.state.term
  if (message._tag === "AppendEntries") {
    send(context, from, {
      _tag: "AppendEntriesResponse",
      term,
      success: false,
      matchIndex: 0,
      conflictIndex: 1,
      conflictTerm: 0,
      readContext: message.readContext
    })
  } else if (message._tag === "RequestVote") {
    send(context, from, { _tag: "RequestVoteResponse", term, granted: false, preVote: message.preVote })
  }
}

/** Returns false when the message must go no further. */
const alignTerm = (context: Context, from: NodeId, message: Message): boolean => {
  const state = context.state
  if (message.term > state.term && carriesAdoptableTerm(message)) {
    if (message._tag === "RequestVote" && inLeaderLease(context)) {
      // A replica that hears from a live leader ignores a disruptive candidate (etcd's in-lease check).
      reject(context, Rejection.VoteDuringLease({ from, term: message.term, leader: state.leader }))
      return false
    }
    becomeFollower(context, message.term, message._tag === "AppendEntries" ? from : null)
    return true
  }
  const staleAccepted = message._tag === "AppendEntriesResponse" && context.config.bugs.has("acceptStaleResponses")
  if (message.term < state.term && !(message._tag === "RequestVote" && message.preVote) && !staleAccepted) {
    reject(context, Rejection.StaleTerm({ from, message: message._tag, term: message.term, currentTerm: state.term }))
    answerStale(context, from, message)
    return false
  }
  return true
}

export const handleReceive = (context: Context, from: NodeId, message: Message): void => {
  statsOf(context).messagesReceived += 1
  const invalid = validateMessage(context.config, from, message)
  if (invalid !== undefined) {
    reject(context, invalid)
    return
  }
  if (!alignTerm(context, from, message)) return
  switch (message._tag) {
    case "RequestVote":
      if (message.preVote) handlePreVote(context, from, message)
      else handleVote(context, from, message)
      return
    case "RequestVoteResponse":
      handleVoteResponse(context, from, message)
      return
    case "AppendEntries":
      handleAppendEntries(context, from, message)
      return
    case "AppendEntriesResponse":
      handleAppendResponse(context, from, message)
      return
  }
}
