/**
 * `faultline bisect FILE`: replays a counterexample and names the replica step after which its violation could
 * no longer be avoided (properties/bisect.ts says how), printing that step — what the replica received and did —
 * with every replica's role, term, vote, log and commit index just before and just after it, and the trace
 * that led there. Exit 1 when it found the step, 0 when the file no longer fails, 2 for a bad file.
 */
import { Either } from "effect"
import { isBugName } from "../protocol/bugs.ts"
import type { Input, Output } from "../protocol/io.ts"
import { toArray } from "../protocol/log.ts"
import { bisect, type Bisection } from "../../properties/bisect.ts"
import { loadCounterexample } from "../../properties/counterexample.ts"
import { judge } from "../../properties/judge.ts"
import { findScenario } from "../../properties/scenarios/index.ts"
import type { ReplicaSummary } from "../sim/run.ts"
import { describeMessage } from "../sim/trace.ts"
import { numberOption, readCommandLine } from "./commandLine.ts"
import { UsageError, parseOptions } from "../options.ts"

const usage = `usage: faultline bisect <counterexample.json> [--context <lines>] [--json]

  --context  trace lines shown before the decisive step (default 20)
  --json     print the result as JSON`

interface BisectArguments {
  readonly file: string
  readonly contextLines: number
  readonly json: boolean
}

const parse = (argv: ReadonlyArray<string>): BisectArguments => {
  const { values, positionals } = parseOptions({
    args: [...argv],
    options: { context: { type: "string", default: "20" }, json: { type: "boolean", default: false } },
    strict: true,
    allowPositionals: true
  })
  if (positionals.length !== 1) throw new UsageError({ message: "give exactly one counterexample file" })
  return {
    file: positionals[0] as string,
    contextLines: numberOption(values.context, "--context", 0, 10_000),
    json: values.json
  }
}

export const describeInput = (input: Input): string => {
  switch (input._tag) {
    case "Tick":
      return "its timer fired (Tick)"
    case "Receive":
      return `received ${describeMessage(input.message)} from n${input.from}`
    case "Malformed":
      return `received malformed bytes from n${input.from}`
    case "ClientRequest":
      return `received client request ${input.requestId}`
    case "ClientRequests":
      return `received ${input.requests.length} client requests`
    case "PersistDone":
      return `learned that write io${input.ioId} is on disk (fsync done)`
  }
}

export const describeOutput = (output: Output): string | undefined => {
  switch (output._tag) {
    case "Persist":
      return `persist io${output.ioId}${output.hardState ? ` term ${output.hardState.term} vote ${output.hardState.votedFor ?? "-"}` : ""}${output.truncateFrom !== undefined ? ` cut from ${output.truncateFrom}` : ""} +${output.append.length} entries`
    case "Send":
      return `send ${describeMessage(output.message)} to n${output.to}`
    case "Reply":
      return `reply ${output.result._tag} to client request ${output.requestId}`
    case "Applied":
      return `apply ${output.entry.index}/t${output.entry.term}`
    case "WakeAt":
      return undefined
  }
}

const logOf = (summary: ReplicaSummary): string => {
  if (summary.state === null) return "-"
  const entries = toArray(summary.state.log)
  const shown = entries.slice(-8).map((entry) => `${entry.index}/t${entry.term}`)
  return `${entries.length > 8 ? "… " : ""}${shown.join(" ") || "(empty)"}`
}

const replicaRow = (summary: ReplicaSummary): string => {
  const state = summary.state
  if (state === null) return `  n${summary.node}  down`
  const life = summary.paused ? " (paused)" : ""
  return `  n${summary.node}  ${state.role.padEnd(12)} term ${String(state.term).padEnd(3)} vote ${String(state.votedFor ?? "-").padEnd(2)} commit ${String(state.commitIndex).padEnd(3)} applied ${String(state.lastApplied).padEnd(3)} durable ${String(state.durableIndex).padEnd(3)} log ${logOf(summary)}${life}`
}

const describeBisection = (result: Bisection, file: string): string => {
  const observation = result.observation
  const how =
    result.method === "replay"
      ? `with the planted bugs acting up to step ${result.step} and the correct replica after it the run still fails; up to step ${result.step - 1} it does not (${result.runs} runs)`
      : "no planted bug to switch off: this is the step after which the invariant's check failed"
  const event =
    observation === undefined
      ? `step ${result.step} of ${result.steps}`
      : `step ${result.step} of ${result.steps}, at ${observation.atMs} ms: n${observation.node} ${describeInput(observation.input)}`
  const did = (observation?.outputs ?? []).map(describeOutput).filter((line) => line !== undefined)
  const change =
    observation === undefined
      ? []
      : [
          `  n${observation.node}: ${observation.before.role} t${observation.before.term} commit ${observation.before.commitIndex} → ${observation.after.role} t${observation.after.term} commit ${observation.after.commitIndex}`
        ]
  return [
    `${file}: ${result.invariant} — ${result.finding.message}`,
    "",
    `decisive event: ${event}`,
    `  (${how})`,
    ...change,
    ...did.map((line) => `  → ${line}`),
    "",
    "replicas just before it:",
    ...result.replicasBefore.map(replicaRow),
    "replicas just after it:",
    ...result.replicasAfter.map(replicaRow),
    "",
    "the trace that led there:",
    ...result.traceBefore.map((line) => `${String(line.atMs).padStart(7)} ms  ${line.text}`),
    "",
    `the violation followed at ${result.finding.atMs} ms (npx faultline repro ${file} shows it)`
  ].join("\n")
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const commandLine = readCommandLine("bisect", usage, argv, parse)
  if (commandLine._tag === "Exit") return commandLine.code
  const options = commandLine.options
  const loaded = loadCounterexample(options.file)
  if (Either.isLeft(loaded)) {
    console.error(`faultline bisect: ${loaded.left.message}`)
    return 2
  }
  const counterexample = loaded.right
  const unknownBug = counterexample.bugs.find((bug) => !isBugName(bug))
  if (unknownBug !== undefined) {
    console.error(`faultline bisect: ${options.file} names a bug this build does not have: ${unknownBug}`)
    return 2
  }
  const expectations = findScenario(counterexample.scenario)?.expectations ?? {}
  const replay = judge(counterexample.schedule, {
    bugs: new Set(counterexample.bugs.filter(isBugName)),
    healedAtMs: counterexample.healedAtMs,
    expectations
  })
  if (replay.findings.length === 0) {
    console.log(`${options.file} no longer fails: nothing to bisect`)
    return 0
  }
  const result = bisect(counterexample, expectations, options.contextLines + 1)
  if (options.json) console.log(JSON.stringify(bisectionJson(result)))
  else console.log(describeBisection(result, options.file))
  return 1
}

const bisectionJson = (result: Bisection) => ({
  method: result.method,
  invariant: result.invariant,
  violation: result.finding,
  step: result.step,
  steps: result.steps,
  runs: result.runs,
  event:
    result.observation === undefined
      ? null
      : {
          atMs: result.observation.atMs,
          node: result.observation.node,
          input: describeInput(result.observation.input),
          outputs: result.observation.outputs.map(describeOutput).filter((line) => line !== undefined)
        },
  trace: result.traceBefore
})
