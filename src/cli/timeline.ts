/**
 * `faultline timeline FILE`: a counterexample's replay as a timeline — the schedule's steps and the run's events
 * in time order, heartbeats folded, with filters, a legend, `--json` for tools and `--html OUT` for the same view
 * the dashboard draws, as one file to attach to a bug report.
 */
import { Either } from "effect"
import { numberOption, readCommandLine } from "./commandLine.ts"
import { rerun } from "./counterexampleRun.ts"
import {
  filterEntries,
  foldHeartbeats,
  formatEntry,
  legend,
  timelineEntries,
  timelineKinds,
  type TimelineFilter,
  type TimelineKind
} from "./timelineView.ts"
import { UsageError, parseOptions } from "../options.ts"

const usage = `usage: faultline timeline <counterexample.json> [--node N]... [--from MS] [--to MS] [--kinds K,K]
                          [--heartbeats] [--no-legend] [--json] [--html OUT]

  --node        only entries about replica N (repeatable); violations are always shown
  --from, --to  only entries in this simulated-time window (ms)
  --kinds       only these kinds: ${timelineKinds.join(", ")}
  --heartbeats  show every heartbeat and its ack instead of one line per quiet stretch
  --no-legend   leave out the legend of abbreviations
  --json        print the entries as JSON ({ atMs, kind, nodes, text }) and the violations
  --html OUT    write the dashboard's view of this counterexample as one self-contained HTML file`

interface TimelineArguments {
  readonly file: string
  readonly filter: TimelineFilter
  readonly heartbeats: boolean
  readonly legend: boolean
  readonly json: boolean
  readonly html: string | undefined
}

const parseKinds = (text: string | undefined): ReadonlyArray<TimelineKind> | undefined => {
  if (text === undefined) return undefined
  const kinds = text.split(",").map((kind) => kind.trim())
  const unknown = kinds.find((kind) => !(timelineKinds as ReadonlyArray<string>).includes(kind))
  if (unknown !== undefined)
    throw new UsageError({ message: `--kinds takes ${timelineKinds.join(", ")}; got ${unknown}` })
  return kinds as ReadonlyArray<TimelineKind>
}

const parse = (argv: ReadonlyArray<string>): TimelineArguments => {
  const { values, positionals } = parseOptions({
    args: [...argv],
    options: {
      node: { type: "string", multiple: true },
      from: { type: "string" },
      to: { type: "string" },
      kinds: { type: "string" },
      heartbeats: { type: "boolean", default: false },
      "no-legend": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      html: { type: "string" }
    },
    strict: true,
    allowPositionals: true
  })
  if (positionals.length !== 1) throw new UsageError({ message: "give exactly one counterexample file" })
  const kinds = parseKinds(values.kinds)
  const filter: TimelineFilter = {
    ...(values.node !== undefined ? { nodes: values.node.map((node) => numberOption(node, "--node", 0, 6)) } : {}),
    ...(values.from !== undefined ? { fromMs: numberOption(values.from, "--from", 0, Number.MAX_SAFE_INTEGER) } : {}),
    ...(values.to !== undefined ? { toMs: numberOption(values.to, "--to", 0, Number.MAX_SAFE_INTEGER) } : {}),
    ...(kinds !== undefined ? { kinds } : {})
  }
  return {
    file: positionals[0] as string,
    filter,
    heartbeats: values.heartbeats,
    legend: !values["no-legend"],
    json: values.json,
    html: values.html
  }
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const commandLine = readCommandLine("timeline", usage, argv, parse)
  if (commandLine._tag === "Exit") return commandLine.code
  const options = commandLine.options
  const outcome = rerun(options.file)
  if (Either.isLeft(outcome)) {
    console.error(`faultline timeline: ${outcome.left}`)
    return 2
  }
  const { counterexample, judged } = outcome.right
  if (options.html !== undefined) {
    const { writeRunPage } = await import("./dashboard/page.ts")
    writeRunPage(options.html, options.file, counterexample, judged)
    console.log(`wrote ${options.html}`)
    return 0
  }
  const all = filterEntries(timelineEntries(counterexample.schedule.steps, judged.result.events), options.filter)
  const entries = options.heartbeats ? all : foldHeartbeats(all)
  if (options.json) {
    console.log(JSON.stringify({ entries, violations: judged.findings }))
    return 0
  }
  if (options.legend) console.log(`${legend}\n`)
  for (const entry of entries) console.log(formatEntry(entry))
  for (const finding of judged.findings)
    console.log(`VIOLATION ${finding.invariant} at ${finding.atMs} ms: ${finding.message}`)
  return 0
}
