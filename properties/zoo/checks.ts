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
import type { Finding, SimObserver, StepObservation } from "../../src/sim/checks.ts"
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
      if (other !== node && since.term > term && (newer === undefined || since.atMs < newer.atMs)) newer = { node: other, atMs: since.atMs }
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
    if (before.role !== "leader" || after.role === "leader" || after.term <= before.term || input._tag !== "Receive") return undefined
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

export type ZooCheck = "leader_stability"

export const zooExpectations = (checks: ReadonlyArray<ZooCheck>): Expectations =>
  checks.length === 0 ? {} : { observers: () => checks.map(() => new LeaderStability()) }
