/**
 * `faultline check-history <file> [--format porcupine-kv|jepsen-etcd] [--json] [--budget-ms N] [--budget-mb N]`: checks a
 * recorded client history for linearizability; without `--format` the format is read from the file's first line.
 * Exit codes: 0 linearizable, 1 not linearizable, 3 unknown (the budget ran
 * out), 2 usage or parse error.
 */
import { readFile } from "node:fs/promises"
import { Either, Schema } from "effect"
import { detectHistoryFormat, HistoryFormat, parseHistory } from "../../model/formats/index.ts"
import type { CheckResult } from "../../model/linearizability/index.ts"

const usage = `usage: faultline check-history <file> [--format porcupine-kv|jepsen-etcd] [--json] [--budget-ms N] [--budget-mb N]

Checks a client history for linearizability against the format's sequential spec.
  --format     porcupine-kv (get/put/append per key) or jepsen-etcd (one compare-and-set register);
               without it, the format is detected from the file's first line
  --json       print one JSON object: { verdict, milliseconds, explanation, core }; core is a small
               sub-history that is still not linearizable (null unless the verdict is "not linearizable")
  --budget-ms  give up with "unknown" after this many milliseconds of search (default 60000)
  --budget-mb  give up with "unknown" when the search's memo would pass this many MiB (default 1024)
Exit codes: 0 linearizable, 1 not linearizable, 3 unknown, 2 usage or parse error.`

const defaultBudgetMilliseconds = 60_000
const defaultBudgetMegabytes = 1024

interface Arguments {
  readonly file: string
  /** Undefined: detect it from the file. */
  readonly format: HistoryFormat | undefined
  readonly json: boolean
  readonly budgetMilliseconds: number
  readonly budgetMegabytes: number
}

const decodeFormat = Schema.decodeUnknownEither(HistoryFormat)

const parseArguments = (argv: ReadonlyArray<string>): Either.Either<Arguments, string> => {
  const positional: Array<string> = []
  let format: string | undefined
  let json = false
  let budgetMilliseconds = defaultBudgetMilliseconds
  let budgetMegabytes = defaultBudgetMegabytes
  const seen = new Set<string>()
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!
    if (argument === "--json") {
      if (json) return Either.left("--json given more than once")
      json = true
    } else if (argument === "--format" || argument === "--budget-ms" || argument === "--budget-mb") {
      if (seen.has(argument)) return Either.left(`${argument} given more than once; give it once`)
      seen.add(argument)
      const value = argv[++index]
      if (value === undefined || value.startsWith("--")) return Either.left(`${argument} needs a value`)
      if (argument === "--format") format = value
      else {
        const amount = Number(value)
        if (!Number.isFinite(amount) || amount <= 0)
          return Either.left(`${argument} should be a positive number, not ${JSON.stringify(value)}`)
        if (argument === "--budget-ms") budgetMilliseconds = amount
        else budgetMegabytes = amount
      }
    } else if (argument.startsWith("--")) return Either.left(`unknown option ${argument}`)
    else positional.push(argument)
  }
  if (positional.length !== 1) return Either.left("expected exactly one history file")
  if (format === undefined)
    return Either.right({ file: positional[0]!, format: undefined, json, budgetMilliseconds, budgetMegabytes })
  const decoded = decodeFormat(format)
  if (Either.isLeft(decoded))
    return Either.left(`--format should be porcupine-kv or jepsen-etcd, not ${JSON.stringify(format)}`)
  return Either.right({ file: positional[0]!, format: decoded.right, json, budgetMilliseconds, budgetMegabytes })
}

const explanationText = (result: CheckResult): string | null =>
  result.verdict === "linearizable" ? null : (result.explanation?.text ?? result.summary)

const exitCodeOf = { linearizable: 0, "not linearizable": 1, unknown: 3 } as const

const readText = async (file: string): Promise<Either.Either<string, string>> => {
  try {
    return Either.right(await readFile(file, "utf8"))
  } catch (error) {
    const code = (error as { code?: unknown }).code
    return Either.left(`cannot read ${file}${typeof code === "string" ? ` (${code})` : ""}`)
  }
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage)
    return 0
  }
  const parsedArguments = parseArguments(argv)
  if (Either.isLeft(parsedArguments)) {
    console.error(`faultline check-history: ${parsedArguments.left}\n\n${usage}`)
    return 2
  }
  const { file, format: requested, json, budgetMilliseconds, budgetMegabytes } = parsedArguments.right
  const text = await readText(file)
  if (Either.isLeft(text)) {
    console.error(`faultline check-history: ${text.left}`)
    return 2
  }
  const format = requested ?? detectHistoryFormat(text.right)
  if (format === undefined) {
    console.error(
      `faultline check-history: cannot tell the format of ${file} from its first line; give --format porcupine-kv or --format jepsen-etcd`
    )
    return 2
  }
  const history = parseHistory(format, text.right)
  if (Either.isLeft(history)) {
    console.error(`faultline check-history: ${file}:${history.left.line}: ${history.left.message}`)
    return 2
  }
  const start = performance.now()
  const result = history.right.check({
    budget: {
      time: { clock: () => performance.now(), maxMilliseconds: budgetMilliseconds },
      maxMemoBytes: budgetMegabytes * 1024 * 1024
    },
    core: true
  })
  const milliseconds = performance.now() - start
  if (json) {
    const explanation = explanationText(result)
    console.log(JSON.stringify({ verdict: result.verdict, milliseconds, explanation, core: result.core }))
  } else {
    console.log(`${result.verdict} (${history.right.operations} operations, ${milliseconds.toFixed(1)} ms)`)
    const explanation = explanationText(result)
    if (explanation !== null) console.log(explanation)
  }
  return exitCodeOf[result.verdict]
}
