/**
 * `faultline sim`: runs N seeds of a catalog scenario in the deterministic simulator and summarises them:
 * runs, violations, events per second, simulated-to-wall time ratio and the first trace hash. A seed names
 * the same schedule as in the property suite (the scenario's fast-check generator, sampled with that seed).
 * Reads the wall clock (only here, never inside src/sim) to measure speed.
 */
import { parseArgs } from "node:util"
import type { BugName } from "../protocol/bugs.ts"
import { findScenario, sampleSchedule, scenarios, type CatalogScenario } from "../../properties/scenarios/index.ts"
import { judge, type Judgement } from "../../properties/judge.ts"
import { bugOptions, numberOption, readCommandLine } from "./commandLine.ts"

interface SimArguments {
  readonly scenario: string
  readonly seeds: number
  readonly firstSeed: number
  readonly replicas: number | undefined
  readonly shard: { readonly index: number; readonly count: number }
  readonly bugs: ReadonlyArray<BugName>
  readonly json: boolean
}

const usage = `usage: faultline sim --scenario <name> --seeds <N> [--seed <S>] [--replicas <R>] [--shard k/n] [--bug NAME] [--json]

  --scenario  a catalog scenario (faultline scenarios lists them)
  --seeds     how many seeds to run (default 10)
  --seed      the first seed (default 1); seeds S, S+1, ... S+N-1 run
  --replicas  cluster size, 1 to 7 (default: what the scenario draws for each seed)
  --shard     k/n: run only the seeds whose position is k modulo n (1 ≤ k ≤ n), to spread a campaign
  --bug       switch on a test-only protocol bug (repeatable; faultline mutants lists them)
  --json      print one JSON object instead of the summary`

const parseShard = (text: string | undefined): { index: number; count: number } => {
  if (text === undefined) return { index: 1, count: 1 }
  const match = /^(\d+)\/(\d+)$/.exec(text)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (match === null || count < 1 || index < 1 || index > count)
    throw new Error(`--shard should be k/n with 1 ≤ k ≤ n, got ${text}`)
  return { index, count }
}

const parse = (argv: ReadonlyArray<string>): SimArguments => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scenario: { type: "string" },
      seeds: { type: "string", default: "10" },
      seed: { type: "string", default: "1" },
      replicas: { type: "string" },
      shard: { type: "string" },
      bug: { type: "string", multiple: true },
      json: { type: "boolean", default: false }
    },
    strict: true,
    allowPositionals: false
  })
  if (values.scenario === undefined) throw new Error("--scenario is required")
  return {
    scenario: values.scenario,
    seeds: numberOption(values.seeds, "--seeds", 1, 1_000_000),
    firstSeed: numberOption(values.seed, "--seed", 0, 2 ** 31 - 1),
    replicas: values.replicas === undefined ? undefined : numberOption(values.replicas, "--replicas", 1, 7),
    shard: parseShard(values.shard),
    bugs: bugOptions(values.bug),
    json: values.json
  }
}

const progress = (done: number, total: number, violations: number): void => {
  const width = 30
  const filled = Math.round((done / total) * width)
  process.stderr.write(
    `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} runs, ${violations} violations`
  )
}

const replayCommand = (options: SimArguments, seed: number): string =>
  [
    `faultline sim --scenario ${options.scenario} --seeds 1 --seed ${seed}`,
    ...(options.replicas !== undefined ? [`--replicas ${options.replicas}`] : []),
    ...options.bugs.map((bug) => `--bug ${bug}`)
  ].join(" ")

const describeFailure = (options: SimArguments, seed: number, judged: Judgement): string => {
  const lines = judged.findings.map((finding) => `  ${finding.invariant} at ${finding.atMs} ms: ${finding.message}`)
  return [
    `seed ${seed}: ${judged.findings.length} violation(s) — replay with: ${replayCommand(options, seed)}`,
    ...lines
  ].join("\n")
}

interface Tally {
  readonly seeds: Array<number>
  readonly traceHashes: Array<string>
  readonly failures: Array<{ seed: number; judged: Judgement }>
  readonly capped: Array<string>
  events: number
  simulatedMs: number
  replicaSteps: number
}

const runSeeds = async (scenario: CatalogScenario, options: SimArguments, showProgress: boolean): Promise<Tally> => {
  const tally: Tally = {
    seeds: [],
    traceHashes: [],
    failures: [],
    capped: [],
    events: 0,
    simulatedMs: 0,
    replicaSteps: 0
  }
  const seeds = Array.from({ length: options.seeds }, (_, offset) => options.firstSeed + offset).filter(
    (_, position) => position % options.shard.count === options.shard.index - 1
  )
  for (const seed of seeds) {
    const built = sampleSchedule(scenario, seed, options.replicas)
    const judged = judge(built.schedule, {
      bugs: new Set(options.bugs),
      healedAtMs: built.healedAtMs,
      expectations: scenario.expectations
    })
    const result = judged.result
    tally.seeds.push(seed)
    tally.traceHashes.push(result.traceHash)
    tally.events += result.counters.events
    tally.simulatedMs += result.counters.simulatedMs
    tally.replicaSteps += result.counters.replicaSteps
    if (judged.findings.length > 0) tally.failures.push({ seed, judged })
    if (result.capMessage !== undefined) tally.capped.push(`seed ${seed}: ${result.capMessage}`)
    if (showProgress) progress(tally.seeds.length, seeds.length, tally.failures.length)
    // Let the terminal breathe between runs so that Ctrl-C and the progress bar stay responsive.
    await new Promise((resolve) => setImmediate(resolve))
  }
  return tally
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const commandLine = readCommandLine("sim", usage, argv, parse)
  if (commandLine._tag === "Exit") return commandLine.code
  const options = commandLine.options
  const scenario = findScenario(options.scenario)
  if (scenario === undefined) {
    console.error(
      `faultline sim: unknown scenario "${options.scenario}"; known: ${scenarios.map((entry) => entry.name).join(", ")}`
    )
    return 2
  }
  if (scenario.status !== "runs") {
    console.error(`faultline sim: scenario ${scenario.name} does not run yet: it ${scenario.status}`)
    return 2
  }
  const showProgress = process.stderr.isTTY === true && !options.json
  const startedMs = performance.now()
  const tally = await runSeeds(scenario, options, showProgress)
  if (showProgress) process.stderr.write("\n")
  const wallMs = Math.max(1e-3, performance.now() - startedMs)
  const violations = tally.failures.reduce((total, failure) => total + failure.judged.findings.length, 0)
  const summary = {
    scenario: scenario.name,
    replicas: options.replicas ?? "drawn per seed",
    shard: `${options.shard.index}/${options.shard.count}`,
    bugs: options.bugs,
    runs: tally.seeds.length,
    violations,
    failingSeeds: tally.failures.map((failure) => failure.seed),
    eventsPerSecond: Math.round(tally.events / (wallMs / 1000)),
    replicaStepsPerSecond: Math.round(tally.replicaSteps / (wallMs / 1000)),
    timeRatio: Math.round(tally.simulatedMs / wallMs),
    capsHit: tally.capped,
    firstTraceHash: tally.traceHashes[0] ?? "",
    traceHashes: tally.traceHashes
  }
  if (options.json) console.log(JSON.stringify(summary))
  else {
    for (const failure of tally.failures.slice(0, 5))
      console.log(describeFailure(options, failure.seed, failure.judged))
    for (const line of tally.capped.slice(0, 5)) console.log(`cap: ${line}`)
    console.log(
      [
        `scenario ${scenario.name}, replicas ${summary.replicas}, seeds ${tally.seeds[0] ?? "-"}..${tally.seeds.at(-1) ?? "-"} (shard ${summary.shard})`,
        `runs: ${summary.runs}   violations: ${violations}${tally.failures.length > 0 ? ` (in ${tally.failures.length} runs)` : ""}   caps hit: ${tally.capped.length}`,
        `events/s: ${summary.eventsPerSecond}   replica steps/s: ${summary.replicaStepsPerSecond}   simulated/wall time: ${summary.timeRatio}x`,
        `first trace hash: ${summary.firstTraceHash}`
      ].join("\n")
    )
  }
  return tally.failures.length > 0 ? 1 : 0
}
