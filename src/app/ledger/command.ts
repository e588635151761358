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

export const CreateAccount = Schema.TaggedStruct("CreateAccount", { account: AccountId, idempotencyKey: IdempotencyKey })
export const Deposit = Schema.TaggedStruct("Deposit", { account: AccountId, amount: Amount, idempotencyKey: IdempotencyKey })
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
  Schema.TaggedStruct("VersionConflict", { account: AccountId, expectedVersion: Schema.Number, version: Schema.Number }),
  Schema.TaggedStruct("BalanceOverflow", { account: AccountId })
)
export type LedgerResult = typeof LedgerResult.Type

const validAccount = (account: string): string | undefined => {
  if (account.length === 0) return "the account id is empty"
  if (account.length > maxAccountIdLength) return `the account id is longer than ${maxAccountIdLength} characters`
  return undefined
}

const validAmount = (amount: number): string | undefined => {
  if (!Number.isSafeInteger(amount)) return `the amount ${amount} is not an integer number of minor units`
  if (amount <= 0) return `the amount ${amount} is not positive`
  return undefined
}

/** Semantic checks after Schema decoding; a reason a person can read, or undefined. */
export const validateLedgerCommand = (command: LedgerCommand): string | undefined => {
  const key = "idempotencyKey" in command ? command.idempotencyKey : undefined
  if (key !== undefined && (key.length === 0 || key.length > maxIdempotencyKeyLength)) {
    return `the idempotency key must be 1 to ${maxIdempotencyKeyLength} characters`
  }
  switch (command._tag) {
    case "CreateAccount":
    case "GetAccount":
      return validAccount(command.account)
    case "Deposit":
      return validAccount(command.account) ?? validAmount(command.amount)
    case "Withdraw": {
      const expected = command.expectedVersion
      if (expected !== undefined && !(Number.isSafeInteger(expected) && expected >= 0)) {
        return `the expected version ${expected} is not a non-negative integer`
      }
      return validAccount(command.account) ?? validAmount(command.amount)
    }
    case "Transfer":
      if (command.from === command.to) return "a transfer needs two different accounts"
      return validAccount(command.from) ?? validAccount(command.to) ?? validAmount(command.amount)
  }
}
