/**
 * Peer messages (Raft §5 and §9.6 PreVote, §6.4 ReadIndex). Every message from the network is decoded with
 * this Schema by the host and then checked semantically by `validate.ts` before it can change any state.
 */
import { Schema } from "effect"
import { Entry, Index, Term } from "./entry.ts"

export const RequestVote = Schema.TaggedStruct("RequestVote", {
  term: Term,
  lastLogIndex: Index,
  lastLogTerm: Term,
  /** A PreVote asks "would you vote for me?" without anyone changing their term (§9.6). */
  preVote: Schema.Boolean
})
export type RequestVote = typeof RequestVote.Type

export const RequestVoteResponse = Schema.TaggedStruct("RequestVoteResponse", {
  term: Term,
  granted: Schema.Boolean,
  preVote: Schema.Boolean
})
export type RequestVoteResponse = typeof RequestVoteResponse.Type

export const AppendEntries = Schema.TaggedStruct("AppendEntries", {
  term: Term,
  prevLogIndex: Index,
  prevLogTerm: Term,
  entries: Schema.Array(Entry),
  /** Never beyond prevLogIndex + entries.length: a leader only vouches for what the message proves. */
  leaderCommit: Index,
  /** Echoed by the follower so that the leader can confirm leadership for ReadIndex (§6.4). */
  readContext: Index
})
export type AppendEntries = typeof AppendEntries.Type

export const AppendEntriesResponse = Schema.TaggedStruct("AppendEntriesResponse", {
  term: Term,
  success: Schema.Boolean,
  /** On success, the last index known to match the leader's log: prevLogIndex + entries.length. */
  matchIndex: Index,
  /** On rejection, where the leader should retry from (fast backtracking, §5.3). */
  conflictIndex: Index,
  /** On rejection, the follower's term at prevLogIndex, or 0 if its log is shorter. */
  conflictTerm: Term,
  readContext: Index
})
export type AppendEntriesResponse = typeof AppendEntriesResponse.Type

export const Message = Schema.Union(RequestVote, RequestVoteResponse, AppendEntries, AppendEntriesResponse)
export type Message = typeof Message.Type
