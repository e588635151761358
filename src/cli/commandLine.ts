import { bugNames, isBugName, type BugName } from "../protocol/bugs.ts"
import { UsageError } from "../options.ts"

/**
 * The preamble every subcommand shares: `--help` prints the usage (exit 0); arguments that do not parse print
 * the reason and the usage (exit 2); otherwise the parsed options.
 */
export type CommandLine<Options> =
  | { readonly _tag: "Run"; readonly options: Options }
  | { readonly _tag: "Exit"; readonly code: number }

/** Our UsageError, or one of node:util parseArgs's own refusals (`ERR_PARSE_ARGS_…`). */
const isUsageProblem = (error: unknown): error is Error =>
  error instanceof UsageError ||
  (error instanceof Error && String((error as NodeJS.ErrnoException).code ?? "").startsWith("ERR_PARSE_ARGS"))

export const readCommandLine = <Options>(
  command: string,
  usage: string,
  argv: ReadonlyArray<string>,
  parse: (argv: ReadonlyArray<string>) => Options
): CommandLine<Options> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage)
    return { _tag: "Exit", code: 0 }
  }
  try {
    return { _tag: "Run", options: parse(argv) }
  } catch (error) {
    // A refusal of the arguments is a usage error; anything else is a bug, and its stack trace is the report.
    if (!isUsageProblem(error)) throw error
    console.error(`faultline ${command}: ${error.message}\n\n${usage}`)
    return { _tag: "Exit", code: 2 }
  }
}

/** A numeric option within bounds (an integer unless `fractional`), or a reason a person can act on. */
export const numberOption = (
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fractional = false
): number => {
  const parsed = Number(value)
  const valid =
    value !== undefined && value.trim() !== "" && (fractional ? Number.isFinite(parsed) : Number.isInteger(parsed))
  if (!valid || parsed < min || parsed > max) {
    throw new UsageError({
      message: `${name} should be ${fractional ? "a number" : "an integer"} from ${min} to ${max}, got ${value ?? "nothing"}`
    })
  }
  return parsed
}

/** Repeated `--bug NAME` options, each a bug of the zoo. */
export const bugOptions = (values: ReadonlyArray<string> | undefined): Array<BugName> =>
  (values ?? []).map((value) => {
    if (!isBugName(value)) throw new UsageError({ message: `--bug needs one of: ${bugNames.join(", ")}; got ${value}` })
    return value
  })
