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
  describeOperation: (command, result) =>
    `${describeKvCommand(command)} → ${isUnknownOutput(result) ? "?" : describeKvResult(result)}`,
  describeState: describeKvStore
})
