/**
 * `faultline replay <counterexample.json> --docker`: runs a counterexample's schedule against a Docker cluster
 * (containers/replay/dockerReplay.ts) and says whether its violation reproduced. Exit status: 0 when the run
 * is clean, 1 when any invariant failed (the violation reproduced or another one showed), 2 for a usage error
 * or an invalid file, 3 when no Docker engine is reachable.
 */
import { Either } from "effect"
import { bugNames, isBugName } from "../protocol/bugs.ts"
import { UsageError, parseOptions } from "../options.ts"

const usage = `usage: faultline replay <counterexample.json> --docker [--bugs A,B | --correct] [--time-scale X] [--max-wall-ms MS] [--json]

  --docker        replay against real nodes in Docker (the in-memory replay is \`faultline repro\`)
  --bugs          start the nodes from a test image with these planted bugs compiled in (default: the file's
                  \`bugs\` field); the real image never carries any, and \`faultline serve\` has no such option
  --correct       start the nodes from the real image even when the file names bugs
  --time-scale    wall milliseconds per simulated millisecond (default 1)
  --max-wall-ms   refuse schedules longer than this at the chosen scale (default 120000)
  --json          print the report as JSON`

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage)
    return 0
  }
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    console.error(`faultline replay: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
    return 2
  }
  const { loadReplayable } = await import("../../containers/replay/counterexample.ts")
  const loaded = loadReplayable(parsed.file)
  if (Either.isLeft(loaded)) {
    console.error(`faultline replay: ${loaded.left.message}`)
    return 2
  }
  const testBugs = parsed.correct ? [] : (parsed.bugs ?? loaded.right.bugs)
  const unknownBug = testBugs.find((name) => !isBugName(name))
  if (unknownBug !== undefined) {
    console.error(`faultline replay: unknown bug "${unknownBug}"; the bugs are ${bugNames.join(", ")}`)
    return 2
  }
  const { probeDockerEngine } = await import("../../containers/fixture/engine.ts")
  const engine = await probeDockerEngine()
  if (!engine.available) {
    console.error(`faultline replay: ${engine.reason} (containers/engine/start-docker.sh starts one, as root)`)
    return 3
  }
  const { replayOnDocker } = await import("../../containers/replay/dockerReplay.ts")
  const log = parsed.json ? () => undefined : (line: string) => console.log(line)
  const report = await replayOnDocker(loaded.right, {
    timeScale: parsed.timeScale,
    maxWallMs: parsed.maxWallMs,
    log,
    testBugs: testBugs.filter(isBugName)
  })
  if (parsed.json) console.log(JSON.stringify(report, null, 2))
  else {
    for (const note of report.notes) console.log(`note: ${note}`)
    console.log(
      `${report.scenario}${report.testBugs.length > 0 ? ` (test image with ${report.testBugs.join(", ")})` : " (real image)"}: expected ${report.expected.invariant} violation ${report.reproduced ? "REPRODUCED" : "did not reproduce"} on Docker ` +
        `(${report.operations} operations, ${(report.durationMs / 1000).toFixed(1)} s; artifacts: ${report.artifacts})`
    )
  }
  return report.verdicts.every((verdict) => verdict.ok) ? 0 : 1
}

interface ReplayArguments {
  readonly file: string
  readonly timeScale: number
  readonly maxWallMs: number
  readonly json: boolean
  /** Undefined: take the file's `bugs`. */
  readonly bugs: ReadonlyArray<string> | undefined
  readonly correct: boolean
}

const parse = (argv: ReadonlyArray<string>): ReplayArguments => {
  const { values, positionals } = parseOptions({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      docker: { type: "boolean" },
      "time-scale": { type: "string" },
      "max-wall-ms": { type: "string" },
      json: { type: "boolean" },
      bugs: { type: "string" },
      correct: { type: "boolean" }
    }
  })
  if (positionals.length !== 1) throw new UsageError({ message: "exactly one counterexample file is required" })
  if (values.docker !== true)
    throw new UsageError({ message: "only --docker is supported here; `faultline repro FILE` replays in memory" })
  const timeScale = Number(values["time-scale"] ?? "1")
  if (!(timeScale > 0 && timeScale <= 100))
    throw new UsageError({ message: `--time-scale should be a number in (0, 100], got ${values["time-scale"]}` })
  const maxWallMs = Number(values["max-wall-ms"] ?? "120000")
  if (!Number.isInteger(maxWallMs) || maxWallMs < 1)
    throw new UsageError({ message: `--max-wall-ms should be a positive integer, got ${values["max-wall-ms"]}` })
  if (values.correct === true && values.bugs !== undefined)
    throw new UsageError({ message: "--bugs and --correct exclude each other" })
  const bugs = values.bugs
    ?.split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0)
  return {
    file: positionals[0]!,
    timeScale,
    maxWallMs,
    json: values.json === true,
    bugs,
    correct: values.correct === true
  }
}
