/**
 * Judging one schedule: run it in the simulator (safety invariants after every step, linearizability at the
 * end) and then model/'s liveness checks of the phase after the heal — a leader, every live replica converged
 * on the same applied index, and every operation invoked after the heal completed. The judge adapts the end of
 * the run to model/'s observations; it checks nothing itself.
 */
import { checkConvergence, checkHistoryCompleted, checkLeaderAtEnd } from "../model/invariants/liveness.ts"
import type { InvariantName } from "../model/invariants/names.ts"
import type { ClusterObservation } from "../model/invariants/observation.ts"
import type { BugName } from "../src/protocol/bugs.ts"
import { runSchedule, type RunResult } from "../src/sim/run.ts"
import type { Schedule } from "../src/schedule/index.ts"
import { leaderWithinMs } from "./arbitraries/schedule.ts"
import type { Expectations } from "./scripted.ts"

export interface Finding {
  readonly invariant: InvariantName
  readonly message: string
  readonly atMs: number
}

export interface Judgement {
  readonly result: RunResult
  readonly findings: ReadonlyArray<Finding>
}

export interface JudgeOptions {
  readonly bugs?: ReadonlySet<BugName>
  /** A scenario's own expectations, beyond the invariants every run is held to. */
  readonly expectations?: Expectations
  /** When every fault was healed; omit to skip the liveness checks. */
  readonly healedAtMs?: number
  /** How many trace lines to keep for the report (the simulator's default is its most recent 2000). */
  readonly traceLinesKept?: number
  /** Skip the end-of-run linearizability search (a shrink that chases another invariant does not need it). */
  readonly checkLinearizability?: boolean
  /** Planted bugs act only in the first N replica steps (see RunOptions.bugsUntilStep). */
  readonly bugsUntilStep?: number
  /** End the run right after this many replica steps. */
  readonly stopAfterStep?: number
}

/**
 * The end of the run as model/ observes a cluster, for the liveness checks: a replica that is down or paused is
 * not live. Liveness reads roles, terms and applied indexes only, so the logs are left out.
 */
const finalCluster = (result: RunResult): ClusterObservation => ({
  atMs: result.counters.simulatedMs,
  replicas: result.replicas.map((replica) => {
    const state = replica.state
    const alive = replica.up && !replica.paused && state !== null
    return {
      node: replica.node,
      alive,
      role: state?.role ?? "follower",
      term: state?.term ?? 0,
      votedFor: state?.votedFor ?? null,
      commitIndex: state?.commitIndex ?? 0,
      lastApplied: state?.lastApplied ?? 0,
      log: [],
      durable: { term: state?.term ?? 0, votedFor: state?.votedFor ?? null }
    }
  })
})

/** model/'s liveness checks over the end of the run; the first violation of each, as a finding. */
const liveness = (result: RunResult, healedAtMs: number): ReadonlyArray<Finding> => {
  const cluster = finalCluster(result)
  const options = { healedAtMs, leaderWithinMs, endMs: cluster.atMs }
  const checks = [
    checkLeaderAtEnd(cluster),
    checkConvergence(cluster),
    [
      ...checkHistoryCompleted(result.history, { ...options, what: "key-value" }),
      ...checkHistoryCompleted(result.ledgerHistory, { ...options, what: "ledger" })
    ]
  ]
  return checks.flatMap((violations) =>
    violations.slice(0, 1).map(({ invariant, message, atMs }) => ({ invariant, message, atMs }))
  )
}

export const judge = (schedule: Schedule, options: JudgeOptions = {}): Judgement => {
  const observers = options.expectations?.observers?.() ?? []
  const result = runSchedule(schedule, {
    ...(options.bugs === undefined ? {} : { bugs: options.bugs }),
    ...(options.traceLinesKept === undefined ? {} : { traceLinesKept: options.traceLinesKept }),
    ...(options.checkLinearizability === undefined ? {} : { checkLinearizability: options.checkLinearizability }),
    ...(options.bugsUntilStep === undefined ? {} : { bugsUntilStep: options.bugsUntilStep }),
    ...(options.stopAfterStep === undefined ? {} : { stopAfterStep: options.stopAfterStep }),
    stopOnViolation: true,
    observers
  })
  const findings: Array<Finding> = result.violations.map((violation) => ({
    invariant: violation.invariant,
    message: violation.message,
    atMs: violation.atMs
  }))
  for (const finding of options.expectations?.atEnd?.(result, observers) ?? []) {
    findings.push({ ...finding, atMs: result.counters.simulatedMs })
  }
  if (result.cap !== "none")
    findings.push({
      invariant: "run_completed",
      message: result.capMessage ?? result.cap,
      atMs: result.counters.simulatedMs
    })
  if (options.healedAtMs !== undefined && findings.length === 0) {
    findings.push(...liveness(result, options.healedAtMs))
  }
  return { result, findings }
}
