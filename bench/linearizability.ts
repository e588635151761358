/**
 * Times the linearizability checker against Porcupine on the same histories in the same run: the Porcupine and
 * Jepsen histories (model/linearizability/testdata/porcupine) and crash-heavy histories recorded from a real
 * cluster (model/linearizability/testdata/crash). For each file, ours and Porcupine's alternate run by run, so
 * that both see the same machine load. Parsing is not timed: Porcupine's figures are for the check.
 *
 * Porcupine is a Go program: set PORCUPINE_BIN to an executable built from its source that takes
 * `FORMAT FILE RUNS` (FORMAT jepsen-etcd or porcupine-kv, with the models and parsers of Porcupine's own tests)
 * and prints `VERDICT<TAB>MS<TAB>MS...` (one time per run); see docs/linearizability.md. Without it, the
 * manifests' recorded Porcupine medians are shown instead, marked as such.
 *
 * Each figure is the best of the runs: on a shared machine one run of the same search can take 1 ms or 300 ms,
 * and the fastest run is the one least disturbed by other work, for both checkers alike.
 * Usage: npm run bench:linearizability [-- --runs N] [-- --only SUBSTRING]
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Either } from "effect"
import { parseHistory, parseManifest, type ManifestRow } from "../model/formats/index.ts"

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const dataDirectories = ["porcupine", "crash"].map((name) =>
  path.resolve(repositoryRoot, "model/linearizability/testdata", name)
)

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(name)
  return index === -1 ? undefined : process.argv[index + 1]
}
const runs = Number(argument("--runs") ?? 10)
const only = argument("--only")
const warmupRuns = 2
const porcupineBinary = process.env.PORCUPINE_BIN
/** Porcupine figures at or above this are the ones the goal (ours ≤ Porcupine's) is held to. */
const goalFloorMilliseconds = 20

const best = (values: ReadonlyArray<number>): number => Math.min(...values)

interface Measurement {
  readonly row: ManifestRow
  readonly verdict: string
  readonly checkMilliseconds: number
  readonly porcupineVerdict: string | null
  readonly porcupineMilliseconds: number
}

const parse = (file: string, row: ManifestRow) => {
  const parsed = parseHistory(row.format, readFileSync(file, "utf8"))
  if (Either.isLeft(parsed)) throw new Error(`${row.file}:${parsed.left.line}: ${parsed.left.message}`)
  return parsed.right
}

/** One timed check of ours. */
const runOurs = (history: ReturnType<typeof parse>): { verdict: string; milliseconds: number } => {
  const start = performance.now()
  const result = history.check({ budget: { time: { clock: () => performance.now(), maxMilliseconds: 60_000 } } })
  return { verdict: result.verdict, milliseconds: performance.now() - start }
}

/**
 * One timed check of Porcupine's: the binary runs the check twice in its process and the second time is taken
 * (the first one pays for the cold process).
 */
const runPorcupine = (file: string, row: ManifestRow): { verdict: string; milliseconds: number } => {
  const output = execFileSync(porcupineBinary!, [row.format, file, "2"], { encoding: "utf8" })
  const [verdict, ...times] = output.trim().split("\t")
  return { verdict: verdict ?? "", milliseconds: Number(times[times.length - 1]) }
}

/**
 * Ours and Porcupine's alternate run by run, so that a burst of load on the shared machine falls on both alike
 * rather than on whichever was measured at the time.
 */
const measure = (directory: string, row: ManifestRow): Measurement => {
  const file = path.join(directory, row.file)
  const history = parse(file, row)
  const ours: Array<number> = []
  const theirs: Array<number> = []
  let verdict = ""
  let porcupineVerdict: string | null = null
  for (let run = 0; run < warmupRuns + runs; run++) {
    const mine = runOurs(history)
    verdict = mine.verdict
    if (run >= warmupRuns) ours.push(mine.milliseconds)
    if (porcupineBinary === undefined) continue
    const porcupine = runPorcupine(file, row)
    porcupineVerdict = porcupine.verdict
    if (run >= warmupRuns) theirs.push(porcupine.milliseconds)
  }
  return {
    row,
    verdict,
    checkMilliseconds: best(ours),
    porcupineVerdict,
    porcupineMilliseconds: porcupineBinary === undefined ? row.porcupineMedianMilliseconds : best(theirs)
  }
}

const loadRows = (directory: string): ReadonlyArray<ManifestRow> => {
  const manifest = parseManifest(readFileSync(path.join(directory, "manifest.tsv"), "utf8"))
  if (Either.isLeft(manifest))
    throw new Error(`${directory}/manifest.tsv:${manifest.left.line}: ${manifest.left.message}`)
  return manifest.right.filter((row) => only === undefined || row.file.includes(only))
}

const columns = [24, 5, 17, 9, 13, 7] as const
const formatRow = (cells: ReadonlyArray<string>): string =>
  cells
    .map((cell, index) => (index === 0 || index === 2 ? cell.padEnd(columns[index]!) : cell.padStart(columns[index]!)))
    .join(" ")

const report = (measurements: ReadonlyArray<Measurement>): number => {
  const source =
    porcupineBinary === undefined
      ? "Porcupine: the manifests' recorded medians"
      : `Porcupine: ${porcupineBinary}, same run`
  console.log(`${measurements.length} histories, best of ${runs} runs after ${warmupRuns} warm-up runs; ${source}`)
  console.log(formatRow(["file", "ops", "verdict", "ours ms", "porcupine ms", "ratio"]))
  let mismatches = 0
  let overGoal = 0
  for (const { row, verdict, checkMilliseconds, porcupineVerdict, porcupineMilliseconds } of measurements) {
    const agrees = verdict === row.expectedVerdict && (porcupineVerdict === null || porcupineVerdict === verdict)
    if (!agrees) mismatches++
    const ratio = checkMilliseconds / porcupineMilliseconds
    const held = porcupineMilliseconds >= goalFloorMilliseconds
    if (held && ratio > 1) overGoal++
    console.log(
      formatRow([
        row.file,
        String(row.operations),
        agrees ? verdict : `${verdict} (WRONG: expected ${row.expectedVerdict}, porcupine ${porcupineVerdict})`,
        checkMilliseconds.toFixed(3),
        porcupineMilliseconds.toFixed(3),
        ratio.toFixed(2) + (held && ratio > 1 ? " !" : "")
      ])
    )
  }
  const ours = measurements.reduce((sum, { checkMilliseconds }) => sum + checkMilliseconds, 0)
  const theirs = measurements.reduce((sum, { porcupineMilliseconds }) => sum + porcupineMilliseconds, 0)
  console.log(
    `total: ours ${ours.toFixed(1)} ms, porcupine ${theirs.toFixed(1)} ms, ratio ${(ours / theirs).toFixed(2)}`
  )
  console.log(`files where Porcupine takes ≥ ${goalFloorMilliseconds} ms and ours is slower: ${overGoal}`)
  console.log(`verdicts: ${measurements.length - mismatches} of ${measurements.length} as expected`)
  return mismatches === 0 ? 0 : 1
}

const main = (): number => {
  const measurements = dataDirectories.flatMap((directory) => loadRows(directory).map((row) => measure(directory, row)))
  return report(measurements)
}

process.exitCode = main()
