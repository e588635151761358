/**
 * A campaign's summary as data: the JSON `faultline sim --json` prints, the Schema `faultline merge` decodes
 * shards with, the merge itself, and the text a person reads (failing seeds with the commands that open
 * them, and a table per scenario). Merging the shards of a campaign gives the summary of the unsharded run,
 * field for field, except the wall-clock figures (wallMs and the rates computed from it).
 */
import { Data, Schema } from "effect"
import { InvariantName } from "../../model/invariants/names.ts"

const SeedFailure = Schema.Struct({
  seed: Schema.Int,
  invariant: InvariantName,
  message: Schema.String,
  atMs: Schema.Number,
  originalSteps: Schema.Int,
  steps: Schema.Int,
  file: Schema.String
})

export const ScenarioSummary = Schema.Struct({
  scenario: Schema.String,
  phase: Schema.String,
  runs: Schema.Int,
  violations: Schema.Int,
  failingSeeds: Schema.Array(Schema.Int),
  failures: Schema.Array(SeedFailure),
  capsHit: Schema.Array(Schema.String),
  seeds: Schema.Array(Schema.Int),
  traceHashes: Schema.Array(Schema.String),
  events: Schema.Number,
  replicaSteps: Schema.Number,
  simulatedMs: Schema.Number,
  wallMs: Schema.Number
})
export type ScenarioSummary = typeof ScenarioSummary.Type

export const CampaignSummary = Schema.Struct({
  version: Schema.Literal(1),
  seedsPerScenario: Schema.Int,
  firstSeed: Schema.Int,
  replicas: Schema.Union(Schema.Int, Schema.Literal("drawn per seed")),
  bugs: Schema.Array(Schema.String),
  shard: Schema.String,
  scenarios: Schema.Array(ScenarioSummary),
  runs: Schema.Int,
  violations: Schema.Int,
  failingRuns: Schema.Array(Schema.Struct({ scenario: Schema.String, seed: Schema.Int, file: Schema.String })),
  eventsPerSecond: Schema.Number,
  replicaStepsPerSecond: Schema.Number,
  timeRatio: Schema.Number,
  firstTraceHash: Schema.String,
  traceHashes: Schema.Array(Schema.String)
})
export type CampaignSummary = typeof CampaignSummary.Type

export interface CampaignHeader {
  readonly seedsPerScenario: number
  readonly firstSeed: number
  readonly replicas: number | undefined
  readonly bugs: ReadonlyArray<string>
  readonly shard: string
}

/** The totals over the scenarios (the rates from summed wall time). */
export const summarise = (header: CampaignHeader, scenarios: ReadonlyArray<ScenarioSummary>): CampaignSummary => {
  const wallSeconds = Math.max(1e-6, scenarios.reduce((total, entry) => total + entry.wallMs, 0) / 1000)
  const sum = (field: "events" | "replicaSteps" | "simulatedMs" | "runs" | "violations"): number =>
    scenarios.reduce((total, entry) => total + entry[field], 0)
  const traceHashes = scenarios.flatMap((entry) => entry.traceHashes)
  return {
    version: 1,
    seedsPerScenario: header.seedsPerScenario,
    firstSeed: header.firstSeed,
    replicas: header.replicas ?? "drawn per seed",
    bugs: [...header.bugs],
    shard: header.shard,
    scenarios: [...scenarios],
    runs: sum("runs"),
    violations: sum("violations"),
    failingRuns: scenarios.flatMap((entry) =>
      entry.failures.map((failure) => ({ scenario: entry.scenario, seed: failure.seed, file: failure.file }))
    ),
    eventsPerSecond: Math.round(sum("events") / wallSeconds),
    replicaStepsPerSecond: Math.round(sum("replicaSteps") / wallSeconds),
    timeRatio: Math.round(sum("simulatedMs") / 1000 / wallSeconds),
    firstTraceHash: traceHashes[0] ?? "",
    traceHashes
  }
}

/** Shard summaries that do not make one campaign; the message says why. */
export class MergeError extends Data.TaggedError("MergeError")<{ readonly message: string }> {}

const seedOfCap = (text: string): number => Number(/^seed (\d+)/.exec(text)?.[1] ?? 0)

const mergeScenario = (parts: ReadonlyArray<ScenarioSummary>): ScenarioSummary => {
  const first = parts[0] as ScenarioSummary
  const seeded = parts
    .flatMap((part) => part.seeds.map((seed, position) => ({ seed, hash: part.traceHashes[position] ?? "" })))
    .sort((left, right) => left.seed - right.seed)
  const failures = parts.flatMap((part) => part.failures).sort((left, right) => left.seed - right.seed)
  const total = (field: "events" | "replicaSteps" | "simulatedMs" | "wallMs" | "runs" | "violations"): number =>
    parts.reduce((sum, part) => sum + part[field], 0)
  return {
    scenario: first.scenario,
    phase: first.phase,
    runs: total("runs"),
    violations: total("violations"),
    failingSeeds: failures.map((failure) => failure.seed),
    failures,
    capsHit: parts.flatMap((part) => part.capsHit).sort((left, right) => seedOfCap(left) - seedOfCap(right)),
    seeds: seeded.map((entry) => entry.seed),
    traceHashes: seeded.map((entry) => entry.hash),
    events: total("events"),
    replicaSteps: total("replicaSteps"),
    simulatedMs: total("simulatedMs"),
    wallMs: total("wallMs")
  }
}

/** Combines the shards k/n (every k once, the same campaign) into the unsharded run's summary. */
export const mergeShards = (shards: ReadonlyArray<CampaignSummary>): CampaignSummary => {
  const first = shards[0]
  if (first === undefined) throw new MergeError({ message: "no shard summaries to merge" })
  const count = Number(first.shard.split("/")[1])
  const indexes = shards.map((shard) => shard.shard).sort()
  const expected = Array.from({ length: count }, (_, index) => `${index + 1}/${count}`).sort()
  if (indexes.join(",") !== expected.join(","))
    throw new MergeError({ message: `expected the shards ${expected.join(", ")}, got ${indexes.join(", ")}` })
  const campaignOf = (shard: CampaignSummary): string =>
    JSON.stringify([
      shard.seedsPerScenario,
      shard.firstSeed,
      shard.replicas,
      shard.bugs,
      shard.scenarios.map((s) => s.scenario)
    ])
  const different = shards.find((shard) => campaignOf(shard) !== campaignOf(first))
  if (different !== undefined)
    throw new MergeError({
      message: `shard ${different.shard} ran a different campaign (seeds, bugs, replicas or scenarios) than shard ${first.shard}`
    })
  const scenarios = first.scenarios.map((entry, position) =>
    mergeScenario(shards.map((shard) => shard.scenarios[position] as ScenarioSummary))
  )
  const header = {
    seedsPerScenario: first.seedsPerScenario,
    firstSeed: first.firstSeed,
    replicas: first.replicas === "drawn per seed" ? undefined : first.replicas,
    bugs: first.bugs,
    shard: "1/1"
  }
  return summarise(header, scenarios)
}

// Text ---------------------------------------------------------------------------------------------------

const quote = (path: string): string => (/^[\w./+-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`)

/** Every failing seed, none left out, each with the commands that open its counterexample. */
export const describeFailures = (summary: CampaignSummary): ReadonlyArray<string> =>
  summary.scenarios.flatMap((entry) =>
    entry.failures.flatMap((failure) => [
      `${entry.scenario} seed ${failure.seed}: ${failure.invariant} at ${failure.atMs} ms — ${failure.message}`,
      `  counterexample: ${failure.file} (${failure.steps === failure.originalSteps ? `${failure.steps} steps, not shrunk` : `shrunk from ${failure.originalSteps} to ${failure.steps} steps`})`,
      `  npx faultline repro ${quote(failure.file)}`,
      `  npx faultline timeline ${quote(failure.file)}`,
      `  npx faultline bisect ${quote(failure.file)}`
    ])
  )

const ratioOf = (entry: ScenarioSummary): string =>
  entry.wallMs > 0 ? `${Math.round(entry.simulatedMs / entry.wallMs)}x` : "-"

/** One row per scenario: runs, violations, simulated/wall time, failing seeds. */
export const summaryTable = (summary: CampaignSummary): string => {
  const rows = summary.scenarios.map((entry) => [
    entry.scenario,
    String(entry.runs),
    String(entry.violations),
    ratioOf(entry),
    entry.failingSeeds.length > 0 ? entry.failingSeeds.join(" ") : "-"
  ])
  const header = ["scenario", "runs", "violations", "time ratio", "failing seeds"]
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)))
  const format = (row: ReadonlyArray<string>): string =>
    row
      .map((cell, column) =>
        column === 0 || column === 4 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)
      )
      .join("  ")
      .trimEnd()
  return [format(header), format(widths.map((width) => "-".repeat(width))), ...rows.map(format)].join("\n")
}
