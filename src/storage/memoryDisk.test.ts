import { Either } from "effect"
import fc from "fast-check"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { MemoryDisk } from "./memoryDisk.ts"
import { MemoryLog } from "./memoryLog.ts"
import { encodedLength, headerBytes } from "./record.ts"
import { payloadOf } from "./testRecords.ts"
import { WriteAheadLog } from "./wal.ts"

const capacityBytes = 1 << 20

const freshLog = (disk: MemoryDisk): MemoryLog => {
  const log = new MemoryLog(disk)
  Either.getOrThrow(log.recover())
  return log
}

/** A restart: the volatile log object is gone; a new one recovers from the disk. */
const restart = (disk: MemoryDisk) => {
  const log = new MemoryLog(disk)
  const recovery = Either.getOrThrow(log.recover())
  const texts = recovery.records.map((record) => new TextDecoder().decode(record.payload))
  return { log, recovery, texts }
}

const append = (log: MemoryLog, ...texts: ReadonlyArray<string>) => Either.getOrThrow(log.append(texts.map(payloadOf)))

describe("memory disk", () => {
  it("loses unsynced writes on a crash and keeps synced ones", () => {
    // Arrange
    const disk = new MemoryDisk({ capacityBytes })
    const log = freshLog(disk)
    append(log, "synced one", "synced two")
    log.sync()
    append(log, "unsynced")
    // Act
    disk.crash({ operationsPersisted: 0, tornWriteBytes: 0 })
    const { recovery, texts, log: restarted } = restart(disk)
    // Assert
    expect(texts).toEqual(["synced one", "synced two"])
    expect(recovery.finding._tag).toBe("Clean")
    expect(append(restarted, "next")).toEqual({ firstSequence: 3, lastSequence: 3 })
  })

  it("reads unsynced writes before a crash, as through a page cache", () => {
    const disk = new MemoryDisk({ capacityBytes })
    const log = freshLog(disk)
    append(log, "cached")
    expect(disk.sizeBytes()).toBe(encodedLength(payloadOf("cached")))
    expect(disk.durableSizeBytes()).toBe(0)
    expect(disk.unsyncedOperations()).toBe(1)
  })

  it("recovers a torn last write as a torn tail and truncates it durably", () => {
    // Arrange
    const disk = new MemoryDisk({ capacityBytes })
    const log = freshLog(disk)
    append(log, "whole")
    log.sync()
    append(log, "torn in the middle")
    // Act
    disk.crash({ operationsPersisted: 0, tornWriteBytes: headerBytes + 3 })
    const { recovery, texts } = restart(disk)
    disk.crash({ operationsPersisted: 0, tornWriteBytes: 0 })
    const afterSecondCrash = restart(disk)
    // Assert
    expect(texts).toEqual(["whole"])
    expect(recovery.finding).toEqual({
      _tag: "TornTail",
      offset: encodedLength(payloadOf("whole")),
      cause: "Truncated",
      sequence: 2
    })
    expect(recovery.truncatedBytes).toBe(headerBytes + 3)
    expect(afterSecondCrash.recovery.finding._tag).toBe("Clean")
    expect(disk.durableSizeBytes()).toBe(encodedLength(payloadOf("whole")))
  })

  it("reports a flipped bit in a synced middle record and never returns that record", () => {
    const disk = new MemoryDisk({ capacityBytes })
    const log = freshLog(disk)
    append(log, "one", "two", "three")
    log.sync()
    disk.flipBit(encodedLength(payloadOf("one")) + headerBytes + 1, 5)
    const { recovery, texts, log: damaged } = restart(disk)
    expect(texts).toEqual(["one"])
    expect(recovery.finding).toMatchObject({ _tag: "ChecksumMismatch", part: "Payload", sequence: 2 })
    expect(() => damaged.append([payloadOf("x")])).toThrow(/discard a damaged suffix/)
    expect(damaged.discardDamagedSuffix().discardedBytes).toBe(
      encodedLength(payloadOf("two")) + encodedLength(payloadOf("three"))
    )
    expect(restart(disk).texts).toEqual(["one"])
  })

  it("detects a misdirected write through the chain", () => {
    // Arrange: equal-sized records, so record 3 lands exactly on record 2.
    const disk = new MemoryDisk({ capacityBytes })
    const log = freshLog(disk)
    append(log, "aa", "bb", "cc", "dd")
    log.sync()
    const size = encodedLength(payloadOf("aa"))
    // Act
    disk.misdirectWrite(size * 2, size, size, true)
    const { recovery, texts } = restart(disk)
    // Assert
    expect(texts).toEqual(["aa"])
    expect(recovery.finding).toEqual({ _tag: "ChainBroken", offset: size, sequence: 3 })
  })

  it("fails reads of a latent bad range with a typed error, and recovery with it", () => {
    const disk = new MemoryDisk({ capacityBytes })
    append(freshLog(disk), "data")
    disk.sync()
    disk.latentReadError({ offset: 10, length: 4 })
    const read = disk.read(0, 8)
    const failed = disk.read(12, 1)
    const recovery = new MemoryLog(disk).recover()
    expect(Either.isRight(read)).toBe(true)
    expect(Either.isLeft(failed) && failed.left).toMatchObject({
      _tag: "LatentReadError",
      unreadable: { offset: 10, length: 4 }
    })
    expect(Either.isLeft(recovery) && recovery.left._tag).toBe("LatentReadError")
    disk.clearLatentReadErrors()
    expect(Either.isRight(disk.read(12, 1))).toBe(true)
  })

  it("reports its configured latency and refuses writes past capacity", () => {
    const disk = new MemoryDisk({ capacityBytes: 64, latency: { readMs: 1, writeMs: 2, syncMs: 30 } })
    disk.setLatency({ readMs: 1, writeMs: 2, syncMs: 900 })
    const full = disk.write(60, new Uint8Array(5))
    expect(disk.latency()).toEqual({ readMs: 1, writeMs: 2, syncMs: 900 })
    expect(Either.isLeft(full) && full.left).toMatchObject({ _tag: "DiskFull", requestedEndBytes: 65 })
    expect(() => disk.setLatency({ readMs: -1, writeMs: 0, syncMs: 0 })).toThrow(/readMs should be/)
  })

  it("writes the same bytes as the real WAL file for the same appends", async () => {
    // Arrange
    const directory = await mkdtemp(join(tmpdir(), "faultline-parity-"))
    const batches = [["a", "bb"], ["ccc"], ["", "eeeee"]]
    try {
      const wal = await WriteAheadLog.open({ directory })
      await wal.recover()
      const disk = new MemoryDisk({ capacityBytes })
      const log = freshLog(disk)
      // Act
      for (const batch of batches) {
        await wal.append(batch.map(payloadOf))
        append(log, ...batch)
      }
      await wal.close()
      log.sync()
      // Assert
      expect(new Uint8Array(await readFile(join(directory, "wal.log")))).toEqual(Either.getOrThrow(disk.readAll()))
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  })
})

describe("memory disk crash property", () => {
  const stepArbitrary = fc.oneof(
    fc
      .array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 3 })
      .map((texts) => ({ _tag: "Append" as const, texts })),
    fc.constant({ _tag: "Sync" as const })
  )

  it("recovers every synced record and then a prefix of the unsynced ones, never anything else", () => {
    fc.assert(
      fc.property(
        fc.array(stepArbitrary, { maxLength: 12 }),
        fc.nat(16),
        fc.nat(400),
        (steps, persisted, tornBytes) => {
          // Arrange
          const disk = new MemoryDisk({ capacityBytes })
          const log = freshLog(disk)
          const appended: Array<string> = []
          let syncedCount = 0
          for (const step of steps) {
            if (step._tag === "Sync") {
              log.sync()
              syncedCount = appended.length
              continue
            }
            append(log, ...step.texts)
            appended.push(...step.texts)
          }
          // Act
          disk.crash({ operationsPersisted: persisted, tornWriteBytes: tornBytes })
          const { recovery, texts } = restart(disk)
          // Assert
          expect(texts.length).toBeGreaterThanOrEqual(syncedCount)
          expect(texts).toEqual(appended.slice(0, texts.length))
          expect(["Clean", "TornTail"]).toContain(recovery.finding._tag)
        }
      ),
      { numRuns: 300 }
    )
  })
})
