/**
 * The key-value state machine: a serverless-style handler `apply(state, command) → { state, result }`.
 * The state is a persistent hash map so that an apply costs O(log n) and old states stay valid (the replica
 * keeps no hidden state and may hold on to earlier versions).
 */
import { HashMap, Option } from "effect"
import type { KvCommand, KvResult } from "./command.ts"

export type KvState = HashMap.HashMap<string, string>

export const emptyKvState: KvState = HashMap.empty()

const ok = (value: string | null): KvResult => ({ _tag: "Ok", value })
const notFound: KvResult = { _tag: "NotFound" }

export interface KvApplied {
  readonly state: KvState
  readonly result: KvResult
}

export const applyKv = (state: KvState, command: KvCommand): KvApplied => {
  switch (command._tag) {
    case "Put":
      return { state: HashMap.set(state, command.key, command.value), result: ok(null) }
    case "Get":
      return { state, result: readKv(state, command.key) }
    case "Delete": {
      if (!HashMap.has(state, command.key)) return { state, result: notFound }
      return { state: HashMap.remove(state, command.key), result: ok(null) }
    }
    case "Cas": {
      const current = Option.getOrNull(HashMap.get(state, command.key))
      if (current !== command.expected) return { state, result: { _tag: "CasMismatch", current } }
      return { state: HashMap.set(state, command.key, command.value), result: ok(null) }
    }
  }
}

/** A read served outside the log (ReadIndex): the value of a key in an applied state. */
export const readKv = (state: KvState, key: string): KvResult => {
  const value = HashMap.get(state, key)
  return Option.isSome(value) ? ok(value.value) : notFound
}
