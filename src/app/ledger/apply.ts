/**
 * The ledger state machine: `apply(state, command) → { state, result }`. Balances never go negative, money
 * is only created by deposits and destroyed by withdrawals, and a command carrying an idempotency key that
 * was seen before returns the first result without applying again.
 */
import { Map as PersistentMap } from "immutable"
import { assert } from "../../assert.ts"
import { emptyEvictionOrder, oldestKey, removeKey, touchKey, type EvictionOrder } from "../evictionOrder.ts"
import { maxBalanceMinorUnits, type AccountView, type LedgerCommand, type LedgerResult } from "./command.ts"

interface Account {
  readonly balance: number
  readonly version: number
}

export interface LedgerState {
  readonly accounts: PersistentMap<string, Account>
  /** First results by idempotency key, with the order they were recorded in. */
  readonly idempotent: PersistentMap<string, { readonly result: LedgerResult; readonly order: number }>
  /** The keys of `idempotent` in the order they were recorded: the first is forgotten first. */
  readonly idempotentOrder: EvictionOrder<string>
  readonly recorded: number
}

/** Idempotency keys remembered; the oldest is forgotten beyond this (a retry that late may apply again). */
export const maxIdempotencyKeys = 100_000

export const emptyLedgerState: LedgerState = {
  accounts: PersistentMap(),
  idempotent: PersistentMap(),
  idempotentOrder: emptyEvictionOrder(),
  recorded: 0
}

const view = (account: string, value: Account): AccountView => ({
  account,
  balance: value.balance,
  version: value.version
})

const lookupAccount = (state: LedgerState, account: string): Account | undefined => state.accounts.get(account)

const setAccount = (state: LedgerState, account: string, value: Account): LedgerState => ({
  ...state,
  accounts: state.accounts.set(account, value)
})

const credit = (state: LedgerState, account: string, amount: number): { state: LedgerState; result: LedgerResult } => {
  const current = lookupAccount(state, account)
  if (current === undefined) return { state, result: { _tag: "AccountNotFound", account } }
  if (current.balance > maxBalanceMinorUnits - amount) return { state, result: { _tag: "BalanceOverflow", account } }
  const next = { balance: current.balance + amount, version: current.version + 1 }
  return { state: setAccount(state, account, next), result: { _tag: "AccountOk", account: view(account, next) } }
}

const debit = (
  state: LedgerState,
  account: string,
  amount: number,
  expectedVersion: number | undefined
): { state: LedgerState; result: LedgerResult } => {
  const current = lookupAccount(state, account)
  if (current === undefined) return { state, result: { _tag: "AccountNotFound", account } }
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    return { state, result: { _tag: "VersionConflict", account, expectedVersion, version: current.version } }
  }
  if (current.balance < amount) {
    return { state, result: { _tag: "InsufficientFunds", account, balance: current.balance, requested: amount } }
  }
  const next = { balance: current.balance - amount, version: current.version + 1 }
  return { state: setAccount(state, account, next), result: { _tag: "AccountOk", account: view(account, next) } }
}

const transfer = (
  state: LedgerState,
  from: string,
  to: string,
  amount: number
): { state: LedgerState; result: LedgerResult } => {
  const target = lookupAccount(state, to)
  if (target === undefined) return { state, result: { _tag: "AccountNotFound", account: to } }
  if (target.balance > maxBalanceMinorUnits - amount) return { state, result: { _tag: "BalanceOverflow", account: to } }
  const debited = debit(state, from, amount, undefined)
  if (debited.result._tag !== "AccountOk") return debited
  const credited = credit(debited.state, to, amount)
  if (credited.result._tag !== "AccountOk") return { state, result: credited.result }
  return {
    state: credited.state,
    result: { _tag: "Transferred", from: debited.result.account, to: credited.result.account }
  }
}

const execute = (state: LedgerState, command: LedgerCommand): { state: LedgerState; result: LedgerResult } => {
  switch (command._tag) {
    case "CreateAccount": {
      if (lookupAccount(state, command.account) !== undefined) {
        return { state, result: { _tag: "AccountExists", account: command.account } }
      }
      const created = { balance: 0, version: 0 }
      return {
        state: setAccount(state, command.account, created),
        result: { _tag: "AccountOk", account: view(command.account, created) }
      }
    }
    case "Deposit":
      return credit(state, command.account, command.amount)
    case "Withdraw":
      return debit(state, command.account, command.amount, command.expectedVersion)
    case "Transfer":
      return transfer(state, command.from, command.to, command.amount)
    case "GetAccount":
      return { state, result: readLedger(state, command.account) }
  }
}

/**
 * Records a new key's first result. A key is recorded once (a known key returns before executing), so the oldest
 * by recording order is the first in `idempotentOrder`, found without scanning the table (issue 13, F4).
 */
const remember = (state: LedgerState, key: string, result: LedgerResult): LedgerState => {
  assert(!state.idempotent.has(key), "an idempotency key is recorded once")
  let idempotent = state.idempotent.set(key, { result, order: state.recorded })
  let idempotentOrder = touchKey(state.idempotentOrder, key)
  if (idempotent.size > maxIdempotencyKeys) {
    const oldest = oldestKey(idempotentOrder)
    assert(oldest !== undefined && oldest !== key, "a full idempotency table has an older key")
    idempotent = idempotent.remove(oldest)
    idempotentOrder = removeKey(idempotentOrder, oldest)
  }
  assert(idempotent.size === idempotentOrder.links.size, "every idempotency key is in the eviction order")
  return { ...state, idempotent, idempotentOrder, recorded: state.recorded + 1 }
}

export const applyLedger = (
  state: LedgerState,
  command: LedgerCommand
): { state: LedgerState; result: LedgerResult } => {
  const key = "idempotencyKey" in command ? command.idempotencyKey : undefined
  if (key !== undefined) {
    const first = state.idempotent.get(key)
    if (first !== undefined) return { state, result: first.result }
  }
  const executed = execute(state, command)
  return key === undefined
    ? executed
    : { state: remember(executed.state, key, executed.result), result: executed.result }
}

export const readLedger = (state: LedgerState, account: string): LedgerResult => {
  const current = lookupAccount(state, account)
  return current === undefined
    ? { _tag: "AccountNotFound", account }
    : { _tag: "AccountOk", account: view(account, current) }
}

/** Every balance, for the conservation and non-negativity invariants. */
export const balances = (state: LedgerState): ReadonlyArray<AccountView> =>
  [...state.accounts]
    .map(([account, value]) => view(account, value))
    .sort((left, right) => left.account.localeCompare(right.account))
