/** The sequential kv store as a linearizability spec, partitioned by key. */
import { deterministicSpec, isUnknownOutput, type LinearizabilitySpec } from "../linearizability/spec.ts"
import {
  applyKv,
  describeKvCommand,
  describeKvResult,
  describeKvStore,
  emptyKvStore,
  type KvCommand,
  type KvResult,
  type KvStore,
  kvResultsEqual,
  kvStoresEqual
} from "./kv.ts"

export const kvSpec: LinearizabilitySpec<KvStore, KvCommand, KvResult> = deterministicSpec({
  name: "kv",
  initialState: emptyKvStore,
  apply: (store, command) => {
    const { store: next, result } = applyKv(store, command)
    return { state: next, output: result }
  },
  outputsEqual: kvResultsEqual,
  statesEqual: kvStoresEqual,
  partitionKey: (command) => command.key,
  isReadOnly: (command) => command._tag === "Get",
  inputKey: (command) =>
    command._tag === "Cas"
      ? JSON.stringify([command._tag, command.key, command.expected, command.value])
      : JSON.stringify([command._tag, command.key, command._tag === "Put" ? command.value : null]),
  registerAccess: (command, result) => {
    if (command._tag === "Put") {
      return isUnknownOutput(result) || (result._tag === "Ok" && result.value === null)
        ? { _tag: "Write", value: command.value }
        : undefined
    }
    if (command._tag !== "Get" || isUnknownOutput(result)) return undefined
    if (result._tag === "NotFound") return { _tag: "Read", value: null }
    return result._tag === "Ok" && result.value !== null ? { _tag: "Read", value: result.value } : undefined
  },
  describeOperation: (command, result) =>
    `${describeKvCommand(command)} → ${isUnknownOutput(result) ? "?" : describeKvResult(result)}`,
  describeState: describeKvStore
})
