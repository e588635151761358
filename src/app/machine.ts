/**
 * The replicated application as the replica sees it: one command union, one state, one apply. Applications
 * are added here (the key-value store now; the ledger joins this union when it lands) so that the protocol
 * stays generic and knows nothing of their semantics.
 */
import { Schema } from "effect"
import {
  applyKv,
  describeKvRejection,
  emptyKvState,
  KvCommand,
  KvResult,
  readKv,
  validateKvCommand,
  type KvState
} from "./kv/index.ts"

export const AppCommand = KvCommand
export type AppCommand = typeof AppCommand.Type

export const AppResult = KvResult
export type AppResult = typeof AppResult.Type

/** A linearizable read served through ReadIndex rather than the log. */
export const AppQuery = Schema.TaggedStruct("Read", { key: Schema.String })
export type AppQuery = typeof AppQuery.Type

export interface AppState {
  readonly kv: KvState
}

export const emptyAppState: AppState = { kv: emptyKvState }

export const applyApp = (state: AppState, command: AppCommand): { state: AppState; result: AppResult } => {
  const applied = applyKv(state.kv, command)
  return { state: applied.state === state.kv ? state : { kv: applied.state }, result: applied.result }
}

export const queryApp = (state: AppState, query: AppQuery): AppResult => readKv(state.kv, query.key)

/** A reason a person can read, or undefined when the command is acceptable. */
export const validateAppCommand = (command: AppCommand): string | undefined => {
  const rejection = validateKvCommand(command)
  return rejection === undefined ? undefined : describeKvRejection(rejection)
}

export const validateAppQuery = (query: AppQuery): string | undefined =>
  validateAppCommand({ _tag: "Get", key: query.key })
