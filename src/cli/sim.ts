/**
 * `faultline sim`: runs N seeds of a catalog scenario (or of every scenario, or of one phase) in the
 * deterministic simulator. Every failing seed is shrunk and written as a counterexample file; the summary lists
 * every failing seed with the exact commands that replay it, then runs, violations, speed and trace hashes
 * (a table per scenario for `--all` and `--phase`). A seed names the same schedule as in the property suite
 * (the scenario's fast-check generator, sampled with that seed). Reads the wall clock (only here and in
 * campaign.ts, never inside src/sim) to measure speed.
 */
import { resolve } from "node:path"
import type { BugName } from "../protocol/bugs.ts"
import { scenarios, type CatalogScenario } from "../../properties/scenarios/index.ts"
import { runScenario, type CampaignOptions, type ScenarioSummary } from "./campaign.ts"
import { describeFailures, summarise, summaryTable, type CampaignSummary } from "./campaignSummary.ts"
import { bugOptions, numberOption, readCommandLine } from "./commandLine.ts"
import { UsageError, parseOptions } from "../options.ts"

interface SimArguments extends CampaignOptions {
  /** One scenario, every scenario (`--all`) or a phase's. */
  readonly selection:
    | { readonly _tag: "Scenario"; readonly name: string }
    | { readonly _tag: "All" }
    | { readonly _tag: "Phase"; readonly phase: string }
  readonly json: boolean
}

const usage = `usage: faultline sim (--scenario <name> | --all | --phase <P>) [--seeds <N>] [--seed <S>] [--replicas <R>]
                     [--shard k/n] [--bug NAME] [--no-shrink] [--shrink-seconds <T>] [--out <dir>] [--json]

  --scenario        a catalog scenario (faultline scenarios lists them)
  --all             every runnable scenario of the catalog, N seeds each
  --phase           every runnable scenario of one phase (e.g. --phase 0, --phase zoo), N seeds each
  --seeds           how many seeds to run per scenario (default 10)
  --seed            the first seed (default 1); seeds S, S+1, ... S+N-1 run
  --replicas        cluster size, 1 to 7 (default: what the scenario draws for each seed)
  --shard           k/n: run only the seeds whose position is k modulo n (1 ≤ k ≤ n); faultline merge
                    combines the shards' --json output into the unsharded run's summary
  --bug             switch on a test-only protocol bug (repeatable; faultline mutants lists them)
  --no-shrink       write each failing seed's schedule as it is, without shrinking it
  --shrink-seconds  the shrink budget per failing seed, in seconds (default 30); the smallest failing
                    schedule found so far is written when it runs out
  --out             where counterexample files go (default counterexamples/)
  --json            print one JSON object (the summary faultline merge reads) instead of the text`

const parseShard = (text: string | undefined): { index: number; count: number } => {
  if (text === undefined) return { index: 1, count: 1 }
  const match = /^(\d+)\/(\d+)$/.exec(text)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (match === null || count < 1 || index < 1 || index > count)
    throw new UsageError({ message: `--shard should be k/n with 1 ≤ k ≤ n, got ${text}` })
  return { index, count }
}

const parseSelection = (values: { scenario?: string; all?: boolean; phase?: string }): SimArguments["selection"] => {
  const chosen = [values.scenario !== undefined, values.all === true, values.phase !== undefined].filter(Boolean)
  if (chosen.length !== 1)
    throw new UsageError({ message: "give exactly one of --scenario <name>, --all or --phase <P>" })
  if (values.scenario !== undefined) return { _tag: "Scenario", name: values.scenario }
  if (values.phase !== undefined) return { _tag: "Phase", phase: values.phase }
  return { _tag: "All" }
}

export const parseSimArguments = (argv: ReadonlyArray<string>): SimArguments => {
  const { values } = parseOptions({
    args: [...argv],
    options: {
      scenario: { type: "string" },
      all: { type: "boolean", default: false },
      phase: { type: "string" },
      seeds: { type: "string", default: "10" },
      seed: { type: "string", default: "1" },
      replicas: { type: "string" },
      shard: { type: "string" },
      bug: { type: "string", multiple: true },
      "no-shrink": { type: "boolean", default: false },
      "shrink-seconds": { type: "string", default: "30" },
      out: { type: "string", default: "counterexamples" },
      json: { type: "boolean", default: false }
    },
    strict: true,
    allowPositionals: false
  })
  return {
    selection: parseSelection(values),
    seeds: numberOption(values.seeds, "--seeds", 1, 1_000_000),
    firstSeed: numberOption(values.seed, "--seed", 0, 2 ** 31 - 1),
    replicas: values.replicas === undefined ? undefined : numberOption(values.replicas, "--replicas", 1, 7),
    shard: parseShard(values.shard),
    bugs: bugOptions(values.bug) as ReadonlyArray<BugName>,
    shrink: !values["no-shrink"],
    shrinkBudgetMs: numberOption(values["shrink-seconds"], "--shrink-seconds", 0, 86_400, true) * 1000,
    directory: resolve(values.out),
    json: values.json
  }
}

/** The scenarios selected, or a sentence saying why none can run. */
const selectScenarios = (selection: SimArguments["selection"]): ReadonlyArray<CatalogScenario> | string => {
  const runnable = scenarios.filter((scenario) => scenario.status === "runs")
  switch (selection._tag) {
    case "All":
      return runnable
    case "Phase": {
      const phases = [...new Set(scenarios.map((scenario) => scenario.phase))]
      if (!phases.includes(selection.phase as (typeof phases)[number]))
        return `unknown phase "${selection.phase}"; known: ${phases.join(", ")}`
      return runnable.filter((scenario) => scenario.phase === selection.phase)
    }
    case "Scenario": {
      const scenario = scenarios.find((entry) => entry.name === selection.name)
      if (scenario === undefined)
        return `unknown scenario "${selection.name}"; known: ${scenarios.map((entry) => entry.name).join(", ")}`
      if (scenario.status !== "runs") return `scenario ${scenario.name} does not run yet: it ${scenario.status}`
      return [scenario]
    }
  }
}

/** One progress line for the whole campaign, on a terminal only. */
const progressDisplay = (totalRuns: number, enabled: boolean) => {
  let finished = 0
  let violations = 0
  return {
    update: (scenario: CatalogScenario, done: number, total: number, scenarioViolations: number): void => {
      if (!enabled) return
      const width = 30
      const overall = finished + done
      const filled = Math.round((overall / totalRuns) * width)
      process.stderr.write(
        `\r\x1b[K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${overall}/${totalRuns} runs, ${violations + scenarioViolations} violations — ${scenario.name} ${done}/${total}`
      )
    },
    scenarioDone: (summary: ScenarioSummary): void => {
      finished += summary.runs
      violations += summary.violations
    },
    end: (): void => {
      if (enabled) process.stderr.write("\r\x1b[K")
    }
  }
}

const printText = (summary: CampaignSummary, single: boolean): void => {
  for (const line of describeFailures(summary)) console.log(line)
  for (const entry of summary.scenarios) for (const cap of entry.capsHit) console.log(`cap: ${entry.scenario} ${cap}`)
  if (summary.failingRuns.length > 0) console.log("")
  const seeds = `seeds ${summary.firstSeed}..${summary.firstSeed + summary.seedsPerScenario - 1}`
  const bugs = summary.bugs.length > 0 ? `, bugs ${summary.bugs.join(", ")}` : ""
  if (!single) console.log(`${summaryTable(summary)}\n`)
  const caps = summary.scenarios.reduce((total, entry) => total + entry.capsHit.length, 0)
  console.log(
    [
      `${single ? `scenario ${summary.scenarios[0]?.scenario}` : `${summary.scenarios.length} scenarios`}, replicas ${summary.replicas}, ${seeds} (shard ${summary.shard})${bugs}`,
      `runs: ${summary.runs}   violations: ${summary.violations}   caps hit: ${caps}`,
      `events/s: ${summary.eventsPerSecond}   replica steps/s: ${summary.replicaStepsPerSecond}   simulated/wall time: ${summary.timeRatio}x`,
      `first trace hash: ${summary.firstTraceHash}`
    ].join("\n")
  )
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const commandLine = readCommandLine("sim", usage, argv, parseSimArguments)
  if (commandLine._tag === "Exit") return commandLine.code
  const options = commandLine.options
  const selected = selectScenarios(options.selection)
  if (typeof selected === "string") {
    console.error(`faultline sim: ${selected}`)
    return 2
  }
  const perScenario = Math.ceil((options.seeds - options.shard.index + 1) / options.shard.count)
  const display = progressDisplay(perScenario * selected.length, process.stderr.isTTY === true && !options.json)
  const summaries: Array<ScenarioSummary> = []
  for (const scenario of selected) {
    const summary = await runScenario(scenario, options, display.update)
    display.scenarioDone(summary)
    summaries.push(summary)
  }
  display.end()
  const summary = summarise(
    {
      seedsPerScenario: options.seeds,
      firstSeed: options.firstSeed,
      replicas: options.replicas,
      bugs: options.bugs,
      shard: `${options.shard.index}/${options.shard.count}`
    },
    summaries
  )
  if (options.json) console.log(JSON.stringify(summary))
  else printText(summary, options.selection._tag === "Scenario")
  return summary.violations > 0 ? 1 : 0
}
