/**
 * Jepsen etcd logs (Porcupine's test_data/jepsen/etcd_NNN.log): one compare-and-set register, one event per
 * line, `INFO jepsen.util - <process> :<type> :<f> <value>`. Line order is real-time order. Semantics follow
 * Porcupine's etcd model (see model/linearizability/testdata/porcupine/README.md): the register starts as nil; a cas that
 * `:fail`s observed a different value and changed nothing; `:info` and `:fail :read :timed-out` are unknown.
 */
import { Either, Schema } from "effect"
import type { HistoryEvent, Operation } from "../linearizability/history.ts"
import { isUnknownOutput, type LinearizabilitySpec } from "../linearizability/spec.ts"
import { HistoryParseError, parseHistory, schemaErrorMessage } from "./parseError.ts"

export type EtcdInput =
  | { readonly f: "read" }
  | { readonly f: "write"; readonly value: number }
  | { readonly f: "cas"; readonly from: number; readonly to: number }

export type EtcdOutput =
  | { readonly f: "read"; readonly value: number | null }
  | { readonly f: "write" }
  | { readonly f: "cas"; readonly succeeded: boolean }

/** The register's value; null is etcd's nil (the key does not exist). */
export type EtcdState = number | null

const hashRegister = (state: EtcdState): number =>
  (state === null ? 0x5bd1e995 : Math.imul(state | 0, 0x9e3779b1)) >>> 0

export const jepsenEtcdSpec: LinearizabilitySpec<EtcdState, EtcdInput, EtcdOutput> = {
  name: "jepsen-etcd",
  initialState: null,
  step: (state, input, output) => {
    const unknown = isUnknownOutput(output)
    switch (input.f) {
      case "read":
        return unknown || (output.f === "read" && output.value === state) ? state : undefined
      case "write":
        return input.value
      case "cas": {
        const matches = state === input.from
        if (!unknown && (output.f !== "cas" || output.succeeded !== matches)) return undefined
        return matches ? input.to : state
      }
    }
  },
  statesEqual: (left, right) => left === right,
  hashState: hashRegister,
  partitionKey: () => "register",
  isReadOnly: (input) => input.f === "read",
  inputKey: (input) =>
    input.f === "read" ? "read" : input.f === "write" ? `write ${input.value}` : `cas ${input.from} ${input.to}`,
  registerAccess: (input, output) => {
    if (input.f === "write") return { _tag: "Write", value: String(input.value) }
    if (input.f !== "read" || isUnknownOutput(output) || output.f !== "read") return undefined
    return { _tag: "Read", value: output.value === null ? null : String(output.value) }
  },
  describeOperation: (input, output) => {
    const call =
      input.f === "read" ? "read()" : input.f === "write" ? `write(${input.value})` : `cas(${input.from} → ${input.to})`
    if (isUnknownOutput(output)) return `${call} → ?`
    if (output.f === "read") return `${call} → ${output.value ?? "nil"}`
    if (output.f === "cas") return `${call} → ${output.succeeded ? "ok" : "fail"}`
    return `${call} → ok`
  },
  describeState: (state) => (state === null ? "nil" : String(state))
}

const linePattern = /^INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(\S+)\s+:(\S+)\s+(.+?)\s*$/

const JepsenLine = Schema.Struct({
  process: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()),
  type: Schema.Literal("invoke", "ok", "fail", "info"),
  f: Schema.Literal("read", "write", "cas"),
  value: Schema.String
})
const decodeLine = Schema.decodeUnknownEither(JepsenLine)
type JepsenLine = typeof JepsenLine.Type

type Value =
  | { readonly _tag: "Nil" }
  | { readonly _tag: "Integer"; readonly value: number }
  | { readonly _tag: "Pair"; readonly from: number; readonly to: number }
  | { readonly _tag: "TimedOut" }

const parseValue = (text: string): Value | undefined => {
  if (text === "nil") return { _tag: "Nil" }
  if (text === ":timed-out") return { _tag: "TimedOut" }
  if (/^-?\d+$/.test(text)) return { _tag: "Integer", value: Number(text) }
  const pair = /^\[(-?\d+)\s+(-?\d+)\]$/.exec(text)
  return pair === null ? undefined : { _tag: "Pair", from: Number(pair[1]), to: Number(pair[2]) }
}

type Event = HistoryEvent<EtcdInput, EtcdOutput>

const invocation = ({ process, f }: JepsenLine, value: Value, atTime: number): Event | undefined => {
  if (f === "read" && value._tag === "Nil") return { _tag: "Invoke", process, atTime, input: { f } }
  if (f === "write" && value._tag === "Integer")
    return { _tag: "Invoke", process, atTime, input: { f, value: value.value } }
  if (f === "cas" && value._tag === "Pair")
    return { _tag: "Invoke", process, atTime, input: { f, from: value.from, to: value.to } }
  return undefined
}

const completion = ({ process, type, f }: JepsenLine, value: Value, atTime: number): Event | undefined => {
  if (type === "info") return { _tag: "Unknown", process, atTime }
  if (type === "ok") {
    if (f === "read" && (value._tag === "Nil" || value._tag === "Integer")) {
      return { _tag: "Ok", process, atTime, output: { f, value: value._tag === "Nil" ? null : value.value } }
    }
    if (f === "write" && value._tag === "Integer") return { _tag: "Ok", process, atTime, output: { f } }
    if (f === "cas" && value._tag === "Pair") return { _tag: "Ok", process, atTime, output: { f, succeeded: true } }
    return undefined
  }
  // :fail. A failed cas observed a different value (Porcupine's model checks that); a timed-out read is unknown.
  if (f === "cas")
    return value._tag === "Pair" ? { _tag: "Ok", process, atTime, output: { f, succeeded: false } } : undefined
  return value._tag === "TimedOut" ? { _tag: "Unknown", process, atTime } : { _tag: "Fail", process, atTime }
}

const eventOfLine = (
  line: number,
  content: string
): Either.Either<{ readonly event: Event; readonly f: EtcdInput["f"] }, HistoryParseError> => {
  const match = linePattern.exec(content)
  if (match === null) {
    return Either.left(
      new HistoryParseError({ line, message: `not a jepsen-etcd event: ${JSON.stringify(content.slice(0, 120))}` })
    )
  }
  const decoded = decodeLine({ process: match[1], type: match[2], f: match[3], value: match[4] })
  if (Either.isLeft(decoded))
    return Either.left(new HistoryParseError({ line, message: schemaErrorMessage(decoded.left) }))
  const fields = decoded.right
  const value = parseValue(fields.value)
  const event =
    value === undefined
      ? undefined
      : fields.type === "invoke"
        ? invocation(fields, value, line)
        : completion(fields, value, line)
  if (event === undefined) {
    return Either.left(
      new HistoryParseError({ line, message: `:${fields.type} :${fields.f} cannot have the value ${fields.value}` })
    )
  }
  return Either.right({ event, f: fields.f })
}

export const parseJepsenEtcd = (
  text: string
): Either.Either<ReadonlyArray<Operation<EtcdInput, EtcdOutput>>, HistoryParseError> => parseHistory(text, eventOfLine)
