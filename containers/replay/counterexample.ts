/**
 * The counterexample file as the Docker replay reads it. It mirrors the property suite's format
 * (properties/counterexample.ts: version, scenario, fastCheck, schedule, violation, traceHash, and its extras
 * `bugs` and `healedAtMs`, optional here so that a hand-written regression needs only what the replay uses).
 * The schedule is THE Schedule of src/schedule; it is validated on load, then checked semantically.
 */
import { readFileSync } from "node:fs"
import { Data, Either, Schema } from "effect"
import { InvariantName } from "../../model/invariants/names.ts"
import { decodeUnknownEitherTotal, describeParseError } from "../../src/schemaIssue.ts"
import { checkSchedule, Schedule } from "../../src/schedule/index.ts"

export const ReplayableCounterexample = Schema.Struct({
  version: Schema.Literal(1),
  scenario: Schema.String,
  bugs: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  fastCheck: Schema.Struct({ seed: Schema.Int, path: Schema.String }),
  healedAtMs: Schema.optional(Schema.Number),
  schedule: Schedule,
  violation: Schema.Struct({ invariant: InvariantName, message: Schema.String, atMs: Schema.Number }),
  traceHash: Schema.String
})
export type ReplayableCounterexample = typeof ReplayableCounterexample.Type

/** A counterexample file the replay cannot use; the message says why. */
export class CounterexampleFileError extends Data.TaggedError("CounterexampleFileError")<{
  readonly message: string
}> {}

export const loadReplayable = (path: string): Either.Either<ReplayableCounterexample, CounterexampleFileError> => {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, "utf8"))
  } catch (error) {
    return Either.left(
      new CounterexampleFileError({ message: `cannot read ${path} as JSON: ${(error as Error).message}` })
    )
  }
  const decoded = decodeUnknownEitherTotal(ReplayableCounterexample)(json)
  if (Either.isLeft(decoded))
    return Either.left(
      new CounterexampleFileError({
        message: `${path} is not a valid counterexample: ${describeParseError(decoded.left)}`
      })
    )
  const problem = checkSchedule(decoded.right.schedule)
  if (problem !== undefined) return Either.left(new CounterexampleFileError({ message: `${path}: ${problem}` }))
  return Either.right(decoded.right)
}
