/**
 * Judging one schedule: run it in the simulator (safety invariants after every step, linearizability at the
 * end) and then the liveness checks of the phase after the heal — a leader, every operation invoked after
 * the heal completed, and every live replica converged on the same applied index.
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

const liveReplicas = (result: RunResult) =>
  result.replicas.filter((replica) => replica.up && !replica.paused && replica.state !== null)

const leaderAfterHeal = (result: RunResult): Finding | undefined => {
  const live = liveReplicas(result)
  const highestTerm = Math.max(...live.map((replica) => replica.state?.term ?? 0))
  const leader = live.find((replica) => replica.state?.role === "leader" && replica.state.term === highestTerm)
  if (leader !== undefined) return undefined
  const roles = live.map((replica) => `n${replica.node} ${replica.state?.role} term ${replica.state?.term}`).join(", ")
  return {
    invariant: "leader_after_heal",
    message: `no leader at the end of the liveness phase (${roles})`,
    atMs: result.counters.simulatedMs
  }
}

const converged = (result: RunResult): Finding | undefined => {
  const live = liveReplicas(result)
  const applied = new Set(live.map((replica) => replica.state?.lastApplied))
  if (applied.size <= 1) return undefined
  const detail = live.map((replica) => `n${replica.node} at ${replica.state?.lastApplied}`).join(", ")
  return {
    invariant: "replicas_converged",
    message: `live replicas ended on different applied indexes: ${detail}`,
    atMs: result.counters.simulatedMs
  }
}

type AnyHistory = ReadonlyArray<{
  readonly _tag: "Invoke" | "Ok" | "Fail" | "Unknown"
  readonly process: number
  readonly atTime: number
}>

/** Operations invoked once a leader had time to emerge after the heal must end ok or failed, never unknown. */
const operationsCompletedIn = (
  history: AnyHistory,
  what: string,
  healedAtMs: number,
  endMs: number
): Finding | undefined => {
  const invokedAt = new Map<number, number>()
  for (const event of history) {
    if (event._tag === "Invoke") invokedAt.set(event.process, event.atTime)
    if (event._tag !== "Unknown") continue
    const at = invokedAt.get(event.process) ?? 0
    if (at >= healedAtMs + leaderWithinMs) {
      return {
        invariant: "operations_completed",
        message: `process ${event.process}'s ${what} operation invoked at ${at} ms never completed after the heal`,
        atMs: event.atTime
      }
    }
  }
  const open = [...invokedAt.keys()].filter(
    (process) => !history.some((event) => event._tag !== "Invoke" && event.process === process)
  )
  if (open.length > 0)
    return {
      invariant: "operations_completed",
      message: `${open.length} ${what} operation(s) were still pending at the end`,
      atMs: endMs
    }
  return undefined
}

const operationsCompleted = (result: RunResult, healedAtMs: number): Finding | undefined =>
  operationsCompletedIn(result.history, "key-value", healedAtMs, result.counters.simulatedMs) ??
  operationsCompletedIn(result.ledgerHistory, "ledger", healedAtMs, result.counters.simulatedMs)

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
  for (const finding of options.expectations?.atEnd?.(result) ?? []) {
    findings.push({ ...finding, atMs: result.counters.simulatedMs })
  }
  if (result.cap !== "none")
    findings.push({
      invariant: "run_completed",
      message: result.capMessage ?? result.cap,
      atMs: result.counters.simulatedMs
    })
  if (options.healedAtMs !== undefined && findings.length === 0) {
    for (const check of [leaderAfterHeal(result), converged(result), operationsCompleted(result, options.healedAtMs)]) {
      if (check !== undefined) findings.push(check)
    }
  }
  return { result, findings }
}
