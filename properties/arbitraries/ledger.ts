/**
 * Ledger workloads as fast-check values: a few accounts funded at the start, then withdrawals (some with an
 * expected version), deposits, transfers and reads from several clients, so operations collide on the same
 * accounts. The faults come from the ordinary schedule arbitrary; only the client operations are replaced, so
 * a ledger scenario shrinks like any other (fewer operations, fewer faults, earlier steps).
 */
import fc from "fast-check"
import type { ClientOperation, Step } from "../../src/schedule/index.ts"
import {
  livenessTrafficMs,
  scheduleArbitrary,
  trafficStartMs,
  type BuiltSchedule,
  type ScheduleShape
} from "./schedule.ts"

export interface LedgerWorkload {
  /** Few accounts, so that withdrawals and transfers collide. */
  readonly accounts: number
  /** The share of money-moving operations that carry an idempotency key (0–100). */
  readonly keyedPercent: number
  /** Each account's opening deposit, in minor units. */
  readonly openingBalance: number
}

export interface RawLedgerOperation {
  readonly atMs: number
  readonly client: number
  readonly verb: number
  readonly account: number
  readonly other: number
  readonly amount: number
  readonly keyed: number
  readonly expectedVersion: number
}

export const defaultLedgerWorkload: LedgerWorkload = { accounts: 2, keyedPercent: 50, openingBalance: 1_000 }

/** The client that opens the accounts; the workload's clients are numbered after it. */
const setupClient = 0
/** The opening operations run first; the workload starts once they had time to finish. */
const setupMs = 500

const accountName = (account: number): string => `acct${account}`

const rawLedgerOperation = (clients: number, accounts: number, trafficMs: number): fc.Arbitrary<RawLedgerOperation> =>
  fc.record({
    atMs: fc.integer({ min: setupMs, max: trafficMs }),
    client: fc.integer({ min: 1, max: clients }),
    verb: fc.nat({ max: 99 }),
    account: fc.integer({ min: 0, max: accounts - 1 }),
    other: fc.integer({ min: 1, max: Math.max(1, accounts - 1) }),
    amount: fc.integer({ min: 1, max: 8 }),
    keyed: fc.nat({ max: 99 }),
    expectedVersion: fc.nat({ max: 12 })
  })

const operationOf = (raw: RawLedgerOperation, position: number, workload: LedgerWorkload): ClientOperation => {
  const account = accountName(raw.account)
  const amount = raw.amount * 100
  const keyed = raw.keyed < workload.keyedPercent ? { idempotencyKey: `op-${position}` } : {}
  if (raw.verb < 25) return { _tag: "Withdraw", account, amount, ...keyed }
  if (raw.verb < 40) return { _tag: "Withdraw", account, amount, expectedVersion: raw.expectedVersion, ...keyed }
  if (raw.verb < 55) return { _tag: "Deposit", account, amount, ...keyed }
  if (raw.verb < 75) {
    const to = accountName((raw.account + raw.other) % workload.accounts)
    if (to === account) return { _tag: "ReadAccount", account }
    return { _tag: "Transfer", from: account, to, amount, ...keyed }
  }
  if (raw.verb < 95) return { _tag: "ReadAccount", account }
  return { _tag: "GetAccount", account }
}

/** Opening the accounts: created and funded by one client, each with an idempotency key. */
export const openingSteps = (workload: LedgerWorkload, at: number): Array<Step> =>
  Array.from(
    { length: workload.accounts },
    (_, account): Array<Step> => [
      {
        _tag: "Client",
        at,
        client: setupClient,
        op: { _tag: "CreateAccount", account: accountName(account), idempotencyKey: `open-${account}` }
      },
      {
        _tag: "Client",
        at,
        client: setupClient,
        op: {
          _tag: "Deposit",
          account: accountName(account),
          amount: workload.openingBalance,
          idempotencyKey: `fund-${account}`
        }
      }
    ]
  ).flat()

export const ledgerScheduleArbitrary = (
  shape: ScheduleShape,
  workload: LedgerWorkload = defaultLedgerWorkload
): fc.Arbitrary<BuiltSchedule> => {
  const trafficMs = (shape.safetyMs ?? 6000) + (shape.livenessTrafficMs ?? livenessTrafficMs)
  const operations = fc.array(rawLedgerOperation(shape.clients ?? 3, workload.accounts, trafficMs), {
    minLength: 1,
    maxLength: shape.maxOperations ?? 50,
    size: "max"
  })
  return fc.tuple(scheduleArbitrary({ ...shape, maxOperations: 1 }), operations).map(([built, raw]) => {
    const faults = built.schedule.steps.filter((step) => step._tag !== "Client")
    const clientSteps: Array<Step> = raw.map((operation, position) => ({
      _tag: "Client",
      at: trafficStartMs + operation.atMs,
      client: operation.client,
      op: operationOf(operation, position, workload)
    }))
    const steps = [...openingSteps(workload, trafficStartMs), ...clientSteps, ...faults].sort(
      (left, right) => left.at - right.at
    )
    return { ...built, schedule: { ...built.schedule, steps } }
  })
}
