/**
 * Porcupine's key-value histories (test_data/kv/*.txt): get, put and append over string keys, one event per
 * line, `{:process P, :type :invoke|:ok, :f :get|:put|:append, :key "K", :value V}`. Line order is real-time
 * order. Each key starts as the empty string; get returns the current value, put replaces it, append
 * concatenates (see model/linearizability/testdata/porcupine/README.md).
 */
import { Either, Schema } from "effect"
import type { HistoryEvent, Operation } from "../linearizability/history.ts"
import { isUnknownOutput, type LinearizabilitySpec } from "../linearizability/spec.ts"
import { HistoryParseError, parseHistory, schemaErrorMessage } from "./parseError.ts"

export interface PorcupineKvInput {
  readonly f: "get" | "put" | "append"
  readonly key: string
  /** The argument of put and append; empty for get. */
  readonly value: string
}

/** What get returned; null for the acknowledgement of a put or an append, whose value says nothing. */
export type PorcupineKvOutput = string | null

/**
 * The value of one key, with a polynomial hash of it kept up to date as appends extend it. Concurrent appends
 * make many states with the same set of linearized operations (one per order); without a state hash in the
 * memoization key, every lookup would compare long strings against all of them.
 */
export interface PorcupineKvState {
  readonly value: string
  readonly hash: number
}

const hashBase = 0x01000193

const hashText = (text: string, seed: number): number => {
  let hash = seed
  for (let index = 0; index < text.length; index++) hash = (Math.imul(hash, hashBase) + text.charCodeAt(index)) >>> 0
  return hash
}

const emptyState: PorcupineKvState = { value: "", hash: 0 }

export const porcupineKvSpec: LinearizabilitySpec<PorcupineKvState, PorcupineKvInput, PorcupineKvOutput> = {
  name: "porcupine-kv",
  initialState: emptyState,
  step: (state, input, output) => {
    if (input.f === "put") return { value: input.value, hash: hashText(input.value, 0) }
    // hash(state + value) continues the polynomial of hash(state) over the appended characters.
    if (input.f === "append") return { value: state.value + input.value, hash: hashText(input.value, state.hash) }
    return isUnknownOutput(output) || output === state.value ? state : undefined
  },
  statesEqual: (left, right) => left === right || (left.hash === right.hash && left.value === right.value),
  hashState: (state) => state.hash,
  partitionKey: (input) => input.key,
  isReadOnly: (input) => input.f === "get",
  inputKey: (input) => JSON.stringify([input.f, input.key, input.value]),
  describeOperation: (input, output) => {
    const outcome = isUnknownOutput(output) ? " → ?" : input.f === "get" ? ` → ${JSON.stringify(output)}` : ""
    return input.f === "get"
      ? `get(${JSON.stringify(input.key)})${outcome}`
      : `${input.f}(${JSON.stringify(input.key)}, ${JSON.stringify(input.value)})${outcome}`
  },
  describeState: (state) => JSON.stringify(state.value)
}

const linePattern = /^\{:process (\d+), :type :([a-z]+), :f :([a-z]+), :key "([^"]*)", :value (nil|"[^"]*")\}$/

const PorcupineKvLine = Schema.Struct({
  process: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()),
  type: Schema.Literal("invoke", "ok"),
  f: Schema.Literal("get", "put", "append"),
  key: Schema.String,
  value: Schema.NullOr(Schema.String)
})
const decodeLine = Schema.decodeUnknownEither(PorcupineKvLine)

type Event = HistoryEvent<PorcupineKvInput, PorcupineKvOutput>

const eventOfLine = (
  line: number,
  content: string
): Either.Either<{ readonly event: Event; readonly f: PorcupineKvInput["f"] }, HistoryParseError> => {
  const match = linePattern.exec(content)
  if (match === null) {
    return Either.left(
      new HistoryParseError({ line, message: `not a porcupine-kv event: ${JSON.stringify(content.slice(0, 120))}` })
    )
  }
  const raw = {
    process: match[1],
    type: match[2],
    f: match[3],
    key: match[4],
    value: match[5] === "nil" ? null : match[5]!.slice(1, -1)
  }
  const decoded = decodeLine(raw)
  if (Either.isLeft(decoded))
    return Either.left(new HistoryParseError({ line, message: schemaErrorMessage(decoded.left) }))
  const { process, type, f, key, value } = decoded.right
  if (type === "invoke") {
    if (f !== "get" && value === null)
      return Either.left(new HistoryParseError({ line, message: `${f} invoked without a value` }))
    return Either.right({ event: { _tag: "Invoke", process, atTime: line, input: { f, key, value: value ?? "" } }, f })
  }
  if (value === null) return Either.left(new HistoryParseError({ line, message: `a completed ${f} has the value nil` }))
  return Either.right({ event: { _tag: "Ok", process, atTime: line, output: f === "get" ? value : null }, f })
}

export const parsePorcupineKv = (
  text: string
): Either.Either<ReadonlyArray<Operation<PorcupineKvInput, PorcupineKvOutput>>, HistoryParseError> =>
  parseHistory(text, eventOfLine)
