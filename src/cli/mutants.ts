/**
 * `faultline mutants`: the bug zoo's measurement. For each test-only protocol bug (src/protocol/bugs.ts) it hunts
 * a failing schedule in the bug's scenarios within a budget, shrinks it, writes counterexamples/zoo/<bug>.json,
 * and then runs the same scenarios against the correct replica, which must show no violation. Each bug's search
 * runs on one core; `--jobs N` runs N bugs at a time in separate processes. Reads the wall clock (only here).
 */
import { spawn } from "node:child_process"
import { join } from "node:path"
import { bugCatalog, bugNames, type BugName } from "../protocol/bugs.ts"
import { huntBug, huntCorrect, type BugOutcome, type CorrectOutcome } from "../../properties/zoo/campaign.ts"
import { repositoryRoot } from "../../properties/counterexample.ts"
import { bugOptions, numberOption, readCommandLine } from "./commandLine.ts"
import { parseOptions } from "../options.ts"
import { assert } from "../assert.ts"

interface MutantsArguments {
  readonly budgetSeconds: number
  readonly shrinkSeconds: number
  readonly correctSeconds: number
  readonly bugs: ReadonlyArray<BugName>
  readonly json: boolean
  readonly jobs: number
  readonly seed: number
}

const usage = `usage: faultline mutants [--budget-seconds S] [--bug NAME] [--json] [--shrink-seconds S] [--correct-seconds S] [--jobs N] [--seed N]

  --budget-seconds   search budget per bug, on one core (default 60)
  --bug              only this bug (repeatable); the bugs are: ${bugNames.join(", ")}
  --json             print { "bugs": [...], "correct": { "violations" } } instead of the table
  --shrink-seconds   shrink budget per caught bug (default 30)
  --correct-seconds  budget of the correct replica's campaign over the same scenarios (default 60; 0 skips it)
  --jobs             bugs searched in parallel, one process each (default 1)
  --seed             the first seed of every scenario (default 1)`

const parse = (argv: ReadonlyArray<string>): MutantsArguments => {
  const { values } = parseOptions({
    args: [...argv],
    options: {
      "budget-seconds": { type: "string", default: "60" },
      "shrink-seconds": { type: "string", default: "30" },
      "correct-seconds": { type: "string", default: "60" },
      jobs: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
      bug: { type: "string", multiple: true },
      json: { type: "boolean", default: false }
    },
    strict: true,
    allowPositionals: false
  })
  const bugs = bugOptions(values.bug)
  return {
    budgetSeconds: numberOption(values["budget-seconds"], "--budget-seconds", 0.1, 86_400, true),
    shrinkSeconds: numberOption(values["shrink-seconds"], "--shrink-seconds", 0, 86_400, true),
    correctSeconds: numberOption(values["correct-seconds"], "--correct-seconds", 0, 86_400, true),
    jobs: numberOption(values.jobs, "--jobs", 1, 64),
    seed: numberOption(values.seed, "--seed", 0, 2 ** 31 - 1),
    bugs: bugs.length > 0 ? bugs : bugNames,
    json: values.json
  }
}

const clock = (): number => performance.now()

/** One bug in a child process (`faultline mutants --bug NAME --json --correct-seconds 0`), for --jobs. */
const huntInChild = (bug: BugName, options: MutantsArguments): Promise<BugOutcome> =>
  new Promise((resolve, reject) => {
    const args = [
      join(repositoryRoot, "bin", "faultline.mjs"),
      "mutants",
      "--bug",
      bug,
      "--json",
      "--correct-seconds",
      "0",
      "--budget-seconds",
      String(options.budgetSeconds),
      "--shrink-seconds",
      String(options.shrinkSeconds),
      "--seed",
      String(options.seed)
    ]
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("close", () => {
      try {
        const parsed = JSON.parse(output) as { bugs: ReadonlyArray<BugOutcome> }
        const outcome = parsed.bugs[0]
        assert(outcome !== undefined, "a mutants child reports the one bug it was given")
        resolve(outcome)
      } catch (error) {
        reject(new Error(`the child hunting ${bug} printed no result: ${(error as Error).message}\n${output}`))
      }
    })
  })

const huntAll = async (
  options: MutantsArguments,
  report: (outcome: BugOutcome) => void
): Promise<ReadonlyArray<BugOutcome>> => {
  const campaign = {
    clock,
    budgetMs: options.budgetSeconds * 1000,
    shrinkBudgetMs: options.shrinkSeconds * 1000,
    firstSeed: options.seed
  }
  if (options.jobs <= 1 || options.bugs.length === 1) {
    const outcomes: Array<BugOutcome> = []
    for (const bug of options.bugs) {
      const outcome = huntBug(bug, campaign)
      report(outcome)
      outcomes.push(outcome)
      await new Promise((resolve) => setImmediate(resolve))
    }
    return outcomes
  }
  const outcomes = new Map<BugName, BugOutcome>()
  const queue = [...options.bugs]
  const worker = async (): Promise<void> => {
    for (let bug = queue.shift(); bug !== undefined; bug = queue.shift()) {
      const outcome = await huntInChild(bug, options)
      report(outcome)
      outcomes.set(bug, outcome)
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.jobs, options.bugs.length) }, worker))
  return options.bugs.map((bug) => outcomes.get(bug) as BugOutcome)
}

const row = (cells: ReadonlyArray<string>, widths: ReadonlyArray<number>): string =>
  cells
    .map((cell, position) => cell.padEnd(widths[position] ?? 0))
    .join("  ")
    .trimEnd()

export const formatTable = (outcomes: ReadonlyArray<BugOutcome>): string => {
  const header = ["bug", "caught", "invariant", "scenario", "seeds", "seconds", "shrunk steps"]
  const rows = outcomes.map((outcome) => [
    outcome.bug,
    outcome.caught ? "yes" : "NO",
    outcome.invariant ?? "-",
    outcome.scenario ?? "-",
    String(outcome.seeds),
    outcome.seconds.toFixed(1),
    outcome.shrunkSteps === null ? "-" : String(outcome.shrunkSteps)
  ])
  const widths = header.map((cell, position) =>
    Math.max(cell.length, ...rows.map((cells) => (cells[position] ?? "").length))
  )
  return [row(header, widths), ...rows.map((cells) => row(cells, widths))].join("\n")
}

const describeBug = (outcome: BugOutcome): string => {
  const entry = bugCatalog.find((bug) => bug.name === outcome.bug)
  if (!outcome.caught)
    return `${outcome.bug}: not caught in ${outcome.seeds} seeds (${outcome.seconds.toFixed(1)} s); expected ${entry?.invariant ?? "?"}`
  return [
    `${outcome.bug}: ${outcome.invariant} in ${outcome.scenario} seed ${outcome.seed} after ${outcome.seconds.toFixed(1)} s; shrunk ${outcome.originalSteps} → ${outcome.shrunkSteps} steps in ${outcome.shrinkSeconds?.toFixed(1) ?? "?"} s`,
    `  ${outcome.message ?? ""}`,
    `  replay: npx faultline repro ${outcome.file ?? ""}${outcome.correctHolds === false ? "   (WARNING: the correct replica fails this schedule too)" : ""}`
  ].join("\n")
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const commandLine = readCommandLine("mutants", usage, argv, parse)
  if (commandLine._tag === "Exit") return commandLine.code
  const options = commandLine.options
  const progress = (outcome: BugOutcome): void => {
    if (!options.json) console.error(describeBug(outcome))
  }
  const outcomes = await huntAll(options, progress)
  let correct: CorrectOutcome = { violations: 0, runs: 0, seconds: 0, failures: [] }
  if (options.correctSeconds > 0) {
    correct = huntCorrect({
      clock,
      budgetMs: options.correctSeconds * 1000,
      shrinkBudgetMs: 0,
      firstSeed: options.seed
    })
  }
  if (options.json) {
    console.log(JSON.stringify({ bugs: outcomes, correct }))
  } else {
    console.log(formatTable(outcomes))
    const caught = outcomes.filter((outcome) => outcome.caught).length
    console.log(`\ncaught ${caught} of ${outcomes.length} bugs; budget ${options.budgetSeconds} s per bug`)
    if (options.correctSeconds > 0) {
      console.log(
        `correct replica: ${correct.violations} violations in ${correct.runs} runs (${correct.seconds.toFixed(1)} s)`
      )
      for (const failure of correct.failures)
        console.log(
          `  ${failure.scenario} seed ${failure.seed}: ${failure.finding.invariant} — ${failure.finding.message}\n  replay: npx faultline repro ${failure.file}`
        )
    }
  }
  return correct.violations > 0 ? 1 : 0
}
