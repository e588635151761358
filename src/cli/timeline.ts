/**
 * `faultline timeline FILE`: the full timeline of a counterexample's replay — the schedule's steps and every
 * trace line of the run (deliveries, drops, persists, role changes, applies, faults), in time order.
 */
import { Either } from "effect"
import { formatLine, rerun, timeline } from "./counterexampleRun.ts"

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [path] = argv
  if (path === undefined || path === "--help" || path === "-h") {
    console.log("usage: faultline timeline <counterexample.json>")
    return path === undefined ? 2 : 0
  }
  const outcome = rerun(path)
  if (Either.isLeft(outcome)) {
    console.error(`faultline timeline: ${outcome.left}`)
    return 2
  }
  const { counterexample, judged } = outcome.right
  for (const line of timeline(counterexample.schedule.steps, judged.result.trace)) console.log(formatLine(line))
  for (const finding of judged.findings)
    console.log(`VIOLATION ${finding.invariant} at ${finding.atMs} ms: ${finding.message}`)
  return 0
}
