/**
 * The replicated application as the replica sees it: one command union, one state, one apply. Two
 * applications share the log — the key-value store and the ledger — and their command, result and query tags
 * are disjoint, so a command's tag alone says which application runs it. The protocol stays generic and knows
 * nothing of their semantics.
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
  type KvRejection,
  type KvState
} from "./kv/index.ts"
import {
  applyLedger,
  checkLedgerCommand,
  describeLedgerRejection,
  emptyLedgerState,
  LedgerCommand,
  LedgerResult,
  readLedger,
  type LedgerRejection,
  type LedgerState
} from "./ledger/index.ts"

export const AppCommand = Schema.Union(KvCommand, LedgerCommand)
export type AppCommand = typeof AppCommand.Type

export const AppResult = Schema.Union(KvResult, LedgerResult)
export type AppResult = typeof AppResult.Type

/** A linearizable read served through ReadIndex rather than the log: a key, or a ledger account. */
export const ReadKey = Schema.TaggedStruct("Read", { key: Schema.String })
export const ReadAccount = Schema.TaggedStruct("ReadAccount", { account: Schema.String })
export const AppQuery = Schema.Union(ReadKey, ReadAccount)
export type AppQuery = typeof AppQuery.Type

export interface AppState {
  readonly kv: KvState
  readonly ledger: LedgerState
}

export const emptyAppState: AppState = { kv: emptyKvState, ledger: emptyLedgerState }

const ledgerTags: ReadonlySet<string> = new Set<LedgerCommand["_tag"]>([
  "CreateAccount",
  "Deposit",
  "Withdraw",
  "Transfer",
  "GetAccount"
])

export const isLedgerCommand = (command: AppCommand): command is LedgerCommand => ledgerTags.has(command._tag)

export const applyApp = (state: AppState, command: AppCommand): { state: AppState; result: AppResult } => {
  if (isLedgerCommand(command)) {
    const applied = applyLedger(state.ledger, command)
    return {
      state: applied.state === state.ledger ? state : { kv: state.kv, ledger: applied.state },
      result: applied.result
    }
  }
  const applied = applyKv(state.kv, command)
  return {
    state: applied.state === state.kv ? state : { kv: applied.state, ledger: state.ledger },
    result: applied.result
  }
}

export const queryApp = (state: AppState, query: AppQuery): AppResult => {
  switch (query._tag) {
    case "Read":
      return readKv(state.kv, query.key)
    case "ReadAccount":
      return readLedger(state.ledger, query.account)
  }
}

/**
 * Why a command or query was refused before it reached the log: one closed union of both applications' refusals
 * (their tags are disjoint), carried typed through the replica's ClientResult to whoever answers the client.
 */
export type AppRejection = KvRejection | LedgerRejection

export const checkAppCommand = (command: AppCommand): AppRejection | undefined =>
  isLedgerCommand(command) ? checkLedgerCommand(command) : validateKvCommand(command)

const kvRejectionTags: ReadonlySet<string> = new Set<KvRejection["_tag"]>(["EmptyKey", "KeyTooLong", "ValueTooLong"])

const isKvRejection = (rejection: AppRejection): rejection is KvRejection => kvRejectionTags.has(rejection._tag)

/** One line a person can read; the application that refused decides the words. */
export const describeAppRejection = (rejection: AppRejection): string =>
  isKvRejection(rejection) ? describeKvRejection(rejection) : describeLedgerRejection(rejection)

/** A reason a person can read, or undefined when the command is acceptable. */
export const validateAppCommand = (command: AppCommand): string | undefined => {
  const rejection = checkAppCommand(command)
  return rejection === undefined ? undefined : describeAppRejection(rejection)
}

/** A query is checked as the command that would read the same thing. */
export const checkAppQuery = (query: AppQuery): AppRejection | undefined => {
  switch (query._tag) {
    case "Read":
      return checkAppCommand({ _tag: "Get", key: query.key })
    case "ReadAccount":
      return checkAppCommand({ _tag: "GetAccount", account: query.account })
  }
}

export const validateAppQuery = (query: AppQuery): string | undefined => {
  const rejection = checkAppQuery(query)
  return rejection === undefined ? undefined : describeAppRejection(rejection)
}
