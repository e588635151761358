/**
 * The class behind issue 13's F1: whatever a host hands the leader, an entry it appends must be one the wire and
 * the disk can carry — followers decode it with the message Schema and accept it, recovery reads it back with the
 * entry Schema — and whatever it refuses is refused with a typed reason before anything is appended. Requests are
 * drawn around every bound the Schemas and the applications set (session names, sequences, keys, values, account
 * ids, amounts, idempotency keys), and the cluster routes every message and persisted entry through JSON and the
 * Schemas (testing/wire.ts).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { AppCommand } from "../app/machine.ts"
import type { ClientRequest } from "./io.ts"
import * as Log from "./log.ts"
import { describeRequestRejection } from "./proposal.ts"
import { Interaction } from "./testing/interaction.ts"

const around = (limit: number): fc.Arbitrary<number> => fc.integer({ min: Math.max(0, limit - 2), max: limit + 2 })
const repeated = (unit: string, count: fc.Arbitrary<number>): fc.Arbitrary<string> =>
  count.map((length) => unit.repeat(length))

/** Any text, or text whose length sits at a bound (in characters, or in UTF-8 bytes for multi-byte units). */
const textAround = (limit: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.string({ unit: "binary", maxLength: 8 }),
    repeated("c", around(limit)),
    repeated("é", around(limit / 2)),
    repeated("\u0001", around(limit))
  )

const numberish = fc.oneof(
  fc.integer({ min: -3, max: 1000 }),
  fc.constantFrom(0.5, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2)
)

const key = textAround(256)
const value = fc.oneof(fc.string({ maxLength: 8 }), textAround(64 * 1024))
const account = textAround(64)
const idempotencyKey = fc.option(textAround(128), { nil: undefined })

const kvCommand: fc.Arbitrary<AppCommand> = fc.oneof(
  fc.record({ _tag: fc.constant("Put" as const), key, value }),
  fc.record({ _tag: fc.constant("Delete" as const), key }),
  fc.record({ _tag: fc.constant("Cas" as const), key, expected: fc.option(value, { nil: null }), value })
)

const withKey = <Command extends object>(command: Command, key: string | undefined): Command =>
  key === undefined ? command : { ...command, idempotencyKey: key }

const ledgerCommand: fc.Arbitrary<AppCommand> = fc.oneof(
  fc.tuple(account, idempotencyKey).map(([id, k]) => withKey({ _tag: "CreateAccount" as const, account: id }, k)),
  fc
    .tuple(account, numberish, idempotencyKey)
    .map(([id, amount, k]) => withKey({ _tag: "Deposit" as const, account: id, amount }, k)),
  fc
    .tuple(account, numberish, fc.option(numberish, { nil: undefined }), idempotencyKey)
    .map(([id, amount, expectedVersion, k]) =>
      withKey(
        expectedVersion === undefined
          ? { _tag: "Withdraw" as const, account: id, amount }
          : { _tag: "Withdraw" as const, account: id, amount, expectedVersion },
        k
      )
    ),
  fc
    .tuple(account, account, numberish, idempotencyKey)
    .map(([from, to, amount, k]) => withKey({ _tag: "Transfer" as const, from, to, amount }, k))
)

const session = fc.record({
  clientId: textAround(128),
  sequence: fc.oneof(numberish, fc.constant(1))
})

const request: fc.Arbitrary<ClientRequest> = fc.record({
  _tag: fc.constant("Command" as const),
  session,
  command: fc.oneof(kvCommand, ledgerCommand)
})

/** A three-replica cluster whose node 1 leads with its no-op committed everywhere. */
const clusterWithLeader = (): Interaction => {
  const cluster = new Interaction(3)
  cluster.campaign(1)
  cluster.stabilize()
  cluster.tick(1, 100)
  cluster.stabilize()
  return cluster
}

describe("proposals the leader accepts are entries the log can hold", () => {
  it("replicates every accepted request to every follower, which accept it; refuses the rest with a typed reason", () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 4 }), (requests) => {
        // Arrange
        const cluster = clusterWithLeader()
        // Act
        const requestIds = requests.map((each) => cluster.request(1, each))
        cluster.stabilize()
        cluster.tick(1, 100)
        cluster.stabilize()
        // Assert: every request answered, accepted ones applied, refused ones with a code and a reason.
        let accepted = 0
        for (const requestId of requestIds) {
          const reply = cluster.replies.get(requestId)
          expect(reply, `request ${requestId} is answered`).toBeDefined()
          if (reply?._tag === "Rejected") {
            expect(reply.rejection._tag).toMatch(
              /^(SessionInvalid|CommandInvalid|EntryTooLarge|EmptyKey|KeyTooLong|ValueTooLong|EmptyAccountId|AccountIdTooLong|AmountNotInteger|AmountNotPositive|AmountTooLarge|ExpectedVersionInvalid|IdempotencyKeyInvalid|SameAccountTransfer)$/
            )
            expect(describeRequestRejection(reply.rejection).length).toBeGreaterThan(0)
          } else {
            expect(reply?._tag).toMatch(/^(Applied|SessionExpired)$/)
            accepted += 1
          }
        }
        const leaderLog = Log.toArray(cluster.replica(1).state.log)
        expect(leaderLog.length, "the no-op and one entry per accepted request").toBe(1 + accepted)
        for (const id of [1, 2, 3]) {
          const replica = cluster.replica(id)
          expect(replica.state.stats.rejections, `node ${id} refused no message`).toEqual({})
          expect(replica.state.commitIndex, `node ${id} committed every accepted entry`).toBe(leaderLog.length)
          // The durable log went through JSON and the entry Schema: it is what recovery would read back.
          expect(JSON.stringify(replica.durable.log)).toBe(JSON.stringify(leaderLog))
        }
      }),
      { numRuns: Number(process.env["FAULTLINE_RUNS"] ?? 150) }
    )
  })
})
