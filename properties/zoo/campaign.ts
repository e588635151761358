/**
 * The bug zoo's campaign: for one bug, sample its hunting scenarios round-robin, seed after seed, until a run
 * fails or the budget is spent; then let fast-check shrink the failing schedule (same scenario, same seed, so
 * the same first value) while it keeps failing the same invariant, and write the counterexample that
 * `faultline repro` replays. The correct replica runs the same scenarios and must never fail.
 *
 * The wall clock is the caller's (`clock`): this module, like the rest of properties/, never reads one.
 */
import { join } from "node:path"
import type { InvariantName } from "../../model/invariants/names.ts"
import type { BugName } from "../../src/protocol/bugs.ts"
import { findCatalogScenario, sampleSchedule, type CatalogScenario } from "../catalog.ts"
import { repositoryRoot, writeCounterexample, type Counterexample } from "../counterexample.ts"
import { shrinkSeed } from "../shrinkSeed.ts"
import { judge, type Finding } from "../judge.ts"
import { firstFinding } from "../property.ts"
import { hunting, huntingScenarios } from "./hunting.ts"

export const zooDirectory = join(repositoryRoot, "counterexamples", "zoo")

export interface CampaignOptions {
  /** Milliseconds since some fixed origin; only differences are used. */
  readonly clock: () => number
  /** The search budget per bug, in ms. */
  readonly budgetMs: number
  /** The shrink budget per caught bug, in ms (fast-check keeps the smallest failing schedule so far). */
  readonly shrinkBudgetMs: number
  /** The first seed of every scenario (default 1). */
  readonly firstSeed?: number
  /** Where counterexamples go (default counterexamples/zoo). */
  readonly directory?: string
  /** Overrides the bug's hunting list (tests pin one scenario). */
  readonly scenarios?: ReadonlyArray<string>
  /** Stop after this many runs whatever the clock says: a deterministic budget for tests. */
  readonly seedsMax?: number
  /** Skip shrinking (a test that only asks whether the bug is caught). */
  readonly shrink?: boolean
}

export interface BugOutcome {
  readonly bug: BugName
  readonly caught: boolean
  readonly invariant: InvariantName | null
  readonly scenario: string | null
  /** Seeds tried up to and including the first failure (or all of them when not caught). */
  readonly seeds: number
  /** Wall seconds to the first failure (or the whole search when not caught). */
  readonly seconds: number
  readonly shrunkSteps: number | null
  /** The extra detail a report shows; absent from the JSON shape but harmless in it. */
  readonly seed: number | null
  readonly originalSteps: number | null
  readonly shrinkSeconds: number | null
  readonly message: string | null
  readonly file: string | null
  /** Whether the shrunk schedule passes on the correct replica (it must: the bug, not the schedule, fails). */
  readonly correctHolds: boolean | null
}

const scenariosOf = (names: ReadonlyArray<string>): ReadonlyArray<CatalogScenario> =>
  names.map((name) => {
    const scenario = findCatalogScenario(name)
    if (scenario === undefined) throw new Error(`the zoo hunts in an unknown scenario "${name}"`)
    if (scenario.status !== "runs")
      throw new Error(`the zoo hunts in ${name}, which does not run yet (${scenario.status})`)
    return scenario
  })

interface Hit {
  readonly scenario: CatalogScenario
  readonly seed: number
  readonly finding: Finding
  readonly seeds: number
  readonly elapsedMs: number
}

/** Round-robin over the scenarios, seeds firstSeed, firstSeed + 1, ...; undefined when the budget ran out. */
const search = (
  scenarios: ReadonlyArray<CatalogScenario>,
  bugs: ReadonlySet<BugName>,
  options: CampaignOptions,
  onRun?: (scenario: CatalogScenario, seed: number, finding: Finding | undefined) => boolean
): { readonly hit: Hit | undefined; readonly seeds: number; readonly elapsedMs: number } => {
  const startedMs = options.clock()
  const firstSeed = options.firstSeed ?? 1
  let seeds = 0
  // Bounded by the budget; the round cap only guards against a clock that never advances.
  for (let round = 0; round < 1_000_000; round += 1) {
    for (const scenario of scenarios) {
      const elapsedMs = options.clock() - startedMs
      if (elapsedMs >= options.budgetMs || seeds >= (options.seedsMax ?? Number.POSITIVE_INFINITY))
        return { hit: undefined, seeds, elapsedMs }
      const seed = firstSeed + round
      const finding = firstFinding(scenario, sampleSchedule(scenario, seed), bugs)
      seeds += 1
      const stop = onRun?.(scenario, seed, finding) ?? false
      if (finding !== undefined && !stop)
        return {
          hit: { scenario, seed, finding, seeds, elapsedMs: options.clock() - startedMs },
          seeds,
          elapsedMs: options.clock() - startedMs
        }
    }
  }
  return { hit: undefined, seeds, elapsedMs: options.clock() - startedMs }
}

/** fast-check from the same seed: its first value is the sampled schedule, and it shrinks while `invariant` fails. */
const shrink = (hit: Hit, bugs: ReadonlySet<BugName>, options: CampaignOptions) => {
  const startedMs = options.clock()
  const shrunk = shrinkSeed({
    scenario: hit.scenario,
    seed: hit.seed,
    bugs,
    invariant: hit.finding.invariant,
    budgetMs: options.shrinkBudgetMs
  })
  return shrunk === undefined ? undefined : { ...shrunk, shrinkMs: options.clock() - startedMs }
}

export const huntBug = (bug: BugName, options: CampaignOptions): BugOutcome => {
  const bugs: ReadonlySet<BugName> = new Set([bug])
  const scenarios = scenariosOf(options.scenarios ?? hunting[bug] ?? [])
  const found = search(scenarios, bugs, options)
  const hit = found.hit
  const missed: BugOutcome = {
    bug,
    caught: false,
    invariant: null,
    scenario: null,
    seeds: found.seeds,
    seconds: found.elapsedMs / 1000,
    shrunkSteps: null,
    seed: null,
    originalSteps: null,
    shrinkSeconds: null,
    message: null,
    file: null,
    correctHolds: null
  }
  if (hit === undefined) return missed
  const originalSteps = sampleSchedule(hit.scenario, hit.seed).schedule.steps.length
  const shrunk = options.shrink === false ? undefined : shrink(hit, bugs, options)
  const built = shrunk?.built ?? sampleSchedule(hit.scenario, hit.seed)
  const judged = judge(built.schedule, { bugs, healedAtMs: built.healedAtMs, expectations: hit.scenario.expectations })
  const finding = judged.findings[0] ?? hit.finding
  const counterexample: Counterexample = {
    version: 1,
    scenario: hit.scenario.name,
    bugs: [bug],
    fastCheck: { seed: shrunk?.seed ?? hit.seed, path: shrunk?.path ?? "" },
    healedAtMs: built.healedAtMs,
    schedule: built.schedule,
    violation: finding,
    traceHash: judged.result.traceHash
  }
  const file = join(options.directory ?? zooDirectory, `${bug}.json`)
  writeCounterexample(counterexample, file)
  const correctHolds = firstFinding(hit.scenario, built, new Set()) === undefined
  return {
    bug,
    caught: true,
    invariant: finding.invariant,
    scenario: hit.scenario.name,
    seeds: hit.seeds,
    seconds: hit.elapsedMs / 1000,
    shrunkSteps: built.schedule.steps.length,
    seed: hit.seed,
    originalSteps,
    shrinkSeconds: shrunk === undefined ? null : shrunk.shrinkMs / 1000,
    message: finding.message,
    file,
    correctHolds
  }
}

export interface CorrectOutcome {
  readonly violations: number
  readonly runs: number
  readonly seconds: number
  readonly failures: ReadonlyArray<{
    readonly scenario: string
    readonly seed: number
    readonly finding: Finding
    readonly file: string
  }>
}

/** The correct replica over every hunting scenario, round-robin, for the budget: it must never fail. */
export const huntCorrect = (options: CampaignOptions): CorrectOutcome => {
  const scenarios = scenariosOf(options.scenarios ?? huntingScenarios())
  const failures: Array<{ scenario: string; seed: number; finding: Finding; file: string }> = []
  const found = search(scenarios, new Set(), options, (scenario, seed, finding) => {
    if (finding === undefined) return true
    const built = sampleSchedule(scenario, seed)
    const judged = judge(built.schedule, { healedAtMs: built.healedAtMs, expectations: scenario.expectations })
    const file = join(options.directory ?? zooDirectory, `correct-${scenario.name}-${seed}.json`)
    writeCounterexample(
      {
        version: 1,
        scenario: scenario.name,
        bugs: [],
        fastCheck: { seed, path: "" },
        healedAtMs: built.healedAtMs,
        schedule: built.schedule,
        violation: finding,
        traceHash: judged.result.traceHash
      },
      file
    )
    failures.push({ scenario: scenario.name, seed, finding, file })
    return true
  })
  return { violations: failures.length, runs: found.seeds, seconds: found.elapsedMs / 1000, failures }
}
