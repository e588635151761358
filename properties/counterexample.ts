/**
 * The counterexample file a failing property leaves behind: the shrunk schedule, the violated invariant, the
 * trace hash, and fast-check's seed and path. Validated by its Schema when loaded, like any file from outside.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { Either, Schema } from "effect"
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
  violation: Schema.Struct({ invariant: Schema.String, message: Schema.String, atMs: Schema.Number }),
  traceHash: Schema.String
})
export type Counterexample = typeof Counterexample.Type

export const repositoryRoot = join(import.meta.dirname, "..")

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

export class CounterexampleError extends Error {
  override readonly name = "CounterexampleError"
}

/** Reads and validates a counterexample file; a malformed one is a typed error with the Schema's reason. */
export const loadCounterexample = (path: string): Either.Either<Counterexample, CounterexampleError> => {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    return Either.left(new CounterexampleError(`cannot read ${path}: ${(error as Error).message}`))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(new CounterexampleError(`${path} is not JSON: ${(error as Error).message}`))
  }
  return Either.mapLeft(
    Schema.decodeUnknownEither(Counterexample)(json),
    (error) => new CounterexampleError(`${path} is not a valid counterexample:\n${error.message}`)
  )
}
