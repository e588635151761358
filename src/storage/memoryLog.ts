/**
 * The simulator's log: the same records as the real WAL (record.ts) on a MemoryDisk, recovered by the same decoder,
 * so a fault injected in the simulator is detected exactly as it would be on a real file. Synchronous and
 * deterministic; the simulator decides when an append's sync "returns" from the disk's latency and then reports
 * PersistDone.
 */
import { Either } from "effect"
import { genesisAnchor, type ChainAnchor } from "./chain.ts"
import { decodeRecords, type DecodeResult } from "./decode.ts"
import { isCorruption } from "./finding.ts"
import type { AppendResult, Recovery } from "./logTypes.ts"
import type { DiskFull, LatentReadError, MemoryDisk } from "./memoryDisk.ts"
import { defaultLimits, encodeRecords, validateLimits, type RecordLimits } from "./record.ts"
import { WalAppendRejected, WalNotReady } from "./walErrors.ts"

export interface MemoryLogOptions {
  readonly anchor?: ChainAnchor
  readonly limits?: RecordLimits
  /** Bug zoo only: decode with `damagedTailAsTorn` (decode.ts). */
  readonly damagedTailAsTorn?: boolean
}

type MemoryLogState = "Opened" | "Ready" | "Damaged"

export class MemoryLog {
  private state: MemoryLogState = "Opened"
  private next: ChainAnchor
  private endOffset = 0
  private lastDecode: DecodeResult | undefined
  private readonly limits: RecordLimits
  private readonly damagedTailAsTorn: boolean

  constructor(
    private readonly disk: MemoryDisk,
    options: MemoryLogOptions = {}
  ) {
    this.next = options.anchor ?? genesisAnchor
    this.limits = validateLimits(options.limits ?? defaultLimits)
    this.damagedTailAsTorn = options.damagedTailAsTorn === true
  }

  /** Reads the whole disk and decodes it; a torn tail is truncated and synced, corruption is reported. */
  recover(): Either.Either<Recovery, LatentReadError> {
    if (this.state !== "Opened")
      throw new WalNotReady({ state: this.state, reason: "recover runs once, after a restart" })
    const read = this.disk.readAll()
    if (Either.isLeft(read)) return Either.left(read.left)
    const bytes = read.right
    const decoded = decodeRecords(bytes, {
      anchor: this.next,
      limits: this.limits,
      damagedTailAsTorn: this.damagedTailAsTorn
    })
    let truncatedBytes = 0
    if (decoded.finding._tag === "TornTail") {
      this.disk.truncate(decoded.validEndOffset)
      this.disk.sync()
      truncatedBytes = bytes.length - decoded.validEndOffset
    }
    this.lastDecode = decoded
    this.state = isCorruption(decoded.finding) ? "Damaged" : "Ready"
    this.endOffset = decoded.validEndOffset
    this.next = decoded.last
    return Either.right({ records: decoded.records, finding: decoded.finding, truncatedBytes })
  }

  /** After reported corruption: drops everything from the damaged record on (synced), so appends can continue. */
  discardDamagedSuffix(): { readonly discardedBytes: number } {
    const decoded = this.lastDecode
    if (this.state !== "Damaged" || decoded === undefined) {
      throw new WalNotReady({
        state: this.state,
        reason: "only a log whose recovery found corruption has a damaged suffix"
      })
    }
    const discardedBytes = this.disk.sizeBytes() - decoded.validEndOffset
    this.disk.truncate(decoded.validEndOffset)
    this.disk.sync()
    this.state = "Ready"
    return { discardedBytes }
  }

  /** Buffers the records in the disk's cache; they are durable only after `sync`. */
  append(payloads: ReadonlyArray<Uint8Array>): Either.Either<AppendResult, DiskFull> {
    if (this.state !== "Ready") {
      throw new WalNotReady({ state: this.state, reason: "recover (and discard a damaged suffix) before appending" })
    }
    if (payloads.length === 0) throw new WalAppendRejected({ reason: "an append needs at least one payload" })
    const encoded = encodeRecords(payloads, this.next, this.limits)
    const written = this.disk.write(this.endOffset, encoded.bytes)
    if (Either.isLeft(written)) return Either.left(written.left)
    const firstSequence = this.next.sequence + 1
    this.endOffset += encoded.bytes.length
    this.next = encoded.next
    return Either.right({ firstSequence, lastSequence: encoded.next.sequence })
  }

  /** Makes every append so far durable (the fdatasync of the real WAL). */
  sync(): void {
    this.disk.sync()
  }

  lastAnchor(): ChainAnchor {
    return this.next
  }
}
