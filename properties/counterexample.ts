/**
 * The counterexample file a failing property leaves behind: the shrunk schedule, the violated invariant, the
 * trace hash, and fast-check's seed and path. Validated by its Schema when loaded, like any file from outside.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { Data, Either, Schema } from "effect"
import { InvariantName } from "../model/invariants/names.ts"
import { decodeUnknownEitherTotal, describeParseError } from "../src/schemaIssue.ts"
import { Schedule } from "../src/schedule/index.ts"

export const Counterexample = Schema.Struct({
  version: Schema.Literal(1),
  scenario: Schema.String,
  /** Test-only protocol bugs the run had switched on (empty for the correct replica). */
  bugs: Schema.Array(Schema.String),
  fastCheck: Schema.Struct({ seed: Schema.Int, path: Schema.String }),
  /** When the liveness phase began (every fault healed). */
  healedAtMs: Schema.Number,
  schedule: Schedule,
  violation: Schema.Struct({ invariant: InvariantName, message: Schema.String, atMs: Schema.Number }),
  traceHash: Schema.String
})
export type Counterexample = typeof Counterexample.Type

/**
 * The directory holding package.json, found by walking up: this module runs from properties/ under tsx and
 * from dist/ or dist/chunks/ in the compiled command, and counterexamples belong at the root in both.
 */
const findRepositoryRoot = (start: string): string => {
  let directory = start
  for (let depth = 0; depth < 4; depth += 1) {
    if (existsSync(join(directory, "package.json"))) return directory
    directory = dirname(directory)
  }
  return join(start, "..")
}

export const repositoryRoot = findRepositoryRoot(import.meta.dirname)

export const counterexamplePath = (
  scenario: string,
  seed: number,
  directory = join(repositoryRoot, "counterexamples")
): string => join(directory, `${scenario}-${seed}.json`)

export const writeCounterexample = (counterexample: Counterexample, path: string): void => {
  mkdirSync(dirname(path), { recursive: true })
  const encoded = Schema.encodeSync(Counterexample)(counterexample)
  writeFileSync(path, `${JSON.stringify(encoded, null, 2)}\n`)
}

/** A counterexample file that cannot be read, is not JSON, or fails its Schema; the message says which and why. */
export class CounterexampleError extends Data.TaggedError("CounterexampleError")<{ readonly message: string }> {}

/** Reads and validates a counterexample file; a malformed one is a typed error with the Schema's reason. */
export const loadCounterexample = (path: string): Either.Either<Counterexample, CounterexampleError> => {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    return Either.left(new CounterexampleError({ message: `cannot read ${path}: ${(error as Error).message}` }))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(new CounterexampleError({ message: `${path} is not JSON: ${(error as Error).message}` }))
  }
  return Either.mapLeft(
    decodeUnknownEitherTotal(Counterexample)(json),
    (error) =>
      new CounterexampleError({ message: `${path} is not a valid counterexample: ${describeParseError(error)}` })
  )
}
