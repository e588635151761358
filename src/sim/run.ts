/**
 * Running a schedule: the event loop and the run's result. The loop takes the earliest of the next timed step
 * and the next queued event (a step first on a tie), and ends when every step has run and every client is idle,
 * or when a cap on simulated time or events is hit — which the result says explicitly.
 */
import type { ReplicaState } from "../protocol/state.ts"
import type { HistoryEvent, HistoryOutput } from "./client.ts"
import type { Violation } from "./events.ts"
import { QueueFull } from "./eventQueue.ts"
import { applyStep } from "./faults.ts"
import { checkLedgerHistory, type LedgerHistoryEvent } from "./ledgerHistory.ts"
import { checkLinearizable } from "./linearizability.ts"
import type { Settlement } from "../../model/linearizability/index.ts"
import type { Violation as ModelViolation } from "../../model/invariants/violation.ts"
import { checkSchedule, Schedule, type Step } from "../schedule/index.ts"
import { Simulation, type Counters, type RunOptions } from "./simulation.ts"
import type { TraceEvent, TraceLine } from "./trace.ts"
import { Data } from "effect"

export type { RunOptions } from "./simulation.ts"

export type Cap = "none" | "simulatedMs" | "events" | "queue"

export interface ReplicaSummary {
  readonly node: number
  readonly up: boolean
  readonly paused: boolean
  readonly state: ReplicaState | null
}

export interface RunResult {
  readonly seed: number
  readonly traceHash: string
  readonly counters: Counters
  readonly cap: Cap
  /** A sentence when a cap was hit: the run was cut short with work pending. */
  readonly capMessage: string | undefined
  readonly violations: ReadonlyArray<Violation>
  /**
   * model/'s liveness violations, when RunOptions.liveness was given and no violation stopped the run: judged by
   * the checker that judged safety, left out of `violations` and the trace (a run's trace hash does not depend on
   * whether liveness was asked for), so that the caller decides whether they count.
   */
  readonly liveness: ReadonlyArray<ModelViolation>
  readonly history: ReadonlyArray<HistoryEvent>
  /** The ledger operations' history (model/ledger's inputs and outputs). */
  readonly ledgerHistory: ReadonlyArray<LedgerHistoryEvent>
  readonly replicas: ReadonlyArray<ReplicaSummary>
  /** The most recent trace lines (bounded). */
  readonly trace: ReadonlyArray<TraceLine>
  /** The same events as data (rendered lazily: the timeline and the dashboard read these). */
  readonly events: ReadonlyArray<TraceEvent>
  /** The unknown outcomes settled from the applied logs, as the end-of-run check settled them (computed on demand). */
  readonly settlements: () => ((id: number) => Settlement<HistoryOutput> | undefined) | undefined
  readonly traceLines: number
}

const sortedSteps = (steps: ReadonlyArray<Step>): ReadonlyArray<Step> =>
  steps
    .map((step, position) => ({ step, position }))
    .sort((left, right) => left.step.at - right.step.at || left.position - right.position)
    .map(({ step }) => step)

const clientsBusy = (simulation: Simulation): boolean => {
  for (const client of simulation.clients.values()) if (client.busy) return true
  return false
}

const capMessageOf = (cap: Cap, schedule: Schedule, nextMs: number): string | undefined => {
  switch (cap) {
    case "none":
      return undefined
    case "simulatedMs":
      return `hit the simulated time cap of ${schedule.limits.simulatedMs} ms with work pending (next at ${nextMs} ms)`
    case "events":
      return `hit the event cap of ${schedule.limits.events} events at ${nextMs} ms`
    case "queue":
      return "the event queue filled up"
  }
}

const loop = (simulation: Simulation, schedule: Schedule): { cap: Cap; nextMs: number } => {
  const steps = sortedSteps(schedule.steps)
  let cursor = 0
  for (;;) {
    if (simulation.stopped) return { cap: "none", nextMs: simulation.nowMs }
    const nextStepMs = steps[cursor]?.at ?? Number.POSITIVE_INFINITY
    const nextEventMs = simulation.queue.peekTimeMs()
    if (cursor >= steps.length && !clientsBusy(simulation)) return { cap: "none", nextMs: simulation.nowMs }
    const nextMs = Math.min(nextStepMs, nextEventMs)
    if (!Number.isFinite(nextMs)) return { cap: "none", nextMs: simulation.nowMs }
    if (nextMs > schedule.limits.simulatedMs) return { cap: "simulatedMs", nextMs }
    if (simulation.counters.events >= schedule.limits.events) return { cap: "events", nextMs }
    simulation.nowMs = nextMs
    simulation.counters.events += 1
    if (nextStepMs <= nextEventMs) {
      applyStep(simulation, steps[cursor] as Step)
      cursor += 1
    } else {
      const event = simulation.queue.pop()
      if (event !== undefined) simulation.dispatch(event)
    }
  }
}

/** Not cheap (a search), so it runs once at the end of a run rather than after every step. */
const checkHistoryAtEnd = (simulation: Simulation): void => {
  const verdict = checkLinearizable(simulation.history, simulation.groundTruth.settlements())
  if (verdict._tag === "MalformedHistory") return simulation.violation("history_well_formed", verdict.message)
  const result = verdict.result
  const settled = verdict.settled
  const settledNote =
    settled === undefined
      ? "unknown outcomes not settled (the applied logs disagree)"
      : `${settled.applied + settled.notApplied} unknown outcomes settled from the applied logs (${settled.applied} applied, ${settled.notApplied} not)`
  if (result.verdict === "not linearizable")
    simulation.violation("linearizability", `${result.summary}; ${settledNote}`)
  else simulation.note(`linearizability: ${result.summary}; ${settledNote}`)
  const ledger = checkLedgerHistory(simulation.ledgerHistory)
  if (typeof ledger === "string") simulation.note(ledger)
  else if (ledger !== undefined) simulation.violation(ledger.invariant, ledger.message)
}

/** A schedule that fails its semantic checks (src/schedule/check.ts); `problem` says which. */
class ScheduleInvalid extends Data.TaggedError("ScheduleInvalid")<{ readonly problem: string }> {
  override get message(): string {
    return `invalid schedule: ${this.problem}`
  }
}

/** Runs one schedule to its end or its cap. Same schedule, same options → same trace hash. */
export const runSchedule = (schedule: Schedule, options: RunOptions = {}): RunResult => {
  const problem = checkSchedule(schedule)
  if (problem !== undefined) throw new ScheduleInvalid({ problem })
  const simulation = new Simulation(schedule, options)
  for (const replica of simulation.nodes) simulation.tick(replica)
  let outcome: { cap: Cap; nextMs: number }
  try {
    outcome = loop(simulation, schedule)
  } catch (error) {
    if (!(error instanceof QueueFull)) throw error
    outcome = { cap: "queue", nextMs: simulation.nowMs }
  }
  simulation.counters.simulatedMs = simulation.nowMs
  const capMessage = capMessageOf(outcome.cap, schedule, outcome.nextMs)
  if (capMessage !== undefined) simulation.note(`CAP ${capMessage}`)
  if (options.checkLinearizability !== false) checkHistoryAtEnd(simulation)
  let liveness: ReadonlyArray<ModelViolation> = []
  if (simulation.model !== undefined && !simulation.stopped) {
    const finish = simulation.model.finish(simulation.nowMs)
    simulation.modelViolations(finish.safety)
    liveness = finish.liveness
  }
  if (!simulation.stopped) simulation.observeEnd()
  return {
    seed: schedule.seed,
    traceHash: simulation.trace.digest(),
    counters: simulation.counters,
    cap: outcome.cap,
    capMessage,
    violations: simulation.violations,
    liveness,
    history: simulation.history,
    ledgerHistory: simulation.ledgerHistory,
    replicas: simulation.nodes.map((replica) => ({
      node: replica.node,
      up: replica.up,
      paused: replica.paused,
      state: replica.state
    })),
    trace: simulation.trace.recent(),
    events: simulation.trace.events(),
    settlements: () => simulation.groundTruth.settlements(),
    traceLines: simulation.trace.lineCount
  }
}
