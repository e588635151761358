/**
 * The simulator's WAL defers its writes until something looks at the disk, and recognises the payloads it
 * wrote instead of parsing them again: neither may change what is on the disk or what a recovery returns.
 */
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { Entry } from "../protocol/entry.ts"
import type { Output } from "../protocol/io.ts"
import { MemoryLog } from "../storage/memoryLog.ts"
import { SimDisk } from "./disk.ts"
import { SimRandom } from "../schedule/random.ts"
import { WalRecord, walRecordOf } from "../storage/walRecord.ts"
import { Wal } from "./wal.ts"

type Persist = Extract<Output, { _tag: "Persist" }>

const entry = (index: number, term: number): Entry => ({
  index,
  term,
  payload: {
    _tag: "Command",
    session: { clientId: `c${index % 3}`, sequence: index },
    command: { _tag: "Put", key: `k${index % 4}`, value: `v→${index}` }
  }
})

const persists: ReadonlyArray<Persist> = [
  { _tag: "Persist", ioId: 1, hardState: { term: 1, votedFor: 0 }, append: [] },
  { _tag: "Persist", ioId: 2, append: [entry(1, 1), entry(2, 1)] },
  { _tag: "Persist", ioId: 3, hardState: { term: 2, votedFor: null }, truncateFrom: 2, append: [entry(2, 2)] },
  { _tag: "Persist", ioId: 4, append: [entry(3, 2)] }
]

/** What the record of a Persist looks like on the disk: the WalRecord encoded by its Schema, as JSON. */
const schemaPayloads = (persist: Persist): ReadonlyArray<Uint8Array> => [
  new TextEncoder().encode(JSON.stringify(Schema.encodeSync(WalRecord)(walRecordOf(persist))))
]

/** The same writes performed at once, through a MemoryLog, with a sync after each of the first three. */
const eagerDisk = (): SimDisk => {
  const disk = new SimDisk()
  const log = new MemoryLog(disk.medium)
  expect(Either.isRight(log.recover())).toBe(true)
  persists.forEach((persist, position) => {
    expect(Either.isRight(log.append(schemaPayloads(persist)))).toBe(true)
    if (position < 3) log.sync()
  })
  return disk
}

const deferredWal = (): Wal => {
  const wal = new Wal(new SimDisk())
  persists.forEach((persist, position) => {
    expect(wal.append(walRecordOf(persist))).toBe(true)
    if (position < 3) wal.sync()
  })
  return wal
}

const bytesOf = (disk: SimDisk): Uint8Array => Either.getOrThrow(disk.medium.readAll())

describe("the simulator's WAL", () => {
  it("writes nothing until the disk is looked at, then exactly what immediate writes would have", () => {
    const wal = deferredWal()
    expect(wal.disk.medium.sizeBytes()).toBe(0)
    wal.materialize()
    const eager = eagerDisk()
    expect(bytesOf(wal.disk)).toEqual(bytesOf(eager))
    expect(wal.disk.medium.durableSizeBytes()).toBe(eager.medium.durableSizeBytes())
    expect(wal.disk.medium.unsyncedOperations()).toBe(eager.medium.unsyncedOperations())
  })

  it("loses the unsynced write at a crash, as the disk would", () => {
    const wal = deferredWal()
    const eager = eagerDisk()
    wal.disk.crash(new SimRandom(1, "test"), 0)
    eager.crash(new SimRandom(1, "test"), 0)
    expect(bytesOf(wal.disk)).toEqual(bytesOf(eager))
    const recovered = wal.recover()
    expect(recovered.durable.hardState).toEqual({ term: 2, votedFor: null })
    expect(recovered.durable.log).toEqual([entry(1, 1), entry(2, 2)])
    expect(recovered.durable.damaged).toBe(false)
  })

  it("recovers what a WAL that never wrote those payloads parses from the same bytes", () => {
    const wal = deferredWal()
    wal.materialize()
    const stranger = new Wal(new SimDisk())
    stranger.disk.medium.write(0, bytesOf(wal.disk))
    stranger.disk.medium.sync()
    expect(wal.recover().durable).toEqual(stranger.recover().durable)
  })
})
