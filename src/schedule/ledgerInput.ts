/**
 * What a schedule's ledger operation is to model/ledger's checker: the simulator's clients and the Docker replay's
 * record their ledger histories with it, so both worlds are judged on the same inputs.
 */
import type { LedgerInput } from "../../model/ledger/ledger.ts"
import type { ClientOperation } from "./schedule.ts"

const keyed = (key: string | undefined): { readonly idempotencyKey?: string } =>
  key === undefined ? {} : { idempotencyKey: key }

/** The ledger input a client operation stands for (a ReadAccount query is a GetAccount); undefined for key-value. */
export const ledgerInputOf = (op: ClientOperation): LedgerInput | undefined => {
  switch (op._tag) {
    case "CreateAccount":
      return { _tag: "CreateAccount", account: op.account, ...keyed(op.idempotencyKey) }
    case "Deposit":
      return { _tag: "Deposit", account: op.account, amount: op.amount, ...keyed(op.idempotencyKey) }
    case "Withdraw": {
      const expected = op.expectedVersion === undefined ? {} : { expectedVersion: op.expectedVersion }
      return { _tag: "Withdraw", account: op.account, amount: op.amount, ...expected, ...keyed(op.idempotencyKey) }
    }
    case "Transfer":
      return { _tag: "Transfer", from: op.from, to: op.to, amount: op.amount, ...keyed(op.idempotencyKey) }
    case "GetAccount":
    case "ReadAccount":
      return { _tag: "GetAccount", account: op.account }
    default:
      return undefined
  }
}
