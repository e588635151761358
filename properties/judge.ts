/**
 * Judging one schedule: run it in the simulator, whose one InvariantChecker (model/invariants) judges safety
 * after every step and, given the heal, liveness of the phase after it — a leader, every live replica converged
 * on the same applied index, and every operation completed — with linearizability at the end. Liveness counts
 * only for a run that broke nothing else. The judge picks and orders the findings; it checks nothing itself.
 */
import type { InvariantName } from "../model/invariants/names.ts"
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
 * The liveness invariants in the order a judgement lists them (a shrink chases the first), the first violation of
 * each; the run's checker judged them (RunResult.liveness).
 */
const livenessOrder: ReadonlyArray<InvariantName> = ["leader_after_heal", "replicas_converged", "operations_completed"]

const liveness = (result: RunResult): ReadonlyArray<Finding> =>
  livenessOrder.flatMap((invariant) => {
    const first = result.liveness.find((violation) => violation.invariant === invariant)
    return first === undefined ? [] : [{ invariant, message: first.message, atMs: first.atMs }]
  })

export const judge = (schedule: Schedule, options: JudgeOptions = {}): Judgement => {
  const observers = options.expectations?.observers?.() ?? []
  const result = runSchedule(schedule, {
    ...(options.bugs === undefined ? {} : { bugs: options.bugs }),
    ...(options.traceLinesKept === undefined ? {} : { traceLinesKept: options.traceLinesKept }),
    ...(options.checkLinearizability === undefined ? {} : { checkLinearizability: options.checkLinearizability }),
    ...(options.bugsUntilStep === undefined ? {} : { bugsUntilStep: options.bugsUntilStep }),
    ...(options.stopAfterStep === undefined ? {} : { stopAfterStep: options.stopAfterStep }),
    ...(options.healedAtMs === undefined
      ? {}
      : { liveness: { healedAtMs: options.healedAtMs, leaderWithinMs, endsSettled: true } }),
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
    findings.push(...liveness(result))
  }
  return { result, findings }
}
