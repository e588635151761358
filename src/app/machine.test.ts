import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  AppCommand,
  applyApp,
  checkAppCommand,
  emptyAppState,
  queryApp,
  validateAppCommand,
  validateAppQuery,
  type AppState
} from "./machine.ts"

const run = (commands: ReadonlyArray<AppCommand>): AppState =>
  commands.reduce((state, command) => applyApp(state, command).state, emptyAppState)

describe("the replicated application: kv and ledger in one state machine", () => {
  it("routes each command by its tag and keeps the two states apart", () => {
    // Arrange
    const state = run([
      { _tag: "Put", key: "alice", value: "not money" },
      { _tag: "CreateAccount", account: "alice" },
      { _tag: "Deposit", account: "alice", amount: 10_000 }
    ])
    // Act
    const withdrawn = applyApp(state, { _tag: "Withdraw", account: "alice", amount: 1_000 })
    // Assert
    expect(withdrawn.result).toEqual({ _tag: "AccountOk", account: { account: "alice", balance: 9_000, version: 2 } })
    expect(queryApp(withdrawn.state, { _tag: "ReadAccount", account: "alice" })).toEqual(withdrawn.result)
    expect(queryApp(withdrawn.state, { _tag: "Read", key: "alice" })).toEqual({ _tag: "Ok", value: "not money" })
    expect(withdrawn.state.kv).toBe(state.kv)
  })

  it("a refused or read-only command leaves the state object unchanged", () => {
    const state = run([{ _tag: "CreateAccount", account: "a" }])
    expect(applyApp(state, { _tag: "Withdraw", account: "a", amount: 1 }).state).toBe(state)
    expect(applyApp(state, { _tag: "Get", key: "k" }).state).toBe(state)
  })

  it("validates ledger commands with typed reasons, and kv commands as before", () => {
    expect(checkAppCommand({ _tag: "Deposit", account: "a", amount: -1 })).toEqual({
      _tag: "AmountNotPositive",
      amount: -1
    })
    expect(checkAppCommand({ _tag: "Deposit", account: "a", amount: 2 ** 60 })).toMatchObject({
      _tag: "AmountTooLarge"
    })
    expect(validateAppCommand({ _tag: "Withdraw", account: "a", amount: 0.5 })).toMatch(/not an integer/)
    expect(checkAppCommand({ _tag: "Put", key: "", value: "v" })).toEqual({ _tag: "EmptyKey" })
    expect(validateAppQuery({ _tag: "ReadAccount", account: "" })).toMatch(/empty/)
    expect(validateAppCommand({ _tag: "Transfer", from: "a", to: "b", amount: 1, idempotencyKey: "k" })).toBeUndefined()
  })

  it("decodes both applications' commands with one Schema, as a log entry would be", () => {
    const decode = Schema.decodeUnknownSync(AppCommand)
    expect(decode({ _tag: "Withdraw", account: "a", amount: 5, expectedVersion: 3 })).toEqual({
      _tag: "Withdraw",
      account: "a",
      amount: 5,
      expectedVersion: 3
    })
    expect(decode({ _tag: "Cas", key: "k", expected: null, value: "v" })._tag).toBe("Cas")
    expect(() => decode({ _tag: "Withdraw", account: "a", amount: "5" })).toThrow()
  })
})
