/**
 * A campaign: N seeds of one or more catalog scenarios in the simulator. Every failing seed is shrunk (unless
 * asked not to) and written as a counterexample file, so a campaign ends with files `faultline repro`,
 * `timeline`, `bisect` and `dashboard` open. The summary is plain data (JSON for `--json` and for `merge`):
 * seeds, trace hashes and failures are deterministic; the wall-clock figures are the only part that is not.
 * Reads the wall clock (only here and in sim.ts, never inside src/sim) to measure speed and bound shrinking.
 */
import { join, relative } from "node:path"
import type { InvariantName } from "../../model/invariants/names.ts"
import type { BugName } from "../protocol/bugs.ts"
import { sampleSchedule, type CatalogScenario } from "../../properties/catalog.ts"
import { writeCounterexample } from "../../properties/counterexample.ts"
import { judge } from "../../properties/judge.ts"
import { counterexampleOf, shrinkSeed } from "../../properties/shrinkSeed.ts"
import { assert } from "../assert.ts"

export interface CampaignOptions {
  readonly seeds: number
  readonly firstSeed: number
  readonly replicas: number | undefined
  readonly shard: { readonly index: number; readonly count: number }
  readonly bugs: ReadonlyArray<BugName>
  /** Shrink failing seeds (the default). */
  readonly shrink: boolean
  /** The shrink budget per failing seed, in ms. */
  readonly shrinkBudgetMs: number
  /** Where counterexample files go. */
  readonly directory: string
}

export interface SeedFailure {
  readonly seed: number
  readonly invariant: InvariantName
  readonly message: string
  readonly atMs: number
  readonly originalSteps: number
  /** Steps of the schedule written (the shrunk one, unless shrinking was off or found nothing smaller). */
  readonly steps: number
  /** The counterexample file, relative to the working directory. */
  readonly file: string
}

export interface ScenarioSummary {
  readonly scenario: string
  readonly phase: string
  readonly runs: number
  /** Violations found (a run stops at its first, so this is the number of failing runs). */
  readonly violations: number
  readonly failingSeeds: ReadonlyArray<number>
  readonly failures: ReadonlyArray<SeedFailure>
  readonly capsHit: ReadonlyArray<string>
  /** Every seed run, ascending, and its trace hash at the same position. */
  readonly seeds: ReadonlyArray<number>
  readonly traceHashes: ReadonlyArray<string>
  readonly events: number
  readonly replicaSteps: number
  readonly simulatedMs: number
  /** Wall time spent running (not shrinking), ms. Not deterministic. */
  readonly wallMs: number
}

/** The seeds this shard runs: positions k, k + n, … of firstSeed … firstSeed + seeds - 1. */
export const shardSeeds = (options: CampaignOptions): ReadonlyArray<number> =>
  Array.from({ length: options.seeds }, (_, offset) => options.firstSeed + offset).filter(
    (_, position) => position % options.shard.count === options.shard.index - 1
  )

export const counterexampleFileName = (scenario: string, seed: number, bugs: ReadonlyArray<string>): string =>
  `${scenario}-seed${seed}${bugs.length > 0 ? `-${bugs.join("+")}` : ""}.json`

/** Shrinks (if asked) and writes the counterexample of one failing seed. */
const recordFailure = (
  scenario: CatalogScenario,
  seed: number,
  invariant: InvariantName,
  options: CampaignOptions
): SeedFailure => {
  const bugs: ReadonlySet<BugName> = new Set(options.bugs)
  const original = sampleSchedule(scenario, seed, options.replicas)
  const shrunk = options.shrink
    ? shrinkSeed({ scenario, seed, bugs, invariant, budgetMs: options.shrinkBudgetMs, replicas: options.replicas })
    : undefined
  const built = shrunk?.built ?? original
  const counterexample =
    counterexampleOf(scenario, bugs, built, { seed, path: shrunk?.path ?? "" }) ??
    counterexampleOf(scenario, bugs, original, { seed, path: "" })
  assert(
    counterexample !== undefined,
    () => `a run is deterministic: seed ${seed} of ${scenario.name} failed once and then passed`
  )
  const file = join(options.directory, counterexampleFileName(scenario.name, seed, options.bugs))
  writeCounterexample(counterexample, file)
  return {
    seed,
    invariant: counterexample.violation.invariant,
    message: counterexample.violation.message,
    atMs: counterexample.violation.atMs,
    originalSteps: original.schedule.steps.length,
    steps: counterexample.schedule.steps.length,
    file: relative(process.cwd(), file) || file
  }
}

export interface Progress {
  (scenario: CatalogScenario, done: number, total: number, violations: number): void
}

/** Runs this shard's seeds of one scenario, then shrinks and writes every failure. */
export const runScenario = async (
  scenario: CatalogScenario,
  options: CampaignOptions,
  progress: Progress
): Promise<ScenarioSummary> => {
  const seeds = shardSeeds(options)
  const traceHashes: Array<string> = []
  const failed: Array<{ seed: number; invariant: InvariantName }> = []
  const capsHit: Array<string> = []
  let events = 0
  let replicaSteps = 0
  let simulatedMs = 0
  const startedMs = performance.now()
  for (const seed of seeds) {
    const built = sampleSchedule(scenario, seed, options.replicas)
    const judged = judge(built.schedule, {
      bugs: new Set(options.bugs),
      healedAtMs: built.healedAtMs,
      expectations: scenario.expectations
    })
    traceHashes.push(judged.result.traceHash)
    events += judged.result.counters.events
    replicaSteps += judged.result.counters.replicaSteps
    simulatedMs += judged.result.counters.simulatedMs
    const finding = judged.findings[0]
    if (finding !== undefined) failed.push({ seed, invariant: finding.invariant })
    if (judged.result.capMessage !== undefined) capsHit.push(`seed ${seed}: ${judged.result.capMessage}`)
    progress(scenario, traceHashes.length, seeds.length, failed.length)
    // Let the terminal breathe between runs so that Ctrl-C and the progress display stay responsive.
    await new Promise((resolve) => setImmediate(resolve))
  }
  const wallMs = performance.now() - startedMs
  const failures = failed.map((failure) => recordFailure(scenario, failure.seed, failure.invariant, options))
  return {
    scenario: scenario.name,
    phase: scenario.phase,
    runs: seeds.length,
    violations: failures.length,
    failingSeeds: failures.map((failure) => failure.seed),
    failures,
    capsHit,
    seeds,
    traceHashes,
    events,
    replicaSteps,
    simulatedMs,
    wallMs
  }
}
