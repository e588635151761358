/**
 * The key-value state machine: a serverless-style handler `apply(state, command) → { state, result }`.
 * The state is a persistent hash map (Immutable.js) so that an apply costs O(log n) and old states stay valid
 * (the replica keeps no hidden state and may hold on to earlier versions).
 */
import { Map as PersistentMap } from "immutable"
import type { KvCommand, KvResult } from "./command.ts"

export type KvState = PersistentMap<string, string>

export const emptyKvState: KvState = PersistentMap()

const ok = (value: string | null): KvResult => ({ _tag: "Ok", value })
const notFound: KvResult = { _tag: "NotFound" }

export interface KvApplied {
  readonly state: KvState
  readonly result: KvResult
}

export const applyKv = (state: KvState, command: KvCommand): KvApplied => {
  switch (command._tag) {
    case "Put":
      return { state: state.set(command.key, command.value), result: ok(null) }
    case "Get":
      return { state, result: readKv(state, command.key) }
    case "Delete": {
      if (!state.has(command.key)) return { state, result: notFound }
      return { state: state.remove(command.key), result: ok(null) }
    }
    case "Cas": {
      const current = state.get(command.key) ?? null
      if (current !== command.expected) return { state, result: { _tag: "CasMismatch", current } }
      return { state: state.set(command.key, command.value), result: ok(null) }
    }
  }
}

/** A read served outside the log (ReadIndex): the value of a key in an applied state. */
export const readKv = (state: KvState, key: string): KvResult => {
  const value = state.get(key)
  return value !== undefined ? ok(value) : notFound
}
