/**
 * Simulator throughput: replica steps per second and simulated-to-CPU time ratio for 3 and 5 replicas under a
 * steady client load (100 operations per simulated second) at etcd's timing (100 ms heartbeats, 1 s election
 * timeout: the replica's defaults), with and without faults. Also compares `step` through Effect.runSync with
 * the bare `stepPure`, the cost of running model/'s invariants after every step, and that of checkReplicaState
 * (interleaved with runs without it).
 * Goal on one core: ≥100,000 replica steps/s and ≥1,000x real time for 3 replicas. Measures, never asserts.
 *
 * `-- --against DIR` also runs every row on the checkout in DIR (a worktree of an earlier commit), the two
 * alternating run by run in this one process, and prints the ratio of their simulated-to-wall time: the
 * before/after comparison on the same machine and the same schedules. (Steps per second is not compared: a
 * change that batches inputs takes fewer steps for the same work.)
 */
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { allFaultKinds, generateSchedule, noisyProfile } from "../properties/scenarios/generate.ts"
import { runSchedule, type RunOptions, type RunResult } from "../src/sim/run.ts"
import type { Schedule } from "../src/schedule/index.ts"

const simulatedSeconds = Number(process.env["BENCH_SECONDS"] ?? 30)
const workload = { clients: 4, keys: 8, opsPerSecond: 100, startMs: 2000, durationMs: simulatedSeconds * 1000 }

interface Row {
  readonly name: string
  readonly replicas: number
  readonly faults: boolean
  readonly options: RunOptions
}

const fast: RunOptions = { modelInvariants: false, checkLinearizability: false, traceLinesKept: 0 }
const rows: ReadonlyArray<Row> = [
  { name: "effect step", replicas: 3, faults: false, options: fast },
  { name: "pure step", replicas: 3, faults: false, options: { ...fast, stepMode: "pure" } },
  { name: "effect step", replicas: 3, faults: true, options: fast },
  { name: "effect step", replicas: 5, faults: false, options: fast },
  { name: "effect step", replicas: 5, faults: true, options: fast },
  { name: "effect + model invariants", replicas: 3, faults: false, options: { ...fast, modelInvariants: true } },
  { name: "effect + model invariants", replicas: 3, faults: true, options: { ...fast, modelInvariants: true } },
  { name: "effect + model invariants", replicas: 5, faults: false, options: { ...fast, modelInvariants: true } },
  { name: "effect + model invariants", replicas: 5, faults: true, options: { ...fast, modelInvariants: true } }
]

interface Simulator {
  readonly generate: typeof generateSchedule
  readonly run: (schedule: Schedule, options: RunOptions) => RunResult
}

const current: Simulator = { generate: generateSchedule, run: runSchedule }

/** The simulator of another checkout, loaded from its sources. */
const loadSimulator = async (directory: string): Promise<Simulator> => {
  const load = (file: string) => import(pathToFileURL(path.resolve(directory, file)).href)
  const generate = await load("properties/scenarios/generate.ts")
  const run = await load("src/sim/run.ts")
  return { generate: generate.generateSchedule, run: run.runSchedule }
}

const scheduleOf = (simulator: Simulator, row: Pick<Row, "replicas" | "faults">): Schedule =>
  simulator.generate({
    seed: 42,
    replicas: row.replicas,
    workload,
    faults: row.faults ? allFaultKinds : [],
    ...(row.faults ? { profile: noisyProfile, faultEveryMs: 1000 } : {})
  })

interface Timed {
  readonly result: RunResult
  readonly wallMs: number
}

/** The best of eight runs after three warm-ups, in CPU time, each simulator's runs alternating with the other's. */
const measureAll = (simulators: ReadonlyArray<Simulator>, row: Row): Array<Timed> => {
  const schedules = simulators.map((simulator) => scheduleOf(simulator, row))
  const runOnce = (position: number): Timed => {
    const simulator = simulators[position] as Simulator
    // CPU time of this process: on a shared machine, wall time also counts what other processes took.
    const started = process.cpuUsage()
    const result = simulator.run(schedules[position] as Schedule, row.options)
    const used = process.cpuUsage(started)
    return { result, wallMs: (used.user + used.system) / 1000 }
  }
  // Warm-up: JIT and module initialisation.
  for (let warmUp = 0; warmUp < 3; warmUp += 1) simulators.forEach((_, position) => runOnce(position))
  // The best of seven: the JIT keeps improving over the first runs, and other processes add noise.
  const best = simulators.map((_, position) => runOnce(position))
  for (let repetition = 0; repetition < 7; repetition += 1)
    simulators.forEach((_, position) => {
      const timed = runOnce(position)
      if (timed.wallMs < (best[position] as Timed).wallMs) best[position] = timed
    })
  return best
}

const describeRow = (row: Row, { result, wallMs }: Timed): string => {
  const stepsPerSecond = Math.round(result.counters.replicaSteps / (wallMs / 1000))
  const ratio = result.counters.simulatedMs / wallMs
  const completed = result.history.filter((event) => event._tag === "Ok").length
  return [
    `${row.replicas} replicas`.padEnd(11),
    (row.faults ? "faults" : "no faults").padEnd(10),
    row.name.padEnd(26),
    `${stepsPerSecond.toLocaleString("en-US")} steps/s`.padStart(18),
    `${ratio.toFixed(0)}x CPU time`.padStart(16),
    `${(result.counters.replicaSteps / (result.counters.simulatedMs / 1000)).toFixed(0)} steps per simulated s`.padStart(
      28
    ),
    `${completed} ops ok, ${result.violations.length} violations, ${wallMs.toFixed(0)} ms CPU`
  ].join("  ")
}

const realTime = ({ result, wallMs }: Timed): number => result.counters.simulatedMs / wallMs

const againstIndex = process.argv.indexOf("--against")
const againstDirectory = againstIndex >= 0 ? process.argv[againstIndex + 1] : undefined
if (againstIndex >= 0 && againstDirectory === undefined) throw new Error("usage: bench:sim [--against DIR]")
const simulators = againstDirectory === undefined ? [current] : [current, await loadSimulator(againstDirectory)]

console.log(
  `faultline bench:sim — ${simulatedSeconds} s simulated at ${workload.opsPerSecond} ops/s, 100 ms heartbeats, 1 s election timeout`
)
if (againstDirectory !== undefined) console.log(`each row: this checkout, then ${againstDirectory}, then after/before`)
for (const row of rows) {
  const [now, before] = measureAll(simulators, row)
  console.log(describeRow(row, now as Timed))
  if (before === undefined) continue
  console.log(describeRow(row, before))
  console.log(
    `${"".padEnd(49)}after/before: ${(realTime(now as Timed) / realTime(before)).toFixed(2)}x real-time ratio`
  )
}

/**
 * The cost of checkReplicaState (src/protocol/checkState.ts), which runs after every step unless switched off:
 * the same schedule with and without it, the two interleaved run by run so that load from other processes falls
 * on both alike, the best CPU time of `rounds` each.
 */
const stateCheckCost = (replicas: number, faults: boolean, rounds: number): string => {
  const schedule = scheduleOf(current, { replicas, faults })
  const withCheck: RunOptions = { ...fast, checkReplicaState: true }
  const withoutCheck: RunOptions = { ...fast, checkReplicaState: false }
  const best = { with: Number.POSITIVE_INFINITY, without: Number.POSITIVE_INFINITY }
  for (let warmUp = 0; warmUp < 3; warmUp += 1) {
    runSchedule(schedule, withCheck)
    runSchedule(schedule, withoutCheck)
  }
  for (let round = 0; round < rounds; round += 1) {
    for (const [key, options] of [
      ["with", withCheck],
      ["without", withoutCheck]
    ] as const) {
      // CPU time of this process rather than wall time: on a shared machine a run may wait for a core, and that
      // wait says nothing about the check.
      const started = process.cpuUsage()
      runSchedule(schedule, options)
      const used = process.cpuUsage(started)
      best[key] = Math.min(best[key], (used.user + used.system) / 1000)
    }
  }
  return [
    `${replicas} replicas`.padEnd(11),
    (faults ? "faults" : "no faults").padEnd(10),
    `with checkReplicaState ${best.with.toFixed(1)} ms CPU, without ${best.without.toFixed(1)} ms CPU`,
    `ratio ${(best.with / best.without).toFixed(3)}x (best of ${rounds} each, interleaved)`
  ].join("  ")
}

// The state check's cost is measured on this checkout only (not in a --against comparison).
if (againstDirectory === undefined) {
  const stateCheckRounds = Number(process.env["BENCH_STATE_CHECK_ROUNDS"] ?? 15)
  console.log(`\ncheckReplicaState after every step (effect step, no model invariants):`)
  for (const replicas of [3, 5]) {
    for (const faults of [false, true]) console.log(stateCheckCost(replicas, faults, stateCheckRounds))
  }
}
