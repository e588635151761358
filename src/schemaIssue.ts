/**
 * A Schema's refusal as the line a person reads first: the path and message of the first issue that effect's
 * ArrayFormatter reports (`amount: Expected number, actual "500"`), and how many more there are. The whole tree
 * (TreeFormatter, or the ParseError's message) spells out the type of the entire Schema first — a counterexample
 * file without `version` printed 1,690 bytes before "is missing" — so it is never what comes first.
 *
 * A leaf module like assert.ts, with no imports beyond Effect, so that every layer may use it.
 */
import { Either, ParseResult, Schema } from "effect"

/** Longest message kept from one issue: a union's "Expected A | B | …" can list a whole Schema. */
const messageCharactersMax = 160

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0
    ? "the value"
    : path.map((key) => (typeof key === "symbol" ? key.toString() : String(key))).join(".")

/** `path: message`, plus `(and N more problems)` when the Schema found more than one. */
export const describeParseError = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const first = issues[0]
  if (first === undefined) return "the value does not match its Schema"
  const message =
    first.message.length > messageCharactersMax ? `${first.message.slice(0, messageCharactersMax)}…` : first.message
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : ""
  return `${pathText(first.path)}: ${message}${more}`
}

/**
 * Schema.decodeUnknownEither that never throws. effect 3.22's union parser calls String() on the value of a
 * union's discriminator, which throws for an object whose own `toString` is not a function — JSON makes one:
 * `{"_tag": {"toString": 1}}` — so a forged peer message of that shape threw out of the transport instead of
 * being refused and counted. Whatever a decoder throws becomes its refusal here.
 */
export const decodeUnknownEitherTotal = <A, I>(
  schema: Schema.Schema<A, I>
): ((value: unknown) => Either.Either<A, ParseResult.ParseError>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (value) => {
    try {
      return decode(value)
    } catch (error) {
      const reason = error instanceof Error ? error.message : "the decoder failed"
      return Either.left(
        ParseResult.parseError(new ParseResult.Type(schema.ast, value, `cannot be decoded: ${reason}`))
      )
    }
  }
}
