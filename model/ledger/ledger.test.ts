import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { checkHistory, type HistoryEvent } from "../linearizability/index.ts"
import { checkLedger } from "./invariants.ts"
import type { LedgerInput, LedgerOutput } from "./ledger.ts"
import { ledgerSpec } from "./ledgerSpec.ts"

type Event = HistoryEvent<LedgerInput, LedgerOutput>

const setup: ReadonlyArray<Event> = [
  { _tag: "Invoke", process: 0, atTime: 0, input: { _tag: "CreateAccount", account: "a" } },
  { _tag: "Ok", process: 0, atTime: 1, output: { _tag: "AccountOk", balance: 0, version: 0 } },
  { _tag: "Invoke", process: 0, atTime: 2, input: { _tag: "Deposit", account: "a", amount: 10 } },
  { _tag: "Ok", process: 0, atTime: 3, output: { _tag: "AccountOk", balance: 10, version: 1 } }
]

const verdict = (events: ReadonlyArray<Event>) => Either.getOrThrow(checkHistory(ledgerSpec, events)).verdict

describe("ledger model", () => {
  it("two concurrent withdrawals of the whole balance: one wins, one is refused — linearizable", () => {
    const history: ReadonlyArray<Event> = [
      ...setup,
      { _tag: "Invoke", process: 1, atTime: 10, input: { _tag: "Withdraw", account: "a", amount: 10 } },
      { _tag: "Invoke", process: 2, atTime: 11, input: { _tag: "Withdraw", account: "a", amount: 10 } },
      { _tag: "Ok", process: 2, atTime: 12, output: { _tag: "InsufficientFunds" } },
      { _tag: "Ok", process: 1, atTime: 13, output: { _tag: "AccountOk", balance: 0, version: 2 } }
    ]
    expect(verdict(history)).toBe("linearizable")
  })

  it("a double spend (both withdrawals succeed) is not linearizable", () => {
    const history: ReadonlyArray<Event> = [
      ...setup,
      { _tag: "Invoke", process: 1, atTime: 10, input: { _tag: "Withdraw", account: "a", amount: 10 } },
      { _tag: "Invoke", process: 2, atTime: 11, input: { _tag: "Withdraw", account: "a", amount: 10 } },
      { _tag: "Ok", process: 2, atTime: 12, output: { _tag: "AccountOk", balance: 0, version: 2 } },
      { _tag: "Ok", process: 1, atTime: 13, output: { _tag: "AccountOk", balance: 0, version: 2 } }
    ]
    expect(verdict(history)).toBe("not linearizable")
  })

  it("a retried idempotency key returns the first result", () => {
    const withdraw: LedgerInput = { _tag: "Withdraw", account: "a", amount: 4, idempotencyKey: "k" }
    const history: ReadonlyArray<Event> = [
      ...setup,
      { _tag: "Invoke", process: 1, atTime: 10, input: withdraw },
      { _tag: "Unknown", process: 1, atTime: 20 },
      { _tag: "Invoke", process: 3, atTime: 21, input: withdraw },
      { _tag: "Ok", process: 3, atTime: 22, output: { _tag: "AccountOk", balance: 6, version: 2 } },
      { _tag: "Invoke", process: 3, atTime: 23, input: { _tag: "GetAccount", account: "a" } },
      { _tag: "Ok", process: 3, atTime: 24, output: { _tag: "AccountOk", balance: 6, version: 2 } }
    ]
    expect(verdict(history)).toBe("linearizable")
    const doubleApplied = [
      ...history.slice(0, -1),
      { _tag: "Ok", process: 3, atTime: 24, output: { _tag: "AccountOk", balance: 2, version: 3 } } as Event
    ]
    expect(verdict(doubleApplied)).toBe("not linearizable")
  })

  it("flags negative balances, money created from nothing and a key applied twice", () => {
    expect(checkLedger({ balances: [{ account: "a", balance: 5 }] }, [{ _tag: "Deposit", amount: 5 }])).toEqual([])
    const violations = checkLedger(
      {
        balances: [
          { account: "a", balance: -1 },
          { account: "b", balance: 9 }
        ]
      },
      [
        { _tag: "Deposit", amount: 5, idempotencyKey: "k" },
        { _tag: "Deposit", amount: 5, idempotencyKey: "k" }
      ]
    )
    expect(violations.map((violation) => violation.invariant).sort()).toEqual([
      "ledger_balance_negative",
      "ledger_idempotency",
      "ledger_money_conserved"
    ])
  })
})
