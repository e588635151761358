/**
 * `faultline sim`: runs N seeds of a catalog scenario in the deterministic simulator and summarises them:
 * runs, violations, events per second, simulated-to-wall time ratio and the first trace hash. Reads the wall
 * clock (only here, never inside src/sim) to measure speed.
 */
import { findScenario, scenarios } from "../../properties/scenarios/index.ts"
import { runSchedule, type RunResult } from "../sim/run.ts"

interface SimArguments {
  readonly scenario: string
  readonly seeds: number
  readonly firstSeed: number
  readonly replicas: number
  readonly json: boolean
}

const usage = `usage: faultline sim --scenario <name> --seeds <N> [--seed <S>] [--replicas <R>] [--json]

  --scenario  one of: ${scenarios.map((scenario) => scenario.name).join(", ")}
  --seeds     how many seeds to run (default 10)
  --seed      the first seed (default 1); seeds S, S+1, ... S+N-1 run
  --replicas  cluster size, 1 to 7 (default 3)
  --json      print one JSON object instead of the summary`

const integerOption = (value: string | undefined, name: string, min: number, max: number): number => {
  const parsed = Number(value)
  if (value === undefined || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`${name} should be an integer from ${min} to ${max}, got ${value ?? "nothing"}`)
  }
  return parsed
}

const parse = (argv: ReadonlyArray<string>): SimArguments => {
  const values = new Map<string, string>()
  let json = false
  for (let position = 0; position < argv.length; position += 1) {
    const flag = argv[position] as string
    if (flag === "--json") json = true
    else if (["--scenario", "--seeds", "--seed", "--replicas"].includes(flag)) {
      values.set(flag, argv[position + 1] ?? "")
      position += 1
    } else throw new Error(`unknown option ${flag}`)
  }
  const scenario = values.get("--scenario")
  if (scenario === undefined) throw new Error("--scenario is required")
  return {
    scenario,
    seeds: integerOption(values.get("--seeds") ?? "10", "--seeds", 1, 1_000_000),
    firstSeed: integerOption(values.get("--seed") ?? "1", "--seed", -(2 ** 31), 2 ** 31 - 1),
    replicas: integerOption(values.get("--replicas") ?? "3", "--replicas", 1, 7),
    json
  }
}

const progress = (done: number, total: number, violations: number): void => {
  const width = 30
  const filled = Math.round((done / total) * width)
  const bar = `${"#".repeat(filled)}${".".repeat(width - filled)}`
  process.stderr.write(`\r[${bar}] ${done}/${total} runs, ${violations} violations`)
}

const describeFailure = (scenario: string, replicas: number, result: RunResult): string => {
  const lines = result.violations.map((violation) => `  ${violation.invariant} at ${violation.atMs} ms: ${violation.message}`)
  const replay = `faultline sim --scenario ${scenario} --seeds 1 --seed ${result.seed} --replicas ${replicas}`
  return [`seed ${result.seed}: ${result.violations.length} violation(s) — replay with: ${replay}`, ...lines].join("\n")
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage)
    return 0
  }
  let options: SimArguments
  try {
    options = parse(argv)
  } catch (error) {
    console.error(`faultline sim: ${(error as Error).message}\n\n${usage}`)
    return 2
  }
  const scenario = findScenario(options.scenario)
  if (scenario === undefined) {
    console.error(`faultline sim: unknown scenario "${options.scenario}"; known: ${scenarios.map((entry) => entry.name).join(", ")}`)
    return 2
  }
  const showProgress = process.stderr.isTTY === true && !options.json
  const traceHashes: Array<string> = []
  const failures: Array<RunResult> = []
  const capped: Array<string> = []
  let events = 0
  let simulatedMs = 0
  let replicaSteps = 0
  const startedMs = performance.now()
  for (let offset = 0; offset < options.seeds; offset += 1) {
    const seed = options.firstSeed + offset
    const result = runSchedule(scenario.schedule(seed, options.replicas))
    traceHashes.push(result.traceHash)
    events += result.counters.events
    simulatedMs += result.counters.simulatedMs
    replicaSteps += result.counters.replicaSteps
    if (result.violations.length > 0) failures.push(result)
    if (result.capMessage !== undefined) capped.push(`seed ${seed}: ${result.capMessage}`)
    if (showProgress) progress(offset + 1, options.seeds, failures.length)
    // Let the terminal breathe between runs so that Ctrl-C and the progress bar stay responsive.
    await new Promise((resolve) => setImmediate(resolve))
  }
  if (showProgress) process.stderr.write("\n")
  const wallMs = Math.max(1e-3, performance.now() - startedMs)
  const violations = failures.reduce((total, result) => total + result.violations.length, 0)
  const summary = {
    scenario: scenario.name,
    replicas: options.replicas,
    runs: options.seeds,
    violations,
    failingSeeds: failures.map((result) => result.seed),
    eventsPerSecond: Math.round(events / (wallMs / 1000)),
    replicaStepsPerSecond: Math.round(replicaSteps / (wallMs / 1000)),
    timeRatio: Math.round(simulatedMs / wallMs),
    capsHit: capped,
    firstTraceHash: traceHashes[0] ?? "",
    traceHashes
  }
  if (options.json) console.log(JSON.stringify(summary))
  else {
    for (const result of failures.slice(0, 5)) console.log(describeFailure(scenario.name, options.replicas, result))
    for (const line of capped.slice(0, 5)) console.log(`cap: ${line}`)
    console.log(
      [
        `scenario ${scenario.name}, ${options.replicas} replicas, seeds ${options.firstSeed}..${options.firstSeed + options.seeds - 1}`,
        `runs: ${summary.runs}   violations: ${violations}${failures.length > 0 ? ` (in ${failures.length} runs)` : ""}   caps hit: ${capped.length}`,
        `events/s: ${summary.eventsPerSecond}   replica steps/s: ${summary.replicaStepsPerSecond}   simulated/wall time: ${summary.timeRatio}x`,
        `first trace hash: ${summary.firstTraceHash}`
      ].join("\n")
    )
  }
  return failures.length > 0 ? 1 : 0
}
