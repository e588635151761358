/**
 * The transition under construction during one step. A step is a pure function of (config, state, input);
 * internally it accumulates the next state and the outputs here, and nothing escapes but the result.
 *
 * The next state is a draft: a shallow copy of the input state made when the step starts, written in place.
 * Nested values are copied on their first write within the step (the leader state with its progress records,
 * the statistics) or replaced whole (arrays, the log, the maps), so the input state — and every state a host
 * keeps — never changes. A step used to rebuild the whole state object for every field it touched; copying once
 * is what keeps a step within a few microseconds.
 */
import { assert } from "../assert.ts"
import { uniformInt } from "pure-rand/distribution/uniformInt"
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus"
import type { ReplicaConfig } from "./config.ts"
import type { Entry, HardState, NodeId } from "./entry.ts"
import type { Output } from "./io.ts"
import { lastIndex } from "./log.ts"
import type { Message } from "./messages.ts"
import { countRejection, type Rejection } from "./rejection.ts"
import type { LeaderState, Progress, ReplicaState, ReplicaStats } from "./state.ts"

/** Replica assertions (the repository's one helper): a failure is a bug in the replica, reported with the seed. */
export { assert }

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] }

/** The next state while a step builds it. */
export type StateDraft = Mutable<ReplicaState>
export type ProgressDraft = Mutable<Progress>
/** The leader state being written: its own copy of the progress list, whose records are copied when written. */
export type LeaderDraft = Omit<Mutable<LeaderState>, "progress"> & { progress: Array<Progress> }

/**
 * Role behaviour that the role changes and the read path reach through a table rather than by importing the role's
 * module, as etcd-raft's `becomeLeader` installs `stepLeader` instead of calling into it: `roles.ts` (which
 * installs a leader) and `reads.ts` (which starts a heartbeat round) would otherwise import `leader.ts`, which
 * imports both of them. `step.ts`, the only module above every role, fills the table.
 */
export interface RoleTable {
  readonly leader: {
    /** Sends every follower what it lacks, or an empty AppendEntries as a heartbeat (leader.ts). */
    readonly replicateToAll: (context: Context, heartbeat: boolean) => void
  }
}

export interface Context {
  readonly config: ReplicaConfig
  readonly roles: RoleTable
  readonly state: StateDraft
  readonly outputs: Array<Output>
  /** The leader state this step has copied for writing (the draft's own), if any. */
  leaderDraft: LeaderDraft | null
  /** The progress records of leaderDraft that this step has copied for writing (or created), once there are any. */
  progressDrafts: Array<Progress> | null
  /** The statistics this step has copied for writing, if any. */
  statsDraft: Mutable<ReplicaStats> | null
}

/**
 * Drafts copy every field by name, so that all drafts of a kind share one object shape (a spread copies the shape
 * of whichever object it was given, and the states a host passes in come from several places).
 */
const draftOf = (state: ReplicaState): StateDraft => ({
  role: state.role,
  term: state.term,
  votedFor: state.votedFor,
  leader: state.leader,
  log: state.log,
  commitIndex: state.commitIndex,
  lastApplied: state.lastApplied,
  app: state.app,
  sessions: state.sessions,
  evictedSessions: state.evictedSessions,
  sessionOrder: state.sessionOrder,
  evictedSessionOrder: state.evictedSessionOrder,
  nowMs: state.nowMs,
  electionDeadlineMs: state.electionDeadlineMs,
  heartbeatDeadlineMs: state.heartbeatDeadlineMs,
  lastLeaderContactMs: state.lastLeaderContactMs,
  votesGranted: state.votesGranted,
  leaderState: state.leaderState,
  nextIoId: state.nextIoId,
  pendingIo: state.pendingIo,
  durableIndex: state.durableIndex,
  recovering: state.recovering,
  randomState: state.randomState,
  stats: state.stats
})

export const beginStep = (config: ReplicaConfig, roles: RoleTable, state: ReplicaState): Context => ({
  config,
  roles,
  state: draftOf(state),
  outputs: [],
  leaderDraft: null,
  progressDrafts: null,
  statsDraft: null
})

const progressDraftOf = (progress: Progress): ProgressDraft => ({
  node: progress.node,
  nextIndex: progress.nextIndex,
  matchIndex: progress.matchIndex,
  mode: progress.mode,
  inflight: progress.inflight,
  recentlyActive: progress.recentlyActive,
  readContextAcknowledged: progress.readContextAcknowledged
})

/** The leader state, to read: the draft once this step has one, the input state's otherwise. */
export const leaderView = (context: Context): LeaderState => {
  const leaderState = context.state.leaderState
  assert(context.state.role === "leader" && leaderState !== null, "leader state exists exactly while leading")
  return leaderState
}

/** The leader state, writable: copied on the first use in a step (its progress records by progressDraft). */
export const leaderOf = (context: Context): LeaderDraft => {
  const leaderState = context.state.leaderState
  assert(context.state.role === "leader" && leaderState !== null, "leader state exists exactly while leading")
  if (context.leaderDraft !== leaderState) {
    const draft: LeaderDraft = {
      progress: leaderState.progress.slice(),
      proposals: leaderState.proposals,
      reads: leaderState.reads,
      nextReadContext: leaderState.nextReadContext,
      checkQuorumDeadlineMs: leaderState.checkQuorumDeadlineMs,
      termStartIndex: leaderState.termStartIndex
    }
    context.state.leaderState = draft
    context.leaderDraft = draft
    context.progressDrafts = null
  }
  return context.leaderDraft
}

/** The progress record at `position` of the leader state, writable: copied on the first write in a step. */
export const progressDraft = (context: Context, position: number): ProgressDraft => {
  const leaderState = leaderOf(context)
  const progress = leaderState.progress[position]
  assert(progress !== undefined, `the leader tracks a follower at position ${position}`)
  if (context.progressDrafts?.includes(progress) === true) return progress as ProgressDraft
  const draft = progressDraftOf(progress)
  leaderState.progress[position] = draft
  if (context.progressDrafts === null) context.progressDrafts = [draft]
  else context.progressDrafts.push(draft)
  return draft
}

/** Installs a new leader state (or none) built in this step; its progress records are this step's own. */
export const setLeaderState = (context: Context, leaderState: LeaderDraft | null): void => {
  context.state.leaderState = leaderState
  context.leaderDraft = leaderState
  context.progressDrafts = leaderState === null ? null : leaderState.progress.slice()
}

/** The statistics, writable: copied on the first use in a step. */
export const statsOf = (context: Context): Mutable<ReplicaStats> => {
  if (context.statsDraft === null) {
    const stats = context.state.stats
    context.statsDraft = {
      leaderChanges: stats.leaderChanges,
      electionsStarted: stats.electionsStarted,
      messagesReceived: stats.messagesReceived,
      rejections: stats.rejections,
      lastRejection: stats.lastRejection
    }
    context.state.stats = context.statsDraft
  }
  return context.statsDraft
}

export const send = (context: Context, to: NodeId, message: Message): void => {
  assert(to !== context.config.id, "a replica never sends to itself")
  context.outputs.push({ _tag: "Send", to, message })
}

export const hardStateOf = (state: ReplicaState): HardState => ({ term: state.term, votedFor: state.votedFor })

export interface PersistRequest {
  readonly hardState?: boolean
  /** What to write as the hard state when it must differ from the state's (bug zoo only). */
  readonly hardStateValue?: HardState
  readonly truncateFrom?: number
  readonly append?: ReadonlyArray<Entry>
  /** Outputs that depend on this write and must wait for its PersistDone. */
  readonly release?: ReadonlyArray<Output>
}

/** Emits a Persist barrier and parks the outputs that depend on it until the host reports it durable. */
export const persist = (context: Context, request: PersistRequest): void => {
  const state = context.state
  const ioId = state.nextIoId
  const append = request.append ?? []
  const release = request.release ?? []
  const output: Mutable<Extract<Output, { _tag: "Persist" }>> = { _tag: "Persist", ioId, append }
  if (request.hardState === true) output.hardState = request.hardStateValue ?? hardStateOf(state)
  if (request.truncateFrom !== undefined) output.truncateFrom = request.truncateFrom
  context.outputs.push(output)
  // A truncation makes the entries it removes no longer ours, even once earlier writes complete.
  const cap = request.truncateFrom === undefined ? Number.POSITIVE_INFINITY : request.truncateFrom - 1
  const earlierIo =
    request.truncateFrom === undefined
      ? state.pendingIo
      : state.pendingIo.map((io) => (io.lastIndexAfter > cap ? { ...io, lastIndexAfter: cap } : io))
  const acknowledgeEarly = context.config.bugs.has("ackBeforePersist")
  state.nextIoId = ioId + 1
  state.durableIndex = Math.min(state.durableIndex, cap)
  state.pendingIo = [
    ...earlierIo,
    { ioId, lastIndexAfter: lastIndex(state.log), release: acknowledgeEarly ? [] : release }
  ]
  // Bug zoo: acknowledge before the write is durable, as stores that reply before fsync do.
  if (acknowledgeEarly) for (const output of release) context.outputs.push(output)
}

/** Counts an input refused before it touched replicated state, by its tag, and keeps it as the latest. */
export const reject = (context: Context, rejection: Rejection): void => {
  const stats = statsOf(context)
  stats.rejections = countRejection(stats.rejections, rejection._tag)
  stats.lastRejection = rejection
}

/** A uniform draw in [fromInclusive, toInclusive] from the PRNG carried in the state. */
export const drawInteger = (context: Context, fromInclusive: number, toInclusive: number): number => {
  const generator = xoroshiro128plusFromState(context.state.randomState)
  const value = uniformInt(generator, fromInclusive, toInclusive)
  context.state.randomState = generator.getState()
  assert(value >= fromInclusive && value <= toInclusive, "the PRNG draw is within its range")
  return value
}

export const peersOf = (config: ReplicaConfig): ReadonlyArray<NodeId> =>
  config.voters.filter((voter) => voter !== config.id)
