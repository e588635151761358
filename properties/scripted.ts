/**
 * The scripted scenarios (src/schedule/scenarios, shared with the Docker suite) in the simulator: only the
 * simulator seed varies, so each runs under many network timings. The run is turned into the world-neutral
 * ScenarioRun its expectations read — the histories, every replica step that changed a replica's role, term,
 * commitIndex or lastApplied as a status sample, and the final states.
 */
import fc from "fast-check"
import { balances } from "../src/app/ledger/index.ts"
import type { ReplicaState } from "../src/protocol/state.ts"
import {
  checkScenario,
  findScriptedScenario,
  scriptedSchedule as scheduleOf,
  type FinalStatus,
  type ScenarioRun,
  type ScriptedScenario,
  type StatusSample
} from "../src/schedule/scenarios/index.ts"
import type { Finding, SimObserver, StepObservation } from "../src/sim/observer.ts"
import type { RunResult } from "../src/sim/run.ts"
import type { BuiltSchedule, ScheduleShape } from "./arbitraries/schedule.ts"

export const scriptedShape: ScheduleShape = { faults: [] }

export interface Expectations {
  /** Observers that flag a broken expectation while the run goes on. */
  readonly observers?: () => ReadonlyArray<SimObserver>
  /** Checks of the finished run, given the observers this run was given. */
  readonly atEnd?: (result: RunResult, observers: ReadonlyArray<SimObserver>) => ReadonlyArray<Finding>
}

/** A status sample whenever a step changed what /status would show of a replica. */
class StatusSampler implements SimObserver {
  readonly name = "StatusSampler"
  readonly samples: Array<StatusSample> = []
  private readonly last = new Map<number, StatusSample>()

  afterStep(observation: StepObservation): ReadonlyArray<Finding> {
    const state = observation.after
    const previous = this.last.get(observation.node)
    if (
      previous !== undefined &&
      previous.role === state.role &&
      previous.term === state.term &&
      previous.commitIndex === state.commitIndex &&
      previous.lastApplied === state.lastApplied
    )
      return []
    const sample: StatusSample = {
      node: observation.node,
      fromMs: observation.atMs,
      toMs: observation.atMs,
      role: state.role,
      term: state.term,
      commitIndex: state.commitIndex,
      lastApplied: state.lastApplied
    }
    this.samples.push(sample)
    this.last.set(observation.node, sample)
    return []
  }
}

const finalStatus = (node: number, up: boolean, state: ReplicaState | null): FinalStatus => ({
  node,
  up: up && state !== null,
  role: state?.role ?? "follower",
  term: state?.term ?? 0,
  commitIndex: state?.commitIndex ?? 0,
  lastApplied: state?.lastApplied ?? 0,
  leaderChanges: state?.stats.leaderChanges ?? 0,
  balances: new Map(
    state === null ? [] : balances(state.app.ledger).map((view) => [view.account, view.balance] as const)
  )
})

/** The simulator's run as the scenario's expectations observe it; a step is performed at its time. */
const scenarioRun = (result: RunResult, schedule: ScenarioRun["schedule"], sampler: StatusSampler): ScenarioRun => ({
  schedule,
  steps: schedule.steps.map((step) => ({ startedMs: step.at, doneMs: step.at, performed: true })),
  history: result.history,
  ledgerHistory: result.ledgerHistory,
  samples: sampler.samples,
  final: result.replicas.map((replica) => finalStatus(replica.node, replica.up, replica.state))
})

const scenarioOf = (name: string): ScriptedScenario => {
  const scenario = findScriptedScenario(name)
  if (scenario === undefined) throw new Error(`no scripted scenario "${name}"`)
  return scenario
}

/** Only the simulator seed varies: fast-check shrinks it towards 0. */
export const scriptedSchedule = (name: string): fc.Arbitrary<BuiltSchedule> => {
  const scenario = scenarioOf(name)
  return fc
    .nat({ max: 2 ** 31 - 1 })
    .map((seed) => ({ schedule: scheduleOf(scenario, seed), healedAtMs: scenario.healedAtMs }))
}

export const scriptExpectations = (name: string): Expectations => {
  const scenario = scenarioOf(name)
  return {
    observers: () => [new StatusSampler()],
    atEnd: (result, observers) => {
      const sampler = observers.find((observer) => observer instanceof StatusSampler)
      if (sampler === undefined) throw new Error(`${name}: the run was not given the scenario's status sampler`)
      const schedule = scheduleOf(scenario, result.seed)
      return checkScenario(scenario, scenarioRun(result, schedule, sampler)).map((finding) => ({
        invariant: "scenario_expectation",
        message: finding.message
      }))
    }
  }
}
