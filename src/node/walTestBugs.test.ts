/**
 * The node's host-path bugs, on a real WAL directory: applyCorruptRecords (the WAL adapter trusts a record whose
 * payload failed its checksum, only when a test image asks for it) and the durability witness that sees an
 * acknowledgement sent before its fdatasync (ackBeforePersist). The storage decoder stays strict throughout.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { Entry } from "../protocol/index.ts"
import { DurabilityWitness } from "./durabilityWitness.ts"
import { Wal, WalLive, type WalLiveOptions, type WalRecovery } from "./wal.ts"
import type { WalRecord } from "../storage/walRecord.ts"

const entry = (index: number, value: string): Entry => ({
  index,
  term: 1,
  payload: {
    _tag: "Command",
    session: { clientId: "c", sequence: index },
    command: { _tag: "Put", key: `k${index}`, value }
  }
})

const records: ReadonlyArray<WalRecord> = [
  { hardState: { term: 1, votedFor: 0 }, append: [entry(1, "first")] },
  { append: [entry(2, "SECOND")] },
  { append: [entry(3, "third")] }
]

const withWal = <A>(
  directory: string,
  options: WalLiveOptions,
  use: (recovery: WalRecovery, append: (r: ReadonlyArray<WalRecord>) => Promise<void>) => Promise<A>
): Promise<A> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const wal = yield* Wal
      const recovery = yield* wal.recover
      const result = yield* Effect.promise(() => use(recovery, (appended) => Effect.runPromise(wal.append(appended))))
      yield* wal.close
      return result
    }).pipe(Effect.provide(WalLive(directory, options)))
  )

let directory = ""
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "faultline-testbugs-"))
})
afterEach(async () => {
  await rm(directory, { recursive: true, force: true })
})

/** Changes one letter inside the second entry's value: the JSON still parses, only the CRC knows. */
const damageSecondValue = async (): Promise<void> => {
  const file = join(directory, "wal.log")
  const bytes = await readFile(file)
  const offset = bytes.indexOf("SECOND")
  expect(offset).toBeGreaterThan(0)
  bytes[offset] = "Z".charCodeAt(0)
  await writeFile(file, bytes)
}

describe("applyCorruptRecords on the node's WAL", () => {
  it("the correct recovery stops at the damaged record and says the replica is damaged", async () => {
    await withWal(directory, {}, async (_, append) => append(records))
    await damageSecondValue()
    const recovery = await withWal(directory, {}, async (recovered) => recovered)
    expect(recovery.corruptionDetected).toBe(true)
    expect(recovery.durable.damaged).toBe(true)
    expect(recovery.durable.log.map((logged) => logged.index)).toEqual([1])
    expect(recovery.corruptRecordsTrusted).toBe(0)
  })

  it("with the bug, the damaged record is replayed as it reads and the rewritten log looks clean", async () => {
    await withWal(directory, {}, async (_, append) => append(records))
    await damageSecondValue()
    const correctCopy = `${directory}-copy`
    await cp(directory, correctCopy, { recursive: true })
    const recovery = await withWal(directory, { applyCorruptRecords: true }, async (recovered) => recovered)
    expect(recovery.corruptRecordsTrusted).toBe(1)
    expect(recovery.corruptionDetected).toBe(false)
    expect(recovery.durable.damaged).toBe(false)
    const second = recovery.durable.log[1]?.payload
    expect(second?._tag === "Command" && second.command._tag === "Put" ? second.command.value : undefined).toBe(
      "ZECOND"
    )
    expect(recovery.durable.log).toHaveLength(3)
    // Nothing on disk shows the damage any more: the next (correct) start reads a clean log.
    const again = await withWal(directory, {}, async (recovered) => recovered)
    expect(again.finding).toBe("Clean")
    expect(again.durable.log).toHaveLength(3)
    await rm(correctCopy, { recursive: true, force: true })
  })

  it("with the bug but an undamaged log, recovery is the correct one", async () => {
    await withWal(directory, {}, async (_, append) => append(records))
    const recovery = await withWal(directory, { applyCorruptRecords: true }, async (recovered) => recovered)
    expect(recovery.corruptRecordsTrusted).toBe(0)
    expect(recovery.durable.log).toHaveLength(3)
  })
})

describe("the durability witness (persisted_before_reply on the node)", () => {
  const empty = { hardState: { term: 0, votedFor: null }, log: [], damaged: false }

  it("counts a vote granted before the vote is on disk, and not one granted after", () => {
    const witness = new DurabilityWitness(empty)
    witness.sending(1, { _tag: "RequestVoteResponse", term: 1, granted: true, preVote: false })
    expect(witness.sentBeforeDurable).toBe(1)
    expect(witness.examples[0]).toMatch(/granted a vote in term 1 to n1 while the disk says term 0/)
    witness.synced([{ hardState: { term: 1, votedFor: 1 }, append: [] }])
    witness.sending(1, { _tag: "RequestVoteResponse", term: 1, granted: true, preVote: false })
    witness.sending(2, { _tag: "RequestVoteResponse", term: 2, granted: true, preVote: true })
    expect(witness.sentBeforeDurable).toBe(1)
  })

  it("does not count a vote whose term's hard state was synced in one batch with a later term's", () => {
    // Arrange: a restarted node found two vote requests waiting and wrote both hard states in one group commit.
    const witness = new DurabilityWitness(empty)
    witness.synced([
      { hardState: { term: 2, votedFor: 2 }, append: [] },
      { hardState: { term: 3, votedFor: 0 }, append: [] }
    ])
    // Act
    witness.sending(2, { _tag: "RequestVoteResponse", term: 2, granted: true, preVote: false })
    witness.sending(0, { _tag: "RequestVoteResponse", term: 3, granted: true, preVote: false })
    witness.sending(1, { _tag: "RequestVoteResponse", term: 3, granted: true, preVote: false })
    // Assert: only the vote that no synced hard state holds (term 3 to n1) counts.
    expect(witness.sentBeforeDurable).toBe(1)
    expect(witness.examples[0]).toMatch(/granted a vote in term 3 to n1/)
  })

  it("counts an append acknowledged beyond what is durable, and follows truncations", () => {
    const witness = new DurabilityWitness(empty)
    const ack = (matchIndex: number) =>
      ({
        _tag: "AppendEntriesResponse",
        term: 1,
        success: true,
        matchIndex,
        conflictIndex: 0,
        conflictTerm: 0,
        readContext: 0
      }) as const
    witness.synced([{ append: [entry(1, "a"), entry(2, "b")] }])
    witness.sending(0, ack(2))
    expect(witness.sentBeforeDurable).toBe(0)
    witness.synced([{ truncateFrom: 2, append: [] }])
    witness.sending(0, ack(2))
    expect(witness.sentBeforeDurable).toBe(1)
  })
})
