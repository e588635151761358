/**
 * Role changes (Raft §5.2). Each installs the state its role needs; role behaviour lives in follower.ts,
 * candidate.ts and leader.ts.
 */
import {
  assert,
  drawInteger,
  peersOf,
  persist,
  send,
  setLeaderState,
  statsOf,
  type Context,
  type LeaderDraft
} from "./context.ts"
import type { NodeId } from "./entry.ts"
import type { Output } from "./io.ts"
import { lastIndex, lastTerm, append } from "./log.ts"
import { quorumSize } from "./config.ts"
import type { Progress } from "./state.ts"

export const resetElectionDeadline = (context: Context): void => {
  const { electionTimeoutMinMs, electionTimeoutMaxMs } = context.config
  const timeoutMs = drawInteger(context, electionTimeoutMinMs, electionTimeoutMaxMs)
  context.state.electionDeadlineMs = context.state.nowMs + timeoutMs
}

/** Records who leads this term; counts a change of leader for /status. */
export const setLeader = (context: Context, leader: NodeId | null): void => {
  if (context.state.leader === leader) return
  context.state.leader = leader
  if (leader !== null) statsOf(context).leaderChanges += 1
}

/** Leadership is lost: pending proposals have an unknown outcome, pending reads are refused. */
const abandonLeadership = (context: Context): void => {
  const leaderState = context.state.leaderState
  if (leaderState === null) return
  const replies: Array<Output> = []
  for (const proposal of leaderState.proposals) {
    replies.push({ _tag: "Reply", requestId: proposal.requestId, result: { _tag: "Unknown" } })
  }
  for (const read of leaderState.reads) {
    replies.push({ _tag: "Reply", requestId: read.requestId, result: { _tag: "NotLeader", leaderHint: null } })
  }
  context.outputs.push(...replies)
  setLeaderState(context, null)
}

/**
 * Becomes a follower of `term`. A higher term clears the vote and is persisted before anything this step
 * sends can depend on it.
 */
export const becomeFollower = (context: Context, term: number, leader: NodeId | null): void => {
  const state = context.state
  assert(term >= state.term, `terms never go back: ${state.term} → ${term}`)
  abandonLeadership(context)
  const termChanged = term > state.term
  state.role = "follower"
  state.term = term
  if (termChanged || context.config.bugs.has("forgetVoteOnStepDown")) state.votedFor = null
  state.votesGranted = []
  setLeader(context, leader)
  resetElectionDeadline(context)
  if (termChanged) persist(context, { hardState: true })
}

/** PreVote (§9.6): ask whether we could win before disturbing anyone's term. */
export const becomePreCandidate = (context: Context): void => {
  assert(context.state.role !== "leader", "a leader never pre-campaigns")
  if (context.config.bugs.has("noPreVote")) {
    becomeCandidate(context)
    return
  }
  abandonLeadership(context)
  context.state.role = "precandidate"
  context.state.votesGranted = [context.config.id]
  setLeader(context, null)
  resetElectionDeadline(context)
  const state = context.state
  for (const peer of peersOf(context.config)) {
    send(context, peer, {
      _tag: "RequestVote",
      term: state.term + 1,
      lastLogIndex: lastIndex(state.log),
      lastLogTerm: lastTerm(state.log),
      preVote: true
    })
  }
  if (state.votesGranted.length >= quorumSize(context.config)) becomeCandidate(context)
}

/** A real election: a new term and a vote for ourselves, both durable before any vote request leaves. */
export const becomeCandidate = (context: Context): void => {
  const state = context.state
  state.role = "candidate"
  state.term += 1
  state.votedFor = context.config.id
  state.votesGranted = [context.config.id]
  statsOf(context).electionsStarted += 1
  setLeader(context, null)
  resetElectionDeadline(context)
  const requests: Array<Output> = peersOf(context.config).map((peer) => ({
    _tag: "Send",
    to: peer,
    message: {
      _tag: "RequestVote",
      term: state.term,
      lastLogIndex: lastIndex(state.log),
      lastLogTerm: lastTerm(state.log),
      preVote: false
    }
  }))
  persist(context, { hardState: true, release: requests })
  if (state.votesGranted.length >= quorumSize(context.config)) becomeLeader(context)
}

const freshProgress = (node: NodeId, nextIndex: number): Progress => ({
  node,
  nextIndex,
  matchIndex: 0,
  mode: "probe",
  inflight: [],
  recentlyActive: true,
  readContextAcknowledged: 0
})

/** Wins the election: appends a no-op of the new term so that earlier entries can commit (§5.4.2, §8). */
export const becomeLeader = (context: Context): void => {
  const state = context.state
  assert(state.role === "candidate", "only a candidate becomes leader")
  assert(state.votedFor === context.config.id, "a leader voted for itself in its term")
  const termStartIndex = lastIndex(state.log) + 1
  const leaderState: LeaderDraft = {
    progress: peersOf(context.config).map((peer) => freshProgress(peer, termStartIndex)),
    proposals: [],
    reads: [],
    nextReadContext: 1,
    checkQuorumDeadlineMs: state.nowMs + context.config.electionTimeoutMinMs,
    termStartIndex
  }
  const noOp = { index: termStartIndex, term: state.term, payload: { _tag: "NoOp" as const } }
  state.role = "leader"
  setLeaderState(context, leaderState)
  state.votesGranted = []
  state.log = append(state.log, [noOp])
  state.heartbeatDeadlineMs = state.nowMs + context.config.heartbeatIntervalMs
  state.lastLeaderContactMs = state.nowMs
  setLeader(context, context.config.id)
  persist(context, { append: [noOp] })
  // Announce the new term at once rather than at the next heartbeat, so that others stop campaigning.
  context.roles.leader.replicateToAll(context, true)
}
