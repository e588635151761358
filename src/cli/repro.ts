/**
 * `faultline repro FILE`: replays a counterexample in memory and says whether it still fails. Shows the
 * violated invariant, the schedule as a story, and the events that led to the violation: the role changes,
 * timers, faults and messages of the replicas it names (heartbeats and persists left out; `faultline timeline`
 * prints everything). `--html OUT` writes the dashboard's view of the run as one file. Exit 1 if it still
 * fails, 0 if it no longer does, 2 if the file is not a valid counterexample.
 */
import { Either } from "effect"
import type { InvariantName } from "../../model/invariants/names.ts"
import { describeSchedule } from "../schedule/index.ts"
import { numberOption, readCommandLine } from "./commandLine.ts"
import { rerun } from "./counterexampleRun.ts"
import type { Explanation } from "../../model/linearizability/index.ts"
import type { Judgement } from "../../properties/judge.ts"
import { checkLinearizable } from "../sim/linearizability.ts"
import { explainedWindow, formatEntry, legend, timelineEntries, violationWindow } from "./timelineView.ts"
import { UsageError, parseOptions } from "../options.ts"

const usage = `usage: faultline repro <counterexample.json> [--context <events>] [--html OUT]

  --context  events shown before the violation (default 15)
  --html     also write the dashboard's view of the run as one self-contained HTML file`

interface ReproArguments {
  readonly file: string
  readonly contextLines: number
  readonly html: string | undefined
}

const parse = (argv: ReadonlyArray<string>): ReproArguments => {
  const { values, positionals } = parseOptions({
    args: [...argv],
    options: { context: { type: "string", default: "15" }, html: { type: "string" } },
    strict: true,
    allowPositionals: true
  })
  if (positionals.length !== 1) throw new UsageError({ message: "give exactly one counterexample file" })
  return {
    file: positionals[0] as string,
    contextLines: numberOption(values.context, "--context", 1, 100_000),
    html: values.html
  }
}

/** The checker's explanation of a history that is not linearizable, judged as the run judged it (settled). */
const explanationOf = (invariant: InvariantName, judged: Judgement): Explanation | null => {
  if (invariant.toLowerCase() !== "linearizability") return null
  const verdict = checkLinearizable(judged.result.history, judged.result.settlements())
  return verdict._tag === "Checked" ? verdict.result.explanation : null
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const commandLine = readCommandLine("repro", usage, argv, parse)
  if (commandLine._tag === "Exit") return commandLine.code
  const { file: path, contextLines, html } = commandLine.options
  const outcome = rerun(path)
  if (Either.isLeft(outcome)) {
    console.error(`faultline repro: ${outcome.left}`)
    return 2
  }
  const { counterexample, judged } = outcome.right
  const recorded = counterexample.violation
  const bugs = counterexample.bugs.length > 0 ? ` with bugs ${counterexample.bugs.join(", ")}` : ""
  console.log(
    `counterexample: scenario ${counterexample.scenario}${bugs}, fast-check seed ${counterexample.fastCheck.seed} path ${counterexample.fastCheck.path}`
  )
  console.log(`recorded violation: ${recorded.invariant} at ${recorded.atMs} ms — ${recorded.message}`)
  console.log(
    `\nschedule (${counterexample.schedule.steps.length} steps):\n${describeSchedule(counterexample.schedule)}\n`
  )
  const sameTrace = judged.result.traceHash === counterexample.traceHash
  console.log(
    `trace hash ${sameTrace ? "matches the recorded run" : `differs from the recorded run (${counterexample.traceHash.slice(0, 12)}…): the code changed since`}`
  )
  if (html !== undefined) {
    const { writeRunPage } = await import("./dashboard/page.ts")
    writeRunPage(html, path, counterexample, judged)
    console.log(`wrote ${html}`)
  }
  const finding = judged.findings[0]
  if (finding === undefined) {
    console.log("\nNO LONGER FAILS: every invariant held in this replay.")
    return 0
  }
  console.log(`\nSTILL FAILS: ${finding.invariant} at ${finding.atMs} ms — ${finding.message}`)
  const entries = timelineEntries(counterexample.schedule.steps, judged.result.events)
  const explanation = explanationOf(finding.invariant, judged)
  if (explanation !== null) {
    console.log(`\n${explanation.text}`)
    console.log(
      `\nwhat happened while those operations ran (npx faultline timeline ${path} prints everything):\n${legend}\n`
    )
    for (const entry of explainedWindow(entries, explanation, contextLines)) console.log(formatEntry(entry))
    return 1
  }
  console.log(
    `\nthe events that led to it (the replicas it names; npx faultline timeline ${path} prints everything):\n${legend}\n`
  )
  for (const entry of violationWindow(entries, finding, contextLines)) console.log(formatEntry(entry))
  return 1
}
