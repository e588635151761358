/**
 * Checks the bug zoo adds to the invariants every run is held to. `leader_stability` is a liveness property the
 * safety invariants cannot see (Raft thesis §6.2 CheckQuorum, §9.6 PreVote):
 *
 * - a leader cut off from its majority steps down: no replica stays leader of a term for longer than
 *   `staleLeaderMsMax` after another replica became leader of a later term, while it keeps running;
 * - a leader of a healthy majority is not deposed by a rejoining replica: a leader that heard from a majority in
 *   its current CheckQuorum round never steps down because a peer shows up with a higher term.
 *
 * A correct replica meets both: CheckQuorum steps an isolated leader down within two election timeouts, and a
 * replica that cannot reach a majority never wins a pre-vote, so its term does not grow while it is cut off.
 */
import type { Finding, SimObserver, StepObservation } from "../../src/sim/observer.ts"
import type { Output } from "../../src/protocol/io.ts"
import { lastIndex } from "../../src/protocol/log.ts"
import type { Message } from "../../src/protocol/messages.ts"
import type { Expectations } from "../scripted.ts"

/** Two CheckQuorum rounds (electionTimeoutMinMs each, 1 s by default) plus an election's worth of slack. */
export const staleLeaderMsMax = 4500

const none: ReadonlyArray<Finding> = []

export class LeaderStability implements SimObserver {
  readonly name = "LeaderStability"
  /** The latest term each replica led, and when it became leader. */
  private readonly leaderSince = new Map<number, { readonly term: number; readonly atMs: number }>()
  private readonly reported = new Set<string>()

  afterStep(observation: StepObservation): ReadonlyArray<Finding> {
    const { before, after, node, atMs } = observation
    if (after.role === "leader" && before.role !== "leader") this.leaderSince.set(node, { term: after.term, atMs })
    const findings: Array<Finding> = []
    const deposed = this.deposedWhileHealthy(observation)
    if (deposed !== undefined) findings.push(deposed)
    if (after.role === "leader") {
      const stale = this.staleFor(node, after.term, atMs)
      if (stale !== undefined) findings.push(stale)
    }
    return findings.length === 0 ? none : findings
  }

  /** A leader still leading long after a later term elected someone else. */
  private staleFor(node: number, term: number, atMs: number): Finding | undefined {
    let newer: { readonly node: number; readonly atMs: number } | undefined
    for (const [other, since] of this.leaderSince) {
      if (other !== node && since.term > term && (newer === undefined || since.atMs < newer.atMs))
        newer = { node: other, atMs: since.atMs }
    }
    if (newer === undefined || atMs - newer.atMs <= staleLeaderMsMax) return undefined
    const key = `stale:${node}:${term}`
    if (this.reported.has(key)) return undefined
    this.reported.add(key)
    return {
      invariant: "leader_stability",
      message: `n${node} still leads term ${term} ${atMs - newer.atMs} ms after n${newer.node} became leader of a later term (CheckQuorum should step it down within ${staleLeaderMsMax} ms)`
    }
  }

  /** A leader that heard from a majority this round, deposed by a peer's higher term. */
  private deposedWhileHealthy(observation: StepObservation): Finding | undefined {
    const { before, after, input, node } = observation
    if (before.role !== "leader" || after.role === "leader" || after.term <= before.term || input._tag !== "Receive")
      return undefined
    const leaderState = before.leaderState
    if (leaderState === null) return undefined
    const heardFrom = 1 + leaderState.progress.filter((progress) => progress.recentlyActive).length
    const quorum = Math.floor((leaderState.progress.length + 1) / 2) + 1
    if (heardFrom < quorum) return undefined
    return {
      invariant: "leader_stability",
      message: `n${node}, leader of term ${before.term} with a healthy majority (heard from ${heardFrom} of ${leaderState.progress.length + 1} this round), was deposed by n${input.from}'s term ${after.term}`
    }
  }
}

interface DurableView {
  incarnation: number
  term: number
  votedFor: number | null
  lastIndex: number
  /** Persists issued and not yet reported done, oldest first. */
  readonly pending: Array<Extract<Output, { _tag: "Persist" }>>
}

/**
 * `persisted_before_reply` (Raft Figure 2: persistent state is "updated on stable storage before responding to
 * RPCs"; io.ts: a Persist is a barrier). The observer rebuilds what each replica has on disk from its own
 * Persist outputs and PersistDone inputs (fsyncs complete in ioId order; a crash loses what was pending, and a
 * restarted replica's recovered state is all durable), and checks every vote granted and every append
 * acknowledged against it.
 */
export class PersistedBeforeReply implements SimObserver {
  readonly name = "PersistedBeforeReply"
  private readonly views = new Map<number, DurableView>()

  private viewOf(observation: StepObservation): DurableView {
    const { node, incarnation, before } = observation
    const known = this.views.get(node)
    if (known !== undefined && known.incarnation === incarnation) return known
    const fresh: DurableView = {
      incarnation,
      term: before.term,
      votedFor: before.votedFor,
      lastIndex: lastIndex(before.log),
      pending: []
    }
    this.views.set(node, fresh)
    return fresh
  }

  afterStep(observation: StepObservation): ReadonlyArray<Finding> {
    const view = this.viewOf(observation)
    const input = observation.input
    if (input._tag === "PersistDone") {
      while (view.pending.length > 0 && (view.pending[0]?.ioId ?? Number.POSITIVE_INFINITY) <= input.ioId) {
        const done = view.pending.shift() as Extract<Output, { _tag: "Persist" }>
        if (done.hardState !== undefined) {
          view.term = done.hardState.term
          view.votedFor = done.hardState.votedFor
        }
        if (done.truncateFrom !== undefined) view.lastIndex = Math.min(view.lastIndex, done.truncateFrom - 1)
        const last = done.append[done.append.length - 1]
        if (last !== undefined) view.lastIndex = last.index
      }
    }
    let findings: Array<Finding> | undefined
    for (const output of observation.outputs) {
      if (output._tag === "Persist") view.pending.push(output)
      if (output._tag !== "Send") continue
      const problem = this.unbacked(view, output.to, output.message)
      if (problem !== undefined)
        (findings ??= []).push({ invariant: "persisted_before_reply", message: `n${observation.node} ${problem}` })
    }
    return findings ?? none
  }

  private unbacked(view: DurableView, to: number, message: Message): string | undefined {
    if (
      message._tag === "RequestVoteResponse" &&
      message.granted &&
      !message.preVote &&
      (view.term !== message.term || view.votedFor !== to)
    ) {
      return `granted its vote in term ${message.term} to n${to} while its disk says term ${view.term}, vote ${view.votedFor ?? "none"}`
    }
    if (message._tag === "AppendEntriesResponse" && message.success && message.matchIndex > view.lastIndex) {
      return `acknowledged entries up to ${message.matchIndex} to n${to} with only ${view.lastIndex} on its disk`
    }
    return undefined
  }
}

export type ZooCheck = "leader_stability" | "persisted_before_reply"

const observerOf = (check: ZooCheck): SimObserver =>
  check === "leader_stability" ? new LeaderStability() : new PersistedBeforeReply()

export const zooExpectations = (checks: ReadonlyArray<ZooCheck>): Expectations =>
  checks.length === 0 ? {} : { observers: () => checks.map(observerOf) }
