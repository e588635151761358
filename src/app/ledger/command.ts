/**
 * The ledger's commands and results (the fourth seed document): accounts with a balance and a version,
 * deposits, withdrawals with optional optimistic locking, atomic transfers, and idempotency keys. Amounts are
 * integers in minor units (cents).
 */
import { Schema } from "effect"

export const maxAccountIdLength = 64
export const maxIdempotencyKeyLength = 128
/** The largest balance an account may hold: integers stay exact in a double below 2^53. */
export const maxBalanceMinorUnits = Number.MAX_SAFE_INTEGER

const AccountId = Schema.String
const Amount = Schema.Number
const IdempotencyKey = Schema.optional(Schema.String)

export const CreateAccount = Schema.TaggedStruct("CreateAccount", {
  account: AccountId,
  idempotencyKey: IdempotencyKey
})
export const Deposit = Schema.TaggedStruct("Deposit", {
  account: AccountId,
  amount: Amount,
  idempotencyKey: IdempotencyKey
})
export const Withdraw = Schema.TaggedStruct("Withdraw", {
  account: AccountId,
  amount: Amount,
  expectedVersion: Schema.optional(Schema.Number),
  idempotencyKey: IdempotencyKey
})
export const Transfer = Schema.TaggedStruct("Transfer", {
  from: AccountId,
  to: AccountId,
  amount: Amount,
  idempotencyKey: IdempotencyKey
})
export const GetAccount = Schema.TaggedStruct("GetAccount", { account: AccountId })

export const LedgerCommand = Schema.Union(CreateAccount, Deposit, Withdraw, Transfer, GetAccount)
export type LedgerCommand = typeof LedgerCommand.Type

export const AccountView = Schema.Struct({ account: AccountId, balance: Schema.Number, version: Schema.Number })
export type AccountView = typeof AccountView.Type

export const LedgerResult = Schema.Union(
  Schema.TaggedStruct("AccountOk", { account: AccountView }),
  Schema.TaggedStruct("Transferred", { from: AccountView, to: AccountView }),
  Schema.TaggedStruct("AccountNotFound", { account: AccountId }),
  Schema.TaggedStruct("AccountExists", { account: AccountId }),
  Schema.TaggedStruct("InsufficientFunds", { account: AccountId, balance: Schema.Number, requested: Schema.Number }),
  Schema.TaggedStruct("VersionConflict", {
    account: AccountId,
    expectedVersion: Schema.Number,
    version: Schema.Number
  }),
  Schema.TaggedStruct("BalanceOverflow", { account: AccountId })
)
export type LedgerResult = typeof LedgerResult.Type

/** Why a ledger command was refused before it reached the log. */
export type LedgerRejection =
  | { readonly _tag: "EmptyAccountId" }
  | { readonly _tag: "AccountIdTooLong"; readonly length: number; readonly maxLength: number }
  | { readonly _tag: "AmountNotInteger"; readonly amount: number }
  | { readonly _tag: "AmountNotPositive"; readonly amount: number }
  | { readonly _tag: "AmountTooLarge"; readonly amount: number; readonly maxAmount: number }
  | { readonly _tag: "ExpectedVersionInvalid"; readonly expectedVersion: number }
  | { readonly _tag: "IdempotencyKeyInvalid"; readonly length: number; readonly maxLength: number }
  | { readonly _tag: "SameAccountTransfer"; readonly account: string }

export const describeLedgerRejection = (rejection: LedgerRejection): string => {
  switch (rejection._tag) {
    case "EmptyAccountId":
      return "the account id is empty"
    case "AccountIdTooLong":
      return `the account id is ${rejection.length} characters, longer than ${rejection.maxLength}`
    case "AmountNotInteger":
      return `the amount ${rejection.amount} is not an integer number of minor units`
    case "AmountNotPositive":
      return `the amount ${rejection.amount} is not positive`
    case "AmountTooLarge":
      return `the amount ${rejection.amount} is over the largest balance, ${rejection.maxAmount} minor units`
    case "ExpectedVersionInvalid":
      return `the expected version ${rejection.expectedVersion} is not a non-negative integer`
    case "IdempotencyKeyInvalid":
      return `the idempotency key must be 1 to ${rejection.maxLength} characters`
    case "SameAccountTransfer":
      return `a transfer needs two different accounts, not ${rejection.account} twice`
  }
}

const checkAccount = (account: string): LedgerRejection | undefined => {
  if (account.length === 0) return { _tag: "EmptyAccountId" }
  if (account.length > maxAccountIdLength)
    return { _tag: "AccountIdTooLong", length: account.length, maxLength: maxAccountIdLength }
  return undefined
}

const checkAmount = (amount: number): LedgerRejection | undefined => {
  // An integer beyond 2^53 is no longer exact in a double: it is "too large", not "fractional".
  if (Number.isInteger(amount) && amount > maxBalanceMinorUnits)
    return { _tag: "AmountTooLarge", amount, maxAmount: maxBalanceMinorUnits }
  if (!Number.isSafeInteger(amount)) return { _tag: "AmountNotInteger", amount }
  if (amount <= 0) return { _tag: "AmountNotPositive", amount }
  return undefined
}

/** Semantic checks after Schema decoding: a typed rejection, or undefined when the command may be proposed. */
export const checkLedgerCommand = (command: LedgerCommand): LedgerRejection | undefined => {
  const key = "idempotencyKey" in command ? command.idempotencyKey : undefined
  if (key !== undefined && (key.length === 0 || key.length > maxIdempotencyKeyLength)) {
    return { _tag: "IdempotencyKeyInvalid", length: key.length, maxLength: maxIdempotencyKeyLength }
  }
  switch (command._tag) {
    case "CreateAccount":
    case "GetAccount":
      return checkAccount(command.account)
    case "Deposit":
      return checkAccount(command.account) ?? checkAmount(command.amount)
    case "Withdraw": {
      const expected = command.expectedVersion
      if (expected !== undefined && !(Number.isSafeInteger(expected) && expected >= 0)) {
        return { _tag: "ExpectedVersionInvalid", expectedVersion: expected }
      }
      return checkAccount(command.account) ?? checkAmount(command.amount)
    }
    case "Transfer":
      if (command.from === command.to) return { _tag: "SameAccountTransfer", account: command.from }
      return checkAccount(command.from) ?? checkAccount(command.to) ?? checkAmount(command.amount)
  }
}

/** Semantic checks after Schema decoding; a reason a person can read, or undefined. */
export const validateLedgerCommand = (command: LedgerCommand): string | undefined => {
  const rejection = checkLedgerCommand(command)
  return rejection === undefined ? undefined : describeLedgerRejection(rejection)
}
