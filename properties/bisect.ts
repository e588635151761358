/**
 * Bisecting a counterexample: which replica step made its violation unavoidable?
 *
 * With planted bugs the question is decidable by replay: let the bugs act in the first N replica steps only and
 * the correct replica take every step after. If the run still fails the same invariant, the damage was done
 * within the first N steps — from there even a correct cluster cannot avoid the violation. The smallest such N
 * names the step: the vote counted from a minority, the acknowledgement sent before the fsync, the commit by
 * counting replicas of an old term. A binary search finds it in about log2(steps) runs (the search assumes that
 * more buggy steps never make a failing run pass; the answer is always a step where one more buggy step turns
 * a passing run into a failing one).
 *
 * Without planted bugs (or when the correct replica fails the schedule too) there is no replica to compare
 * with, so the answer is the step after which the invariant's check failed: the run's last step.
 */
import type { InvariantName } from "../model/invariants/names.ts"
import type { BugName } from "../src/protocol/bugs.ts"
import type { ReplicaSummary } from "../src/sim/run.ts"
import type { StepObservation, SimObserver } from "../src/sim/observer.ts"
import type { TraceLine } from "../src/sim/trace.ts"
import type { Counterexample } from "./counterexample.ts"
import { judge, type Finding } from "./judge.ts"
import type { Expectations } from "./scripted.ts"

export interface Bisection {
  /** "replay": decided by switching the bugs off; "check": the step after which the check failed. */
  readonly method: "replay" | "check"
  readonly invariant: InvariantName
  readonly finding: Finding
  /** The decisive replica step, counted from 1. */
  readonly step: number
  readonly steps: number
  /** Runs the search made. */
  readonly runs: number
  readonly observation: StepObservation | undefined
  readonly replicasBefore: ReadonlyArray<ReplicaSummary>
  readonly replicasAfter: ReadonlyArray<ReplicaSummary>
  /** The trace up to and including the decisive step (most recent lines). */
  readonly traceBefore: ReadonlyArray<TraceLine>
}

/** Records the observation of one step (counted from 1). */
class StepCatcher implements SimObserver {
  readonly name = "StepCatcher"
  private count = 0
  caught: StepObservation | undefined
  constructor(private readonly wanted: number) {}
  afterStep(observation: StepObservation): ReadonlyArray<never> {
    this.count += 1
    if (this.count === this.wanted) this.caught = observation
    return []
  }
}

const withObserver = (expectations: Expectations, observer: SimObserver): Expectations => ({
  ...expectations,
  observers: () => [...(expectations.observers?.() ?? []), observer]
})

export const bisect = (counterexample: Counterexample, expectations: Expectations, contextLines = 40): Bisection => {
  const bugs = new Set(counterexample.bugs as ReadonlyArray<BugName>)
  const base = { bugs, healedAtMs: counterexample.healedAtMs, expectations }
  const full = judge(counterexample.schedule, base)
  const finding = full.findings[0]
  if (finding === undefined) throw new Error("the counterexample no longer fails: nothing to bisect")
  const invariant = finding.invariant
  const steps = full.result.counters.replicaSteps
  const fails = (bugsUntilStep: number): boolean =>
    judge(counterexample.schedule, { ...base, bugsUntilStep }).findings[0]?.invariant === invariant
  let runs = 1
  let method: Bisection["method"] = "check"
  let step = steps
  if (bugs.size > 0) {
    runs += 1
    if (!fails(0)) {
      method = "replay"
      let passing = 0
      let failing = steps
      while (failing - passing > 1) {
        const middle = Math.floor((passing + failing) / 2)
        runs += 1
        if (fails(middle)) failing = middle
        else passing = middle
      }
      step = failing
    }
  }
  const bugsUntilStep = method === "replay" ? step : Number.POSITIVE_INFINITY
  const at = (stopAfterStep: number, observer?: SimObserver) =>
    judge(counterexample.schedule, {
      ...base,
      expectations: observer === undefined ? expectations : withObserver(expectations, observer),
      bugsUntilStep,
      stopAfterStep,
      traceLinesKept: contextLines,
      checkLinearizability: false
    }).result
  const catcher = new StepCatcher(step)
  const after = at(step, catcher)
  const before = at(step - 1)
  return {
    method,
    invariant,
    finding,
    step,
    steps,
    runs,
    observation: catcher.caught,
    replicasBefore: before.replicas,
    replicasAfter: after.replicas,
    traceBefore: after.trace
  }
}
