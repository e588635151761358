/**
 * A replica's disk: src/storage's MemoryDisk (page cache until fsync, crash that keeps a prefix and may tear the
 * next write, bit flips, misdirected writes, latent read errors), with the simulator's choices drawn from the
 * disk's own seeded PRNG and a slow-I/O window.
 */
import { Either } from "effect"
import { decodeRecords } from "../storage/decode.ts"
import { MemoryDisk } from "../storage/memoryDisk.ts"
import type { SimRandom } from "../schedule/random.ts"

const capacityBytes = 512 << 20

/** What a fault did, for the trace; undefined when there was nothing to damage. */
export type DiskFaultOutcome = string | undefined

export class SimDisk {
  readonly medium = new MemoryDisk({ capacityBytes })
  private tearArmed = false
  slowUntilMs = 0
  /** The recovering marker, kept beside the log as the node keeps its file: survives crashes. */
  recoveringMarker = false
  /** Called before the disk's bytes are looked at: the WAL performs the writes it has deferred. */
  beforeAccess: () => void = () => {}

  /** Power loss: unsynced writes are gone, except that the first may be torn. Returns the torn length in bytes. */
  crash(random: SimRandom, tornWriteProbability: number): number {
    this.beforeAccess()
    const unsynced = this.medium.unsyncedOperations()
    const tear = unsynced > 0 && (this.tearArmed || random.chance(tornWriteProbability))
    this.tearArmed = false
    const unsyncedBytes = this.medium.sizeBytes() - this.medium.durableSizeBytes()
    const tornWriteBytes = tear && unsyncedBytes > 1 ? random.integer(1, unsyncedBytes - 1) : 0
    this.medium.crash({ operationsPersisted: 0, tornWriteBytes })
    return tornWriteBytes
  }

  /**
   * Durable records other than the last (`bitflip`, `misdirected`, `latent`: damage the decoder must find in the
   * middle of the log), or the last one alone (`bitflipTail`: damage to a complete, synced last record, which the
   * decoder must not take for a torn write — issue 13).
   */
  private damageableRecords(last = false): ReadonlyArray<{ readonly offset: number; readonly length: number }> {
    const read = this.medium.read(0, this.medium.durableSizeBytes())
    if (Either.isLeft(read)) return []
    const bytes = read.right
    const records = decodeRecords(bytes).records
    const spans = records.map((record, position) => ({
      offset: record.offset,
      length: (records[position + 1]?.offset ?? bytes.length) - record.offset
    }))
    return last ? spans.slice(-1) : spans.slice(0, -1)
  }

  corrupt(kind: "bitflip" | "bitflipTail" | "misdirected" | "latent" | "torn", random: SimRandom): DiskFaultOutcome {
    this.beforeAccess()
    if (kind === "torn") {
      this.tearArmed = true
      return "the next crash tears the write in flight"
    }
    const records = this.damageableRecords(kind === "bitflipTail")
    const target = records.length === 0 ? undefined : random.pick(records)
    if (target === undefined) return undefined
    switch (kind) {
      case "latent":
        this.medium.latentReadError({ offset: target.offset, length: target.length })
        return `latent read error over ${target.length} bytes at offset ${target.offset}`
      case "bitflip":
      case "bitflipTail": {
        const offset = target.offset + random.integer(0, target.length - 1)
        const bit = random.integer(0, 7)
        this.medium.flipBit(offset, bit)
        return `bit ${bit} flipped at offset ${offset}`
      }
      case "misdirected": {
        const others = records.filter((record) => record.offset !== target.offset)
        if (others.length === 0) return undefined
        const source = random.pick(others)
        const length = Math.min(source.length, this.medium.durableSizeBytes() - target.offset)
        const sourceLost = random.chance(0.5)
        this.medium.misdirectWrite(source.offset, target.offset, length, sourceLost)
        return `record at offset ${source.offset} misdirected over offset ${target.offset}${sourceLost ? " (source lost)" : ""}`
      }
    }
  }
}
