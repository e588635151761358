import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { headerBytes } from "./record.ts"
import { payloadOf } from "./testRecords.ts"
import { WriteAheadLog, type WalOptions } from "./wal.ts"
import type { WalFile } from "./walFile.ts"
import { recordsPerSync } from "./walStatistics.ts"

let directory = ""
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "faultline-wal-"))
})
afterEach(async () => {
  await rm(directory, { recursive: true, force: true })
})

const walPath = (): string => join(directory, "wal.log")

const openRecovered = async (options: Partial<WalOptions> = {}) => {
  const wal = await WriteAheadLog.open({ directory, ...options })
  const recovery = await wal.recover()
  return { wal, recovery }
}

const texts = (records: ReadonlyArray<{ readonly payload: Uint8Array }>): ReadonlyArray<string> =>
  records.map((record) => new TextDecoder().decode(record.payload))

/** A file whose datasync waits until the test releases it, so "a sync in flight" is a fact, not a timing. */
const gatedSyncs = () => {
  const releases: Array<() => void> = []
  const instrument = (file: WalFile): WalFile => ({
    ...file,
    datasync: async () => {
      await new Promise<void>((release) => releases.push(release))
      await file.datasync()
    }
  })
  return { instrument, releases }
}

describe("write-ahead log file", () => {
  it("recovers exactly what was appended, across a close and reopen", async () => {
    // Arrange
    const { wal, recovery: empty } = await openRecovered()
    // Act
    const first = await wal.append([payloadOf("a"), payloadOf("b")])
    const second = await wal.append([payloadOf("c")])
    await wal.close()
    const { wal: reopened, recovery } = await openRecovered()
    const third = await reopened.append([payloadOf("d")])
    await reopened.close()
    const { recovery: final } = await openRecovered()
    // Assert
    expect(empty).toEqual({ records: [], finding: { _tag: "Clean" }, truncatedBytes: 0 })
    expect([first, second, third]).toEqual([
      { firstSequence: 1, lastSequence: 2 },
      { firstSequence: 3, lastSequence: 3 },
      { firstSequence: 4, lastSequence: 4 }
    ])
    expect(texts(recovery.records)).toEqual(["a", "b", "c"])
    expect(texts(final.records)).toEqual(["a", "b", "c", "d"])
    expect(final.finding._tag).toBe("Clean")
  })

  it("puts appends made in the same turn into one write and one sync", async () => {
    // Arrange
    const { wal } = await openRecovered()
    // Act
    const results = await Promise.all(Array.from({ length: 64 }, (_, index) => wal.append([payloadOf(`w${index}`)])))
    // Assert
    expect(results.map((result) => result.firstSequence)).toEqual(Array.from({ length: 64 }, (_, index) => index + 1))
    expect(wal.statistics()).toMatchObject({ appends: 64, records: 64, syncs: 1, largestBatchAppends: 64 })
    await wal.close()
  })

  it("batches appends made while a sync is in flight into the next single sync", async () => {
    // Arrange
    const { instrument, releases } = gatedSyncs()
    const { wal } = await openRecovered({ instrument })
    const first = wal.append([payloadOf("first")])
    await waitUntil(() => releases.length === 1)
    // Act: ten appends arrive while the first sync is held.
    const during = Array.from({ length: 10 }, (_, index) => wal.append([payloadOf(`during ${index}`)]))
    releases.shift()?.()
    await first
    await waitUntil(() => releases.length === 1)
    releases.shift()?.()
    const results = await Promise.all(during)
    // Assert
    expect(results.at(-1)).toEqual({ firstSequence: 11, lastSequence: 11 })
    expect(wal.statistics()).toMatchObject({ appends: 11, records: 11, syncs: 2, largestBatchAppends: 10 })
    await wal.close()
  })

  it("does not resolve an append before its sync returned", async () => {
    const { instrument, releases } = gatedSyncs()
    const { wal } = await openRecovered({ instrument })
    let resolved = false
    const append = wal.append([payloadOf("x")]).then(() => {
      resolved = true
    })
    await waitUntil(() => releases.length === 1)
    expect(resolved).toBe(false)
    releases.shift()?.()
    await append
    expect(resolved).toBe(true)
    await wal.close()
  })

  it("shares syncs among concurrent clients that each wait for their previous write", async () => {
    // Arrange
    const { wal } = await openRecovered()
    const clients = 8
    const writesPerClient = 25
    // Act
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let write = 0; write < writesPerClient; write += 1) await wal.append([payloadOf(`${client}:${write}`)])
      })
    )
    // Assert
    const statistics = wal.statistics()
    expect(statistics.appends).toBe(clients * writesPerClient)
    expect(statistics.syncs).toBeLessThanOrEqual(statistics.appends / 2)
    expect(recordsPerSync(statistics)).toBeGreaterThanOrEqual(2)
    console.info(
      `group commit: ${statistics.appends} appends in ${statistics.syncs} syncs, ${recordsPerSync(statistics)} records per sync`
    )
    await wal.close()
    const { recovery } = await openRecovered()
    expect(recovery.records).toHaveLength(clients * writesPerClient)
  })

  it("truncates a torn tail on disk and appends after the last whole record", async () => {
    // Arrange
    const { wal } = await openRecovered()
    await wal.append([payloadOf("kept one"), payloadOf("kept two"), payloadOf("torn")])
    await wal.close()
    const whole = await readFile(walPath())
    await writeFile(walPath(), whole.subarray(0, whole.length - 2))
    // Act
    const { wal: reopened, recovery } = await openRecovered()
    const sizeAfterRecovery = (await stat(walPath())).size
    await reopened.append([payloadOf("after")])
    await reopened.close()
    const { recovery: final } = await openRecovered()
    // Assert
    expect(recovery.finding).toMatchObject({ _tag: "TornTail", cause: "Truncated", sequence: 3 })
    expect(recovery.truncatedBytes).toBe(headerBytes + 2)
    expect(sizeAfterRecovery).toBe(whole.length - headerBytes - "torn".length)
    expect(texts(final.records)).toEqual(["kept one", "kept two", "after"])
    expect(final.records.map((record) => record.sequence)).toEqual([1, 2, 3])
  })

  it("reports a mid-file bit flip, never returns the record, refuses appends, and discards only on request", async () => {
    // Arrange
    const { wal } = await openRecovered()
    await wal.append(["one", "two", "three"].map(payloadOf))
    await wal.close()
    const bytes = await readFile(walPath())
    const secondPayload = headerBytes + "one".length + headerBytes
    bytes[secondPayload]! ^= 0x04
    await writeFile(walPath(), bytes)
    // Act
    const { wal: damaged, recovery } = await openRecovered()
    const refused = damaged.append([payloadOf("too early")]).catch((error: unknown) => error)
    const untouchedSize = (await stat(walPath())).size
    const discard = await damaged.discardDamagedSuffix()
    await damaged.append([payloadOf("two again")])
    await damaged.close()
    const { recovery: final } = await openRecovered()
    // Assert
    expect(texts(recovery.records)).toEqual(["one"])
    expect(recovery.finding).toMatchObject({ _tag: "ChecksumMismatch", part: "Payload", sequence: 2 })
    expect(await refused).toMatchObject({ _tag: "WalNotReady", state: "Damaged" })
    expect(untouchedSize).toBe(bytes.length)
    expect(discard.discardedBytes).toBe(bytes.length - headerBytes - "one".length)
    expect(await readFile(join(directory, discard.quarantineFileName))).toEqual(bytes)
    expect((await readdir(directory)).sort()).toEqual(["wal.log", discard.quarantineFileName].sort())
    expect(texts(final.records)).toEqual(["one", "two again"])
  })

  it("refuses every later append after a failed sync", async () => {
    // Arrange
    let failNext = true
    const instrument = (file: WalFile): WalFile => ({
      ...file,
      datasync: async () => {
        if (failNext) {
          failNext = false
          throw new Error("EIO")
        }
        await file.datasync()
      }
    })
    const { wal } = await openRecovered({ instrument })
    // Act
    const failed = wal.append([payloadOf("lost")])
    await expect(failed).rejects.toMatchObject({ _tag: "WalFailed", operation: "datasync" })
    const after = wal.append([payloadOf("after")])
    // Assert
    await expect(after).rejects.toMatchObject({ _tag: "WalNotReady", state: "Failed" })
    expect(wal.statistics().syncs).toBe(0)
    await wal.close()
  })

  it("refuses appends that break its bounds with reasons", async () => {
    const { wal } = await openRecovered({ limits: { payloadBytesMax: 4 }, batchBytesMax: 100, pendingRecordsMax: 2 })
    await expect(wal.append([])).rejects.toMatchObject({ _tag: "WalAppendRejected" })
    await expect(wal.append([new Uint8Array(5)])).rejects.toMatchObject({
      reason: expect.stringMatching(/exceeds payloadBytesMax 4/)
    })
    await expect(wal.append([payloadOf("a"), payloadOf("b"), payloadOf("c")])).rejects.toMatchObject({
      reason: expect.stringMatching(/batchBytesMax/)
    })
    const queued = [wal.append([payloadOf("a"), payloadOf("b")])]
    await expect(wal.append([payloadOf("c")])).rejects.toMatchObject({ _tag: "WalOverloaded", pendingRecordsMax: 2 })
    await Promise.all(queued)
    await wal.close()
  })
})

/** Polls the event loop (not a clock) until `condition` holds; bounded so a broken test fails instead of hanging. */
const waitUntil = async (condition: () => boolean): Promise<void> => {
  for (let turn = 0; turn < 10_000; turn += 1) {
    if (condition()) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error("condition did not hold within 10,000 event-loop turns")
}
