/**
 * The ledger's sequential specification, written independently of src/app/ledger so that the two check each
 * other. Plain immutable maps: histories are short, clarity wins over speed here.
 */
export type LedgerInput =
  | { readonly _tag: "CreateAccount"; readonly account: string; readonly idempotencyKey?: string }
  | { readonly _tag: "Deposit"; readonly account: string; readonly amount: number; readonly idempotencyKey?: string }
  | {
      readonly _tag: "Withdraw"
      readonly account: string
      readonly amount: number
      readonly expectedVersion?: number
      readonly idempotencyKey?: string
    }
  | {
      readonly _tag: "Transfer"
      readonly from: string
      readonly to: string
      readonly amount: number
      readonly idempotencyKey?: string
    }
  | { readonly _tag: "GetAccount"; readonly account: string }

export interface LedgerAccount {
  readonly balance: number
  readonly version: number
}

/** What a client can observe of an outcome: the kind, and the balances and versions it reports. */
export type LedgerOutput =
  | { readonly _tag: "AccountOk"; readonly balance: number; readonly version: number }
  | { readonly _tag: "Transferred"; readonly fromBalance: number; readonly toBalance: number }
  | { readonly _tag: "AccountNotFound" }
  | { readonly _tag: "AccountExists" }
  | { readonly _tag: "InsufficientFunds" }
  | { readonly _tag: "VersionConflict" }
  | { readonly _tag: "BalanceOverflow" }

export interface LedgerModelState {
  readonly accounts: ReadonlyMap<string, LedgerAccount>
  readonly firstResults: ReadonlyMap<string, LedgerOutput>
}

export const initialLedgerModel: LedgerModelState = { accounts: new Map(), firstResults: new Map() }

const withAccount = (state: LedgerModelState, account: string, value: LedgerAccount): LedgerModelState => {
  const accounts = new Map(state.accounts)
  accounts.set(account, value)
  return { ...state, accounts }
}

const limit = Number.MAX_SAFE_INTEGER

const executeLedger = (
  state: LedgerModelState,
  input: LedgerInput
): { state: LedgerModelState; output: LedgerOutput } => {
  const unchanged = (output: LedgerOutput) => ({ state, output })
  switch (input._tag) {
    case "CreateAccount":
      if (state.accounts.has(input.account)) return unchanged({ _tag: "AccountExists" })
      return {
        state: withAccount(state, input.account, { balance: 0, version: 0 }),
        output: { _tag: "AccountOk", balance: 0, version: 0 }
      }
    case "GetAccount": {
      const account = state.accounts.get(input.account)
      return unchanged(account === undefined ? { _tag: "AccountNotFound" } : { _tag: "AccountOk", ...account })
    }
    case "Deposit": {
      const account = state.accounts.get(input.account)
      if (account === undefined) return unchanged({ _tag: "AccountNotFound" })
      if (account.balance + input.amount > limit) return unchanged({ _tag: "BalanceOverflow" })
      const next = { balance: account.balance + input.amount, version: account.version + 1 }
      return { state: withAccount(state, input.account, next), output: { _tag: "AccountOk", ...next } }
    }
    case "Withdraw": {
      const account = state.accounts.get(input.account)
      if (account === undefined) return unchanged({ _tag: "AccountNotFound" })
      if (input.expectedVersion !== undefined && input.expectedVersion !== account.version)
        return unchanged({ _tag: "VersionConflict" })
      if (account.balance < input.amount) return unchanged({ _tag: "InsufficientFunds" })
      const next = { balance: account.balance - input.amount, version: account.version + 1 }
      return { state: withAccount(state, input.account, next), output: { _tag: "AccountOk", ...next } }
    }
    case "Transfer": {
      const from = state.accounts.get(input.from)
      const to = state.accounts.get(input.to)
      if (to === undefined) return unchanged({ _tag: "AccountNotFound" })
      if (to.balance + input.amount > limit) return unchanged({ _tag: "BalanceOverflow" })
      if (from === undefined) return unchanged({ _tag: "AccountNotFound" })
      if (from.balance < input.amount) return unchanged({ _tag: "InsufficientFunds" })
      const nextFrom = { balance: from.balance - input.amount, version: from.version + 1 }
      const nextTo = { balance: to.balance + input.amount, version: to.version + 1 }
      const next = withAccount(withAccount(state, input.from, nextFrom), input.to, nextTo)
      return { state: next, output: { _tag: "Transferred", fromBalance: nextFrom.balance, toBalance: nextTo.balance } }
    }
  }
}

/** One step of the sequential ledger, idempotency keys included. */
export const applyLedgerModel = (
  state: LedgerModelState,
  input: LedgerInput
): { state: LedgerModelState; output: LedgerOutput } => {
  const key = "idempotencyKey" in input ? input.idempotencyKey : undefined
  if (key !== undefined) {
    const first = state.firstResults.get(key)
    if (first !== undefined) return { state, output: first }
  }
  const executed = executeLedger(state, input)
  if (key === undefined) return executed
  const firstResults = new Map(executed.state.firstResults)
  firstResults.set(key, executed.output)
  return { state: { ...executed.state, firstResults }, output: executed.output }
}
