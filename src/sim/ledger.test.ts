import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { runSchedule } from "./run.ts"
import { defaultProfile, describeStep, Schedule, type Step } from "../schedule/index.ts"

const client = (at: number, clientNumber: number, op: Extract<Step, { _tag: "Client" }>["op"]): Step => ({
  _tag: "Client",
  at,
  client: clientNumber,
  op
})

const schedule = (steps: ReadonlyArray<Step>): Schedule => ({
  version: 1,
  replicas: 3,
  seed: 42,
  profile: defaultProfile,
  limits: { simulatedMs: 60_000, events: 1_000_000 },
  steps
})

describe("ledger operations in the simulator", () => {
  it("records ledger operations in their own history, apart from the key-value history, and both linearize", () => {
    // Arrange
    const steps = [
      client(3000, 0, { _tag: "CreateAccount", account: "a", idempotencyKey: "open-a" }),
      client(3000, 0, { _tag: "Deposit", account: "a", amount: 500 }),
      client(3000, 1, { _tag: "Put", key: "k", value: "v" }),
      client(3500, 1, { _tag: "Withdraw", account: "a", amount: 200, expectedVersion: 1 }),
      client(3500, 2, { _tag: "Withdraw", account: "a", amount: 400 }),
      client(5000, 0, { _tag: "ReadAccount", account: "a" })
    ]
    // Act
    const result = runSchedule(schedule(steps))
    // Assert
    expect(result.violations).toEqual([])
    expect(result.history.filter((event) => event._tag === "Invoke")).toHaveLength(1)
    const ledgerOutputs = result.ledgerHistory.flatMap((event) => (event._tag === "Ok" ? [event.output] : []))
    expect(ledgerOutputs).toHaveLength(5)
    expect(ledgerOutputs[0]).toEqual({ _tag: "AccountOk", balance: 0, version: 0 })
    // One of the two withdrawals wins; the read sees what is left.
    expect([100, 300]).toContain((ledgerOutputs[4] as { balance: number }).balance)
    for (const replica of result.replicas) expect(replica.state?.lastApplied).toBeGreaterThanOrEqual(6)
  })

  it("decodes ledger steps with the Schedule Schema and tells each as one line of a story", () => {
    const steps: ReadonlyArray<Step> = [
      client(10, 0, { _tag: "Withdraw", account: "alice", amount: 1000, expectedVersion: 3, idempotencyKey: "w-1" }),
      client(20, 1, { _tag: "Transfer", from: "alice", to: "bob", amount: 250 }),
      client(30, 2, { _tag: "ReadAccount", account: "bob" })
    ]
    expect(Schema.decodeUnknownSync(Schedule)(schedule(steps)).steps).toEqual(steps)
    expect(steps.map(describeStep)).toEqual([
      `at 10 ms: client 0 withdraw 1000 from "alice" expecting version 3 with idempotency key "w-1"`,
      `at 20 ms: client 1 transfer 250 from "alice" to "bob"`,
      `at 30 ms: client 2 read account "bob"`
    ])
    expect(() =>
      Schema.decodeUnknownSync(Schedule)(
        schedule([client(0, 0, { _tag: "Deposit", account: "a", amount: "5" } as never)])
      )
    ).toThrow()
  })
})
