/**
 * Votes: granting them (any role) and counting them (precandidate, candidate). Raft §5.2, §5.4.1, §9.6.
 */
import { quorumSize } from "./config.ts"
import { assert, persist, send, type Context } from "./context.ts"
import type { NodeId } from "./entry.ts"
import { isUpToDate } from "./log.ts"
import type { RequestVote, RequestVoteResponse } from "./messages.ts"
import { becomeCandidate, becomeLeader, resetElectionDeadline } from "./roles.ts"

/** Within an election timeout of hearing from a leader, a replica believes that leader is alive. */
export const inLeaderLease = (context: Context): boolean => {
  const state = context.state
  return state.leader !== null && state.nowMs - state.lastLeaderContactMs < context.config.electionTimeoutMinMs
}

const logAllowsVote = (context: Context, request: RequestVote): boolean =>
  context.config.bugs.has("voteWithoutLogCheck") ||
  isUpToDate(context.state.log, request.lastLogIndex, request.lastLogTerm)

export const handlePreVote = (context: Context, from: NodeId, request: RequestVote): void => {
  const state = context.state
  const granted =
    !state.recovering && request.term > state.term && !inLeaderLease(context) && logAllowsVote(context, request)
  send(context, from, {
    _tag: "RequestVoteResponse",
    term: granted ? request.term : state.term,
    granted,
    preVote: true
  })
}

/** Called after term alignment: request.term === state.term. */
export const handleVote = (context: Context, from: NodeId, request: RequestVote): void => {
  const state = context.state
  assert(request.term === state.term, "votes are decided in the requester's term")
  const free = state.votedFor === null || state.votedFor === from
  const granted = !state.recovering && state.role === "follower" && free && logAllowsVote(context, request)
  const response: RequestVoteResponse = { _tag: "RequestVoteResponse", term: state.term, granted, preVote: false }
  if (!granted) {
    send(context, from, response)
    return
  }
  state.votedFor = from
  resetElectionDeadline(context)
  const bugs = context.config.bugs
  const reply = { _tag: "Send" as const, to: from, message: response }
  if (bugs.has("voteBeforePersist")) context.outputs.push(reply)
  // The vote is durable before the candidate can count it: a restart must not vote again in this term.
  persist(context, {
    hardState: true,
    ...(bugs.has("votedForNotPersisted") ? { hardStateValue: { term: state.term, votedFor: null } } : {}),
    release: bugs.has("voteBeforePersist") ? [] : [reply]
  })
}

export const handleVoteResponse = (context: Context, from: NodeId, response: RequestVoteResponse): void => {
  const state = context.state
  const bugs = context.config.bugs
  if (!response.granted) return
  if (state.votesGranted.includes(from) && !bugs.has("countDuplicateVotes")) return
  const termMatches = bugs.has("countStaleVotes") ? response.term <= state.term : response.term === state.term
  if (response.preVote) {
    if (state.role !== "precandidate" || response.term !== state.term + 1) return
  } else if (state.role !== "candidate" || !termMatches) return
  state.votesGranted = [...state.votesGranted, from]
  if (state.votesGranted.length < quorumSize(context.config)) return
  if (response.preVote) becomeCandidate(context)
  else becomeLeader(context)
}
