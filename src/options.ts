/**
 * Command-line options, read strictly: node:util's parseArgs, after a pass that refuses in plain words what
 * parseArgs explains poorly or lets through — an unknown option (naming the nearest known one), an option missing
 * its value, a flag given a value, and an option given twice (parseArgs keeps the last: `sim --scenario a
 * --scenario b` ran only b without a word). An option that may repeat says so (`multiple: true`).
 *
 * A leaf module like assert.ts, so that the CLI and the node's `serve` read their options the same way.
 */
import { parseArgs, type ParseArgsConfig } from "node:util"
import { Data } from "effect"

/** A command line that cannot run: the message is the reason, printed above the usage (exit 2). */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

type OptionSpecs = NonNullable<ParseArgsConfig["options"]>

/** The edit distance between two short names (options are at most a few dozen characters). */
const editDistance = (left: string, right: string): number => {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index)
  for (let row = 1; row <= left.length; row++) {
    const current = [row]
    for (let column = 1; column <= right.length; column++) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1)
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[right.length] ?? 0
}

const suggestion = (name: string, specs: OptionSpecs): string => {
  const nearest = Object.keys(specs)
    .map((known) => ({ known, distance: editDistance(name, known) }))
    .sort((left, right) => left.distance - right.distance)[0]
  return nearest !== undefined && nearest.distance <= 2 ? ` (did you mean --${nearest.known}?)` : ""
}

/** Throws a UsageError whose message is the reason, for the caller to print above the usage. */
export const checkOptions = (argv: ReadonlyArray<string>, specs: OptionSpecs): void => {
  const seen = new Set<string>()
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] ?? ""
    if (argument === "--") return
    if (!argument.startsWith("--")) continue
    const equals = argument.indexOf("=")
    const name = argument.slice(2, equals === -1 ? undefined : equals)
    const spec = specs[name]
    if (spec === undefined) throw new UsageError({ message: `unknown option --${name}${suggestion(name, specs)}` })
    if (spec.type === "boolean" && equals !== -1) throw new UsageError({ message: `--${name} takes no value` })
    if (spec.type === "string" && equals === -1) {
      const value = argv[index + 1]
      if (value === undefined || value.startsWith("--")) throw new UsageError({ message: `--${name} needs a value` })
      index++
    }
    if (spec.multiple !== true && seen.has(name))
      throw new UsageError({ message: `--${name} given more than once; give it once` })
    seen.add(name)
  }
}

/** parseArgs, strict, after `checkOptions`. */
export const parseOptions = <
  const T extends ParseArgsConfig & { readonly args: Array<string>; readonly options: OptionSpecs }
>(
  config: T
): ReturnType<typeof parseArgs<T>> => {
  checkOptions(config.args, config.options)
  return parseArgs(config)
}
