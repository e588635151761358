/**
 * `faultline repro FILE`: replays a counterexample in memory and says whether it still fails. Shows the
 * violated invariant, the schedule as a story, and the trace around the violation. Exit 1 if it still
 * fails, 0 if it no longer does, 2 if the file is not a valid counterexample.
 */
import { Either } from "effect"
import { describeSchedule } from "../schedule/index.ts"
import { formatLine, rerun, timeline } from "./counterexampleRun.ts"

const usage = "usage: faultline repro <counterexample.json> [--context <lines>]"

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [path, ...rest] = argv
  if (path === undefined || path === "--help" || path === "-h") {
    console.log(usage)
    return path === undefined ? 2 : 0
  }
  const contextLines = rest[0] === "--context" ? Number(rest[1]) : 15
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
  const finding = judged.findings[0]
  if (finding === undefined) {
    console.log("\nNO LONGER FAILS: every invariant held in this replay.")
    return 0
  }
  console.log(`\nSTILL FAILS: ${finding.invariant} at ${finding.atMs} ms — ${finding.message}`)
  const lines = timeline(counterexample.schedule.steps, judged.result.trace)
  const at = lines.findIndex((line) => line.atMs >= finding.atMs)
  const end = at === -1 ? lines.length : at + 3
  const start = Math.max(0, end - contextLines - 3)
  console.log(`\ntimeline around the violation (faultline timeline ${path} prints all of it):`)
  for (const line of lines.slice(start, end)) console.log(formatLine(line))
  return 1
}
