/**
 * The real node's write-ahead log: one file of framed records (record.ts) in a data directory.
 *
 * Lifecycle: `open` → `recover` (reads every record, truncates a torn tail, reports corruption) → `append`… →
 * `close`. If recovery finds corruption in the middle, appends are refused until the host has logged it and called
 * `discardDamagedSuffix`, which keeps a copy of the damaged file and atomically replaces the log with its valid
 * prefix; the host then re-fetches the discarded entries from peers (issue 6: never count the damaged suffix).
 *
 * Durability: an `append` promise resolves only after the fdatasync covering its records returned. Group commit:
 * appends that arrive while a write+sync is in flight wait in a bounded queue and all go out in the next single
 * write and sync, so a burst of N appends costs far fewer than N syncs.
 */
import { join } from "node:path"
import { mkdir } from "node:fs/promises"
import { genesisAnchor, type ChainAnchor } from "./chain.ts"
import { decodeRecords } from "./decode.ts"
import type { AppendResult, Recovery } from "./logTypes.ts"
import { isCorruption, type Finding } from "./finding.ts"
import { copyFileDurably, replaceFileAtomically, syncDirectory } from "./atomicFile.ts"
import { defaultLimits, encodeRecords, encodedLength, validateLimits, type RecordLimits } from "./record.ts"
export type { AppendResult, Recovery } from "./logTypes.ts"
import { emptyStatistics, recordBatch, type WalStatistics } from "./walStatistics.ts"
import { openWalFile, type WalFile } from "./walFile.ts"
import {
  WalAppendRejected,
  WalFailed,
  WalFileTooLarge,
  WalNotReady,
  WalNothingToDiscard,
  WalOverloaded,
  WalQuarantineExhausted
} from "./walErrors.ts"
import { assert } from "../assert.ts"

export interface WalOptions {
  readonly directory: string
  readonly fileName?: string
  readonly limits?: RecordLimits
  /** Where this file's chain starts; a fresh log starts at the genesis anchor. */
  readonly anchor?: ChainAnchor
  /** One write+sync carries at most this many bytes (a single larger append is refused). */
  readonly batchBytesMax?: number
  /** Appends beyond this many queued records are refused with WalOverloaded. */
  readonly pendingRecordsMax?: number
  /** Recovery refuses to read a larger file into memory. */
  readonly fileBytesMax?: number
  /** Wraps the file, for tests and fault injection (hold a sync in flight, fail a write). */
  readonly instrument?: (file: WalFile) => WalFile
}

export interface DiscardResult {
  /** The untouched damaged file, kept for forensics. */
  readonly quarantineFileName: string
  readonly discardedBytes: number
}

type WalState = "Opened" | "Ready" | "Damaged" | "Failed" | "Closed"

interface PendingAppend {
  readonly payloads: ReadonlyArray<Uint8Array>
  readonly bytes: number
  readonly resolve: (result: AppendResult) => void
  readonly reject: (error: unknown) => void
}

const defaultFileName = "wal.log"
const batchBytesMaxDefault = 8 << 20
const pendingRecordsMaxDefault = 1 << 16
const fileBytesMaxDefault = 1 << 30
const quarantineAttemptsMax = 100

export class WriteAheadLog {
  private state: WalState = "Opened"
  private next: ChainAnchor
  private endOffset = 0
  private lastDecode:
    | { readonly finding: Finding; readonly validEndOffset: number; readonly last: ChainAnchor }
    | undefined
  private readonly queue: Array<PendingAppend> = []
  private pendingRecords = 0
  private flushing: Promise<void> | undefined
  private statisticsValue: WalStatistics = emptyStatistics
  private closing = false

  private constructor(
    private file: WalFile,
    private readonly directory: string,
    private readonly fileName: string,
    private readonly options: WalOptions,
    private readonly limits: RecordLimits
  ) {
    this.next = options.anchor ?? genesisAnchor
  }

  /** Opens (creating if needed) the log file; call `recover` before appending. */
  static async open(options: WalOptions): Promise<WriteAheadLog> {
    const limits = validateLimits(options.limits ?? defaultLimits)
    const fileName = options.fileName ?? defaultFileName
    await mkdir(options.directory, { recursive: true })
    const file = await WriteAheadLog.openFile(options, fileName)
    // A newly created file's directory entry is not durable until the directory is synced.
    await syncDirectory(options.directory)
    return new WriteAheadLog(file, options.directory, fileName, options, limits)
  }

  private static async openFile(options: WalOptions, fileName: string): Promise<WalFile> {
    const file = await openWalFile(join(options.directory, fileName))
    return options.instrument === undefined ? file : options.instrument(file)
  }

  /** Reads and decodes the whole file. A torn tail is truncated (ftruncate + fdatasync); corruption is reported. */
  async recover(): Promise<Recovery> {
    this.requireState(["Opened"], "recover runs once, right after open")
    const sizeBytes = await this.file.sizeBytes()
    const fileBytesMax = this.options.fileBytesMax ?? fileBytesMaxDefault
    if (sizeBytes > fileBytesMax) throw new WalFileTooLarge({ path: this.file.path, sizeBytes, fileBytesMax })
    const bytes = await this.file.readExactly(0, sizeBytes)
    const decoded = decodeRecords(bytes, { anchor: this.next, limits: this.limits })
    // Keep only where the damage starts, not the records: the host owns those after recovery returns.
    this.lastDecode = { finding: decoded.finding, validEndOffset: decoded.validEndOffset, last: decoded.last }
    let truncatedBytes = 0
    if (decoded.finding._tag === "TornTail") {
      await this.file.truncate(decoded.validEndOffset)
      await this.file.datasync()
      truncatedBytes = sizeBytes - decoded.validEndOffset
    }
    this.state = isCorruption(decoded.finding) ? "Damaged" : "Ready"
    this.endOffset = decoded.validEndOffset
    this.next = decoded.last
    assert(
      this.state !== "Ready" || this.endOffset === sizeBytes - truncatedBytes,
      () =>
        `a clean recovery ends at the file's end: recovered end ${this.endOffset}, file ${sizeBytes - truncatedBytes}`
    )
    return { records: decoded.records, finding: decoded.finding, truncatedBytes }
  }

  /**
   * After recovery reported corruption: copies the damaged file aside, then atomically replaces the log with its
   * valid prefix (write temp, fsync, rename, fsync directory), so appends can continue after the last good record.
   */
  async discardDamagedSuffix(): Promise<DiscardResult> {
    this.requireState(["Damaged"], "only a log whose recovery found corruption has a damaged suffix")
    const decoded = this.lastDecode
    if (decoded === undefined || !isCorruption(decoded.finding)) {
      throw new WalNothingToDiscard({ finding: decoded?.finding ?? { _tag: "Clean" } })
    }
    const sizeBytes = await this.file.sizeBytes()
    const quarantineFileName = await this.quarantine(decoded.validEndOffset)
    const prefix = await this.file.readExactly(0, decoded.validEndOffset)
    await this.file.close()
    await replaceFileAtomically(this.directory, this.fileName, prefix)
    this.file = await WriteAheadLog.openFile(this.options, this.fileName)
    this.endOffset = decoded.validEndOffset
    this.next = decoded.last
    this.state = "Ready"
    return { quarantineFileName, discardedBytes: sizeBytes - decoded.validEndOffset }
  }

  private async quarantine(offset: number): Promise<string> {
    for (let attempt = 0; attempt < quarantineAttemptsMax; attempt += 1) {
      const name = `${this.fileName}.damaged-at-${offset}${attempt === 0 ? "" : `.${attempt}`}`
      try {
        await copyFileDurably(this.directory, this.fileName, name)
        return name
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      }
    }
    throw new WalQuarantineExhausted({ fileName: this.fileName, copies: quarantineAttemptsMax })
  }

  /** Appends `payloads` as consecutive records; resolves once they are durable (after fdatasync returned). */
  append(payloads: ReadonlyArray<Uint8Array>): Promise<AppendResult> {
    try {
      this.requireState(["Ready"], "recover (and discard a damaged suffix) before appending")
      if (this.closing) throw new WalNotReady({ state: "Closing", reason: "the log is closing" })
      const bytes = this.validateAppend(payloads)
      return new Promise<AppendResult>((resolve, reject) => {
        this.queue.push({ payloads, bytes, resolve, reject })
        this.pendingRecords += payloads.length
        this.scheduleFlush()
      })
    } catch (error) {
      return Promise.reject(error)
    }
  }

  private validateAppend(payloads: ReadonlyArray<Uint8Array>): number {
    if (payloads.length === 0) throw new WalAppendRejected({ reason: "an append needs at least one payload" })
    let bytes = 0
    for (const payload of payloads) {
      if (payload.length > this.limits.payloadBytesMax) {
        const reason = `payload of ${payload.length} bytes exceeds payloadBytesMax ${this.limits.payloadBytesMax}`
        throw new WalAppendRejected({ reason })
      }
      bytes += encodedLength(payload)
    }
    const batchBytesMax = this.options.batchBytesMax ?? batchBytesMaxDefault
    if (bytes > batchBytesMax) {
      throw new WalAppendRejected({ reason: `append of ${bytes} bytes exceeds batchBytesMax ${batchBytesMax}` })
    }
    const pendingRecordsMax = this.options.pendingRecordsMax ?? pendingRecordsMaxDefault
    if (this.pendingRecords + payloads.length > pendingRecordsMax) {
      throw new WalOverloaded({ pendingRecords: this.pendingRecords, pendingRecordsMax })
    }
    return bytes
  }

  private scheduleFlush(): void {
    if (this.flushing !== undefined) return
    // Deferred by one microtask so that appends made in the same turn share the first write and sync too.
    this.flushing = Promise.resolve().then(() => this.flushLoop())
  }

  /** Runs while there is work: each turn takes everything queued (up to batchBytesMax) into one write and sync. */
  private async flushLoop(): Promise<void> {
    for (;;) {
      const batch = this.takeBatch()
      if (batch.length === 0 || this.state !== "Ready") {
        // Cleared in the same synchronous step as the empty check, so a concurrent append always starts a new loop.
        this.flushing = undefined
        this.rejectAll(batch)
        return
      }
      await this.writeBatch(batch)
    }
  }

  private takeBatch(): Array<PendingAppend> {
    const batchBytesMax = this.options.batchBytesMax ?? batchBytesMaxDefault
    const batch: Array<PendingAppend> = []
    let bytes = 0
    while (this.queue.length > 0) {
      const head = this.queue[0]
      if (head === undefined || (batch.length > 0 && bytes + head.bytes > batchBytesMax)) break
      batch.push(head)
      bytes += head.bytes
      this.queue.shift()
    }
    return batch
  }

  private async writeBatch(batch: ReadonlyArray<PendingAppend>): Promise<void> {
    const payloads = batch.flatMap((pending) => pending.payloads)
    const encoded = encodeRecords(payloads, this.next, this.limits)
    let operation: "write" | "datasync" = "write"
    try {
      await this.file.writeFully(encoded.bytes, this.endOffset)
      operation = "datasync"
      await this.file.datasync()
    } catch (cause) {
      this.state = "Failed"
      const error = new WalFailed({ operation, cause })
      this.rejectAll(batch, error)
      this.rejectAll(this.queue.splice(0), error)
      return
    }
    let sequence = this.next.sequence
    this.endOffset += encoded.bytes.length
    this.next = encoded.next
    this.statisticsValue = recordBatch(this.statisticsValue, batch.length, payloads.length, encoded.bytes.length)
    for (const pending of batch) {
      this.pendingRecords -= pending.payloads.length
      pending.resolve({ firstSequence: sequence + 1, lastSequence: sequence + pending.payloads.length })
      sequence += pending.payloads.length
    }
    assert(
      sequence === this.next.sequence,
      () => `a written batch resolves every append in it: resolved up to ${sequence}, wrote up to ${this.next.sequence}`
    )
  }

  private rejectAll(batch: ReadonlyArray<PendingAppend>, error?: unknown): void {
    for (const pending of batch) {
      this.pendingRecords -= pending.payloads.length
      pending.reject(
        error ?? new WalNotReady({ state: this.state, reason: "the log stopped before this append was written" })
      )
    }
  }

  private requireState(allowed: ReadonlyArray<WalState>, reason: string): void {
    if (!allowed.includes(this.state)) throw new WalNotReady({ state: this.state, reason })
  }

  /** Counters of the work done so far; `records / syncs` is the group-commit factor. */
  statistics(): WalStatistics {
    return this.statisticsValue
  }

  /** The sequence and chain the next append continues from. */
  lastAnchor(): ChainAnchor {
    return this.next
  }

  /** Waits for queued appends to be written, then closes the file; later appends are refused. */
  async close(): Promise<void> {
    if (this.state === "Closed") return
    this.closing = true
    await this.flushing
    this.state = "Closed"
    await this.file.close()
  }
}
