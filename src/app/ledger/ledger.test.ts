import { describe, expect, it } from "vitest"
import { countMapIterations } from "../mapIterations.ts"
import { applyLedger, balances, emptyLedgerState, maxIdempotencyKeys, type LedgerState } from "./apply.ts"
import { validateLedgerCommand, type LedgerCommand, type LedgerResult } from "./command.ts"

const run = (commands: ReadonlyArray<LedgerCommand>): { state: LedgerState; results: Array<LedgerResult> } => {
  let state = emptyLedgerState
  const results: Array<LedgerResult> = []
  for (const command of commands) {
    const applied = applyLedger(state, command)
    state = applied.state
    results.push(applied.result)
  }
  return { state, results }
}

describe("ledger", () => {
  it("100 withdrawals of $10 against $100: exactly 10 succeed, the balance ends at 0", () => {
    // Arrange
    const setup: Array<LedgerCommand> = [
      { _tag: "CreateAccount", account: "alice" },
      { _tag: "Deposit", account: "alice", amount: 10_000 }
    ]
    const withdrawals: Array<LedgerCommand> = Array.from({ length: 100 }, () => ({
      _tag: "Withdraw",
      account: "alice",
      amount: 1_000
    }))
    // Act
    const { state, results } = run([...setup, ...withdrawals])
    // Assert
    const outcomes = results.slice(2).map((result) => result._tag)
    expect(outcomes.filter((tag) => tag === "AccountOk")).toHaveLength(10)
    expect(outcomes.filter((tag) => tag === "InsufficientFunds")).toHaveLength(90)
    expect(balances(state)).toEqual([{ account: "alice", balance: 0, version: 11 }])
  })

  it("a stale expected version is a conflict and changes nothing", () => {
    const { results, state } = run([
      { _tag: "CreateAccount", account: "a" },
      { _tag: "Deposit", account: "a", amount: 500 },
      { _tag: "Withdraw", account: "a", amount: 100, expectedVersion: 0 },
      { _tag: "Withdraw", account: "a", amount: 100, expectedVersion: 1 }
    ])
    expect(results[2]).toEqual({ _tag: "VersionConflict", account: "a", expectedVersion: 0, version: 1 })
    expect(results[3]?._tag).toBe("AccountOk")
    expect(balances(state)[0]?.balance).toBe(400)
  })

  it("a transfer is atomic: refused whole when funds are short, applied whole otherwise", () => {
    const { results, state } = run([
      { _tag: "CreateAccount", account: "a" },
      { _tag: "CreateAccount", account: "b" },
      { _tag: "Deposit", account: "a", amount: 300 },
      { _tag: "Transfer", from: "a", to: "b", amount: 500 },
      { _tag: "Transfer", from: "a", to: "b", amount: 200 },
      { _tag: "Transfer", from: "a", to: "missing", amount: 50 }
    ])
    expect(results[3]?._tag).toBe("InsufficientFunds")
    expect(results[4]?._tag).toBe("Transferred")
    expect(results[5]).toEqual({ _tag: "AccountNotFound", account: "missing" })
    expect(balances(state).map((account) => account.balance)).toEqual([100, 200])
  })

  it("a retried idempotency key returns the first result and applies once", () => {
    const { results, state } = run([
      { _tag: "CreateAccount", account: "a" },
      { _tag: "Deposit", account: "a", amount: 100, idempotencyKey: "k1" },
      { _tag: "Deposit", account: "a", amount: 100, idempotencyKey: "k1" },
      { _tag: "Withdraw", account: "a", amount: 60, idempotencyKey: "k2" },
      { _tag: "Withdraw", account: "a", amount: 60, idempotencyKey: "k2" }
    ])
    expect(results[2]).toEqual(results[1])
    expect(results[4]).toEqual(results[3])
    expect(balances(state)[0]?.balance).toBe(40)
  })

  it("past the idempotency table's bound, forgets the oldest key first without walking the table", () => {
    // Arrange
    const beyond = 500
    const deposit = { _tag: "Deposit", account: "a", amount: 1 } as const
    const deposits: Array<LedgerCommand> = Array.from({ length: maxIdempotencyKeys + beyond }, (_, key) => ({
      _tag: "Deposit",
      account: "a",
      amount: 1,
      idempotencyKey: `key-${key}`
    }))
    // Act
    const { result: filled, count } = countMapIterations(() =>
      run([{ _tag: "CreateAccount", account: "a" }, ...deposits])
    )
    const forgotten = applyLedger(filled.state, { ...deposit, idempotencyKey: `key-${beyond - 1}` })
    const remembered = applyLedger(filled.state, { ...deposit, idempotencyKey: `key-${beyond}` })
    // Assert
    expect(count).toBe(0)
    expect(filled.state.idempotent.size).toBe(maxIdempotencyKeys)
    expect(filled.state.idempotent.has(`key-${beyond - 1}`)).toBe(false)
    expect(forgotten.result).toEqual({
      _tag: "AccountOk",
      account: { account: "a", balance: 100_501, version: 100_501 }
    })
    expect(remembered.result).toEqual(filled.results[beyond + 1])
    expect(remembered.state).toBe(filled.state)
  })

  it("refuses negative, fractional and overflowing amounts", () => {
    expect(validateLedgerCommand({ _tag: "Deposit", account: "a", amount: -5 })).toMatch(/not positive/)
    expect(validateLedgerCommand({ _tag: "Deposit", account: "a", amount: 1.5 })).toMatch(/not an integer/)
    expect(validateLedgerCommand({ _tag: "Transfer", from: "a", to: "a", amount: 1 })).toMatch(/two different/)
    const { results } = run([
      { _tag: "CreateAccount", account: "a" },
      { _tag: "Deposit", account: "a", amount: Number.MAX_SAFE_INTEGER },
      { _tag: "Deposit", account: "a", amount: 1 }
    ])
    expect(results[2]).toEqual({ _tag: "BalanceOverflow", account: "a" })
  })
})
