/**
 * `checkReplicaState`: everything that holds of a replica's state between steps, asserted in the TigerBeetle
 * manner. The simulator runs it after every step and the interaction scripts after every input, so a step that
 * leaves a state no correct replica can be in fails at that step — an AssertionFailure naming the clause, which
 * the simulator reports with the seed — rather than as a wrong answer many steps later.
 *
 * Cheap enough to be on by default: every clause is O(1) or O(followers) except the log's, which checks only the
 * entries a step added (pass the state before the step): positions a Log can see are never written again
 * (log.ts), so a prefix checked once stays checked while the backing array is shared.
 */
import { assert } from "../assert.ts"
import type { ReplicaConfig } from "./config.ts"
import type { Entry } from "./entry.ts"
import * as Log from "./log.ts"
import type { LeaderState, Progress, ReplicaState } from "./state.ts"

/**
 * Writes a replica may have issued and not yet seen completed. Every Persist is an append, a truncation, a term
 * or a vote; a host that reports completions keeps this in the tens (the simulator's fsync latency), so beyond it
 * a host has stopped reporting completions or the replica has stopped retiring them.
 */
export const pendingIoMax = 65_536

/** A clause that does not hold: the details are built only then, so a passing check allocates nothing. */
const fail = (name: string, detail: string): never => {
  assert(false, `checkReplicaState: ${name}: ${detail}`)
}

/** Entries at consecutive indexes from baseIndex + 1, terms from 1 up to the current term, never decreasing. */
const checkLog = (state: ReplicaState, previous: ReplicaState | undefined): void => {
  const log = state.log
  if (!(log.length >= 0 && log.length <= log.backing.length)) fail("log view", `length ${log.length}`)
  const shared = previous !== undefined && previous.log.backing === log.backing
  const checkedUpTo = shared ? Math.min(previous.log.length, log.length) : 0
  let previousTerm = checkedUpTo === 0 ? log.baseTerm : (log.backing[checkedUpTo - 1] as Entry).term
  for (let position = checkedUpTo; position < log.length; position += 1) {
    const entry = log.backing[position] as Entry
    const index = log.baseIndex + 1 + position
    if (!(entry.index === index))
      fail("log contiguous", `position ${position} holds index ${entry.index}, not ${index}`)
    if (!(entry.term >= Math.max(1, previousTerm)))
      fail("log terms never decrease", `entry ${index} has term ${entry.term} after term ${previousTerm}`)
    previousTerm = entry.term
  }
  if (!(Log.lastTerm(log) <= state.term))
    fail("no entry of a future term", `last term ${Log.lastTerm(log)} > term ${state.term}`)
}

const checkIndexes = (state: ReplicaState): void => {
  const lastIndex = Log.lastIndex(state.log)
  // No exemption for the applyBeyondCommit zoo bug (step.ts has one, so the model can be shown to catch it): this
  // check is what catches it at the first step that applies an uncommitted entry.
  if (!(state.lastApplied >= 0 && state.lastApplied <= state.commitIndex))
    fail("lastApplied ≤ commitIndex", `lastApplied ${state.lastApplied}, commitIndex ${state.commitIndex}`)
  if (!(state.commitIndex <= lastIndex))
    fail("commitIndex ≤ lastIndex", `commitIndex ${state.commitIndex}, lastIndex ${lastIndex}`)
  if (!(state.durableIndex >= 0 && state.durableIndex <= lastIndex))
    fail("durableIndex ≤ lastIndex", `durableIndex ${state.durableIndex}, lastIndex ${lastIndex}`)
}

/** Writes in issue order, each below nextIoId, none claiming entries the log no longer has, and bounded. */
const checkPendingIo = (state: ReplicaState): void => {
  const pending = state.pendingIo
  const lastIndex = Log.lastIndex(state.log)
  if (!(pending.length <= pendingIoMax)) fail("pending I/O bounded", `${pending.length} writes pending`)
  let previousIoId = 0
  for (const io of pending) {
    if (!(io.ioId > previousIoId && io.ioId < state.nextIoId))
      fail("pending I/O ordered", `ioId ${io.ioId} after ${previousIoId}, nextIoId ${state.nextIoId}`)
    if (!(io.lastIndexAfter <= lastIndex))
      fail(
        "pending I/O within the log",
        `ioId ${io.ioId} makes index ${io.lastIndexAfter} durable, lastIndex ${lastIndex}`
      )
    previousIoId = io.ioId
  }
}

/** No node, or one of the voters. */
const noneOrVoter = (config: ReplicaConfig, node: number | null): boolean =>
  node === null || config.voters.includes(node)

/**
 * Every vote from a voter, none counted twice. A loop rather than a Set and a closure: this runs after every
 * simulated step, and under tsx (keepNames) a closure made per call cost a tenth of the simulator's time.
 */
const votesFromDistinctVoters = (config: ReplicaConfig, votes: ReadonlyArray<number>): boolean => {
  for (let position = 0; position < votes.length; position += 1) {
    const vote = votes[position] as number
    if (!config.voters.includes(vote) || votes.indexOf(vote) !== position) return false
  }
  return true
}

/** Term, vote, leader and votes agree with the role; a recovering replica only follows. */
const checkRole = (config: ReplicaConfig, state: ReplicaState): void => {
  if (!(noneOrVoter(config, state.votedFor) && noneOrVoter(config, state.leader)))
    fail("known nodes", `votedFor ${state.votedFor}, leader ${state.leader}`)
  if (!(state.term > 0 || state.votedFor === null))
    fail("no vote before term 1", `votedFor ${state.votedFor} in term 0`)
  if (!((state.role === "leader") === (state.leaderState !== null)))
    fail(
      "leader state present exactly while leading",
      `role ${state.role}, leader state ${state.leaderState === null ? "absent" : "present"}`
    )
  if (!((state.role === "leader") === (state.leader === config.id)))
    fail("a replica names itself leader exactly while leading", `role ${state.role}, leader ${state.leader}`)
  if (state.role === "candidate" || state.role === "leader") {
    if (!(state.votedFor === config.id)) fail("a candidate or leader voted for itself", `votedFor ${state.votedFor}`)
  }
  const campaigning = state.role === "candidate" || state.role === "precandidate"
  if (!(campaigning ? state.votesGranted.includes(config.id) : state.votesGranted.length === 0))
    fail("votes counted only while campaigning", `role ${state.role}, votes [${state.votesGranted.join(",")}]`)
  if (!votesFromDistinctVoters(config, state.votesGranted))
    fail("each vote counted once", `votes [${state.votesGranted.join(",")}]`)
  if (!(!state.recovering || state.role === "follower")) fail("a recovering replica only follows", `role ${state.role}`)
}

/** matchIndex < nextIndex ≤ lastIndex + 1, and the in-flight window ordered, bounded and ahead of matchIndex. */
const checkProgress = (config: ReplicaConfig, progress: Progress, lastIndex: number): void => {
  const node = progress.node
  if (!(progress.matchIndex < progress.nextIndex && progress.nextIndex <= lastIndex + 1))
    fail(
      "matchIndex < nextIndex ≤ lastIndex + 1",
      `n${node}: matchIndex ${progress.matchIndex}, nextIndex ${progress.nextIndex}, lastIndex ${lastIndex}`
    )
  const window = progress.mode === "probe" ? 1 : config.maxInflightBatches
  if (!(progress.inflight.length <= window))
    fail("in-flight window bounded", `n${node}: ${progress.inflight.length} batches in ${progress.mode} mode`)
  let previous = progress.matchIndex
  for (const batch of progress.inflight) {
    if (!(batch.lastIndex >= previous && batch.lastIndex <= lastIndex))
      fail(
        "in-flight batches ordered",
        `n${node}: batch up to ${batch.lastIndex} after ${previous}, lastIndex ${lastIndex}`
      )
    previous = batch.lastIndex
  }
}

const checkLeader = (config: ReplicaConfig, state: ReplicaState, leaderState: LeaderState): void => {
  const lastIndex = Log.lastIndex(state.log)
  const followers = config.voters.length - 1
  if (
    !(
      leaderState.progress.length === followers &&
      leaderState.progress.every((progress) => progress.node !== config.id && config.voters.includes(progress.node))
    )
  )
    fail(
      "one progress record per follower",
      `[${leaderState.progress.map((progress) => progress.node).join(",")}] for voters [${config.voters.join(",")}]`
    )
  for (const progress of leaderState.progress) checkProgress(config, progress, lastIndex)
  if (!(Log.termAt(state.log, leaderState.termStartIndex) === state.term))
    fail(
      "the leader's term starts with its own entry",
      `termStartIndex ${leaderState.termStartIndex} has term ${Log.termAt(state.log, leaderState.termStartIndex)}`
    )
  let previousIndex = state.lastApplied
  for (const proposal of leaderState.proposals) {
    if (!(proposal.index > previousIndex && proposal.index <= lastIndex))
      fail(
        "proposals ordered and not yet applied",
        `proposal at ${proposal.index} after ${previousIndex}, lastIndex ${lastIndex}`
      )
    previousIndex = proposal.index
  }
  if (
    !(
      leaderState.reads.length <= config.maxPendingReads &&
      leaderState.reads.every((read) => read.context < leaderState.nextReadContext)
    )
  )
    fail(
      "pending reads bounded and numbered",
      `${leaderState.reads.length} reads, nextReadContext ${leaderState.nextReadContext}`
    )
}

/**
 * Asserts every invariant of a replica's state between steps; throws an AssertionFailure naming the first clause
 * that does not hold. `previous` (the state before the step) limits the log check to what the step added.
 */
export const checkReplicaState = (config: ReplicaConfig, state: ReplicaState, previous?: ReplicaState): void => {
  if (!(Number.isFinite(state.nowMs) && state.nowMs >= 0)) fail("a clock reading", `nowMs ${state.nowMs}`)
  if (!(Number.isSafeInteger(state.term) && state.term >= 0)) fail("a term", `term ${state.term}`)
  checkLog(state, previous)
  checkIndexes(state)
  checkPendingIo(state)
  checkRole(config, state)
  if (state.leaderState !== null) checkLeader(config, state, state.leaderState)
  if (!(state.sessions.size <= config.maxSessions && state.evictedSessions.size <= config.maxSessions))
    fail(
      "session tables bounded",
      `${state.sessions.size} sessions, ${state.evictedSessions.size} evicted, max ${config.maxSessions}`
    )
  if (
    !(
      state.sessionOrder.links.size === state.sessions.size &&
      state.evictedSessionOrder.links.size === state.evictedSessions.size
    )
  )
    fail(
      "every session and tombstone in its eviction order",
      `${state.sessions.size} sessions, ${state.sessionOrder.links.size} ordered; ${state.evictedSessions.size} evicted, ${state.evictedSessionOrder.links.size} ordered`
    )
}
