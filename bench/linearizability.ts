/**
 * Times the linearizability checker on the shared Porcupine histories and compares it with Porcupine's own
 * medians from the manifest. Parsing is timed apart from checking: Porcupine's figures are for the check.
 * Usage: npm run bench:linearizability [-- --runs N]
 */
import { readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Either } from "effect"
import { parseHistory, parseManifest, type ManifestRow } from "../model/formats/index.ts"

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const dataDirectory = path.resolve(repositoryRoot, "model/linearizability/testdata/porcupine")

const runsArgument = process.argv.indexOf("--runs")
const runs = runsArgument === -1 ? 7 : Number(process.argv[runsArgument + 1])
const warmupRuns = 2

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((left, right) => left - right)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

interface Measurement {
  readonly row: ManifestRow
  readonly verdict: string
  readonly parseMilliseconds: number
  readonly checkMilliseconds: number
}

const measure = (row: ManifestRow): Measurement => {
  const text = readFileSync(path.join(dataDirectory, row.file), "utf8")
  const parseStart = performance.now()
  const parsed = parseHistory(row.format, text)
  const parseMilliseconds = performance.now() - parseStart
  if (Either.isLeft(parsed)) throw new Error(`${row.file}:${parsed.left.line}: ${parsed.left.message}`)
  const times: Array<number> = []
  let verdict = ""
  for (let run = 0; run < warmupRuns + runs; run++) {
    const start = performance.now()
    const result = parsed.right.check({ budget: { time: { clock: () => performance.now(), maxMilliseconds: 10_000 } } })
    if (run >= warmupRuns) times.push(performance.now() - start)
    verdict = result.verdict
  }
  return { row, verdict, parseMilliseconds, checkMilliseconds: median(times) }
}

const main = (): number => {
  const manifest = parseManifest(readFileSync(path.join(dataDirectory, "manifest.tsv"), "utf8"))
  if (Either.isLeft(manifest)) throw new Error(`manifest.tsv:${manifest.left.line}: ${manifest.left.message}`)
  const measurements = manifest.right.map(measure)
  console.log(
    `linearizability checker on ${measurements.length} Porcupine histories, median of ${runs} runs after ${warmupRuns} warm-up runs`
  )
  console.log(
    [
      "file".padEnd(24),
      "ops".padStart(5),
      "verdict".padEnd(17),
      "ours ms".padStart(9),
      "porcupine ms".padStart(13),
      "ratio".padStart(7),
      "parse ms".padStart(9)
    ].join(" ")
  )
  let mismatches = 0
  for (const { row, verdict, parseMilliseconds, checkMilliseconds } of measurements) {
    const agrees = verdict === row.expectedVerdict
    if (!agrees) mismatches++
    console.log(
      [
        row.file.padEnd(24),
        String(row.operations).padStart(5),
        (agrees ? verdict : `${verdict} (WRONG)`).padEnd(17),
        checkMilliseconds.toFixed(3).padStart(9),
        row.porcupineMedianMilliseconds.toFixed(3).padStart(13),
        (checkMilliseconds / row.porcupineMedianMilliseconds).toFixed(2).padStart(7),
        parseMilliseconds.toFixed(2).padStart(9)
      ].join(" ")
    )
  }
  const ours = measurements.reduce((sum, { checkMilliseconds }) => sum + checkMilliseconds, 0)
  const theirs = measurements.reduce((sum, { row }) => sum + row.porcupineMedianMilliseconds, 0)
  const slowest = measurements.reduce((worst, next) =>
    next.checkMilliseconds > worst.checkMilliseconds ? next : worst
  )
  console.log(
    `total: ours ${ours.toFixed(1)} ms, porcupine ${theirs.toFixed(1)} ms, ratio ${(ours / theirs).toFixed(2)} (goal ≤ 1, floor ≤ 2)`
  )
  console.log(`slowest file: ${slowest.row.file} at ${slowest.checkMilliseconds.toFixed(1)} ms (goal < 1000 ms)`)
  console.log(`verdicts: ${measurements.length - mismatches} of ${measurements.length} as expected`)
  return mismatches === 0 ? 0 : 1
}

process.exitCode = main()
