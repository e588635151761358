/**
 * Runs a catalog scenario as a fast-check property. On failure it prints fast-check's seed and path with the
 * exact command that replays the shrunk case, and writes the counterexample file that `faultline repro`
 * replays in memory. `FC_SEED` / `FC_PATH` replay a reported failure; `FAULTLINE_RUNS` deepens a campaign.
 */
import { relative } from "node:path"
import fc from "fast-check"
import type { BugName } from "../src/protocol/bugs.ts"
import type { BuiltSchedule } from "./arbitraries/schedule.ts"
import type { CatalogScenario } from "./catalog.ts"
import { counterexamplePath, repositoryRoot, writeCounterexample, type Counterexample } from "./counterexample.ts"
import { judge, type Finding } from "./judge.ts"

export interface PropertyOptions {
  readonly runs: number
  readonly bugs?: ReadonlyArray<BugName>
  /** The test file, for the replay command. */
  readonly file?: string
  /** Where counterexamples go (default: counterexamples/ at the repository root). */
  readonly directory?: string
  /** A fixed seed (tests of the suite itself); FC_SEED overrides it. */
  readonly seed?: number
  /** Stop shrinking after this long: a budget for slow shrinks (fast-check keeps the smallest so far). */
  readonly shrinkBudgetMs?: number
}

export interface PropertyFailure {
  readonly scenario: string
  readonly seed: number
  readonly path: string
  readonly finding: Finding
  readonly built: BuiltSchedule
  readonly counterexample: Counterexample
  readonly file: string
  readonly replayCommand: string
  readonly numRuns: number
  readonly numShrinks: number
}

export type PropertyOutcome =
  | { readonly _tag: "Passed"; readonly numRuns: number; readonly seed: number }
  | ({ readonly _tag: "Failed" } & PropertyFailure)

const integerFromEnvironment = (name: string): number | undefined => {
  const text = process.env[name]
  if (text === undefined || text.trim() === "") return undefined
  const value = Number(text)
  if (!Number.isInteger(value)) throw new Error(`${name} should be an integer, got "${text}"`)
  return value
}

/** FAULTLINE_RUNS deepens a campaign; it never lowers a test's own count (a bug-detection test needs its runs). */
export const runsFor = (defaultRuns: number): number =>
  Math.max(defaultRuns, integerFromEnvironment("FAULTLINE_RUNS") ?? 0)

/** The first thing that went wrong in a run, or undefined when it held. */
export const firstFinding = (
  scenario: CatalogScenario,
  built: BuiltSchedule,
  bugs: ReadonlySet<BugName>
): Finding | undefined =>
  judge(built.schedule, { bugs, healedAtMs: built.healedAtMs, expectations: scenario.expectations }).findings[0]

const checkParameters = (options: PropertyOptions): fc.Parameters<[BuiltSchedule]> => {
  const seed = integerFromEnvironment("FC_SEED") ?? options.seed
  const path = process.env.FC_PATH
  return {
    numRuns: runsFor(options.runs),
    ...(seed !== undefined ? { seed } : {}),
    ...(path !== undefined && path !== "" ? { path } : {}),
    ...(options.shrinkBudgetMs !== undefined
      ? { interruptAfterTimeLimit: options.shrinkBudgetMs, markInterruptAsFailure: false }
      : {})
  }
}

/** Turns fast-check's verdict into an outcome, writing the counterexample file for a failure. */
const outcomeOf = (
  scenario: CatalogScenario,
  options: PropertyOptions,
  details: fc.RunDetails<[BuiltSchedule]>
): PropertyOutcome => {
  const bugs = new Set(options.bugs ?? [])
  if (!details.failed || details.counterexample === null)
    return { _tag: "Passed", numRuns: details.numRuns, seed: details.seed }
  const [built] = details.counterexample
  const judged = judge(built.schedule, { bugs, healedAtMs: built.healedAtMs, expectations: scenario.expectations })
  const finding = judged.findings[0] ?? { invariant: "property", message: String(details.errorInstance), atMs: 0 }
  const counterexample: Counterexample = {
    version: 1,
    scenario: scenario.name,
    bugs: [...bugs],
    fastCheck: { seed: details.seed, path: details.counterexamplePath ?? "" },
    healedAtMs: built.healedAtMs,
    schedule: built.schedule,
    violation: finding,
    traceHash: judged.result.traceHash
  }
  const file = counterexamplePath(scenario.name, details.seed, options.directory)
  writeCounterexample(counterexample, file)
  const testFile = options.file === undefined ? "" : ` ${relative(repositoryRoot, options.file)} -t ${scenario.name}`
  const bugVariable = bugs.size > 0 ? `FAULTLINE_BUGS=${[...bugs].join(",")} ` : ""
  const replayCommand = `${bugVariable}FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ""} npx vitest run${testFile}`
  return {
    _tag: "Failed",
    scenario: scenario.name,
    seed: details.seed,
    path: details.counterexamplePath ?? "",
    finding,
    built,
    counterexample,
    file,
    replayCommand,
    numRuns: details.numRuns,
    numShrinks: details.numShrinks
  }
}

/**
 * Runs the property to its verdict, yielding to the event loop before every run and shrink, so that a long campaign inside a test
 * worker does not starve the runner's own messages. Yielding changes no result.
 */
export const checkScenarioPropertyAsync = async (
  scenario: CatalogScenario,
  options: PropertyOptions
): Promise<PropertyOutcome> => {
  const bugs = new Set(options.bugs ?? [])
  const property = fc.asyncProperty(scenario.arbitrary, async (built) => {
    // eslint-disable-next-line no-restricted-globals -- yields to the event loop between runs; changes no result
    await new Promise((resolve) => setImmediate(resolve))
    return firstFinding(scenario, built, bugs) === undefined
  })
  return outcomeOf(scenario, options, await fc.check(property, checkParameters(options)))
}

/** The report a failing property test throws: what broke, the shrunk story, and how to replay it. */
export const describeFailure = (failure: PropertyFailure): string =>
  [
    `scenario ${failure.scenario}: ${failure.finding.invariant} — ${failure.finding.message}`,
    `shrunk to ${failure.built.schedule.steps.length} steps after ${failure.numRuns} runs and ${failure.numShrinks} shrinks`,
    `replay the property: ${failure.replayCommand}`,
    `replay the run:      npx faultline repro ${relative(repositoryRoot, failure.file)}`
  ].join("\n")

/** For vitest: passes, or throws the failure report. */
export const assertScenario = async (scenario: CatalogScenario, options: PropertyOptions): Promise<void> => {
  const outcome = await checkScenarioPropertyAsync(scenario, options)
  if (outcome._tag === "Failed") throw new Error(describeFailure(outcome))
}
