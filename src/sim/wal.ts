/**
 * The replica's write-ahead log on a simulated disk: a Persist output becomes records in the shared format
 * (through src/storage's MemoryLog: CRC32C and a hash chain), and a restart decodes the disk with the same
 * decoder the real node uses, replays the records into a DurableState, and tells `recover` whether corruption
 * (or an unreadable sector) cut the log short.
 *
 * Encoding is deferred: a write (JSON, CRC32C, the SHA-256 chain) cost more than the replica step that asked
 * for it, and most runs never read their disks back. Appends and syncs are queued in order and performed on
 * the disk — byte for byte as if done at once — the moment anything looks at the disk: a crash, an injected
 * fault, a recovery.
 */
import { Either, Schema } from "effect"
import { Entry, entryDigest, HardState } from "../protocol/entry.ts"
import type { Output } from "../protocol/io.ts"
import type { DurableState } from "../protocol/state.ts"
import { describeFinding } from "../storage/finding.ts"
import { decodeTrustingPayloads } from "../storage/trustingDecode.ts"
import { MemoryLog } from "../storage/memoryLog.ts"
import type { SimDisk } from "./disk.ts"

export const WalRecord = Schema.Union(
  Schema.TaggedStruct("HardState", { hardState: HardState }),
  Schema.TaggedStruct("Truncate", { fromIndex: Schema.Int.pipe(Schema.positive()) }),
  Schema.TaggedStruct("Entries", { entries: Schema.Array(Entry) })
)
export type WalRecord = typeof WalRecord.Type

const decodeWalRecord = Schema.decodeUnknownEither(Schema.parseJson(WalRecord))
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder("utf-8", { ignoreBOM: true })

type Persist = Extract<Output, { _tag: "Persist" }>

/**
 * The records of one Persist. WalRecord's encoded form equals its type (no transformations), so JSON of the
 * value is its Schema encoding (wal.test.ts checks the bytes against Schema-encoded records); this skips a Schema
 * encode per write.
 */
const walRecordValuesOf = (persist: Persist): ReadonlyArray<WalRecord> => {
  const records: Array<WalRecord> = []
  if (persist.hardState !== undefined) records.push({ _tag: "HardState", hardState: persist.hardState })
  if (persist.truncateFrom !== undefined) records.push({ _tag: "Truncate", fromIndex: persist.truncateFrom })
  if (persist.append.length > 0) records.push({ _tag: "Entries", entries: persist.append })
  return records
}

export interface Recovered {
  readonly durable: DurableState
  readonly finding: string
  /**
   * Entries recovered from records that failed their checksum, by index, with their digest: empty unless the
   * `applyCorruptRecords` bug is on. The host uses it to report a corrupt record applied (model/ checks it).
   */
  readonly corruptEntries: ReadonlyMap<number, string>
}

const noCorruptEntries: ReadonlyMap<number, string> = new Map()

type Deferred = Persist | "sync"

export class Wal {
  private log: MemoryLog
  private readonly deferred: Array<Deferred> = []
  /**
   * The record each payload text this WAL wrote stands for. Decoding a payload is a pure function of its
   * text, so a recovery looks up the texts it wrote instead of parsing them again with the Schema (which cost
   * more than the rest of a restart); any other text — a record damaged in a way its checksum missed, under
   * the applyCorruptRecords bug — is parsed.
   */
  private readonly written = new Map<string, WalRecord>()

  constructor(readonly disk: SimDisk) {
    this.log = this.open()
    disk.beforeAccess = () => this.materialize()
  }

  /** Performs the queued appends and syncs on the disk, in order. */
  materialize(): void {
    for (const operation of this.deferred) {
      if (operation === "sync") this.log.sync()
      else this.write(operation)
    }
    this.deferred.length = 0
  }

  private write(persist: Persist): void {
    const payloads = walRecordValuesOf(persist).map((record) => {
      const text = JSON.stringify(record)
      this.written.set(text, record)
      return textEncoder.encode(text)
    })
    const appended = this.log.append(payloads)
    if (Either.isLeft(appended)) throw new Error(`the simulated disk is full (${appended.left.capacityBytes} bytes)`)
  }

  /** A fresh MemoryLog over the disk, recovered and ready for appends (discarding a damaged suffix). */
  private open(): MemoryLog {
    const log = new MemoryLog(this.disk.medium)
    const recovery = log.recover()
    if (Either.isLeft(recovery)) throw new Error("open after an unreadable sector was cut away should read cleanly")
    if (recovery.right.finding._tag !== "Clean" && recovery.right.finding._tag !== "TornTail")
      log.discardDamagedSuffix()
    return log
  }

  /** Buffers the Persist's records; false when there was nothing to write. */
  append(persist: Persist): boolean {
    if (persist.hardState === undefined && persist.truncateFrom === undefined && persist.append.length === 0)
      return false
    this.deferred.push(persist)
    return true
  }

  sync(): void {
    if (this.deferred.length === 0) this.log.sync()
    else this.deferred.push("sync")
  }

  private parse(payload: Uint8Array): Either.Either<WalRecord, unknown> {
    const text = textDecoder.decode(payload)
    const known = this.written.get(text)
    return known !== undefined ? Either.right(known) : decodeWalRecord(text)
  }

  /** Decodes the disk after a crash into what `recover` needs; the log is then ready for appends. */
  recover(applyCorruptRecords = false): Recovered {
    this.materialize()
    if (applyCorruptRecords) {
      const bytes = this.disk.medium.readAll()
      if (Either.isRight(bytes)) {
        const lenient = this.recoverTrustingPayloads(bytes.right)
        if (lenient !== undefined) return lenient
      }
    }
    const medium = this.disk.medium
    const log = new MemoryLog(medium)
    const recovery = log.recover()
    if (Either.isLeft(recovery)) {
      // An unreadable sector: everything from it on is lost to this replica, which must say so (damaged).
      medium.truncate(recovery.left.unreadable.offset)
      medium.sync()
      medium.clearLatentReadErrors()
      this.log = this.open()
      return this.replayAll(true, `LatentReadError at offset ${recovery.left.unreadable.offset}`)
    }
    const damaged = recovery.right.finding._tag !== "Clean" && recovery.right.finding._tag !== "TornTail"
    this.log = log
    if (damaged) log.discardDamagedSuffix()
    return this.replay(recovery.right.records, damaged, describeFinding(recovery.right.finding))
  }

  /**
   * The bug: records that failed their checksum are replayed as if valid, and the log is rewritten with fresh
   * checksums over them (as a compaction would), so nothing on the disk shows the damage any more. Undefined
   * when no record failed its checksum: the correct path then runs unchanged.
   */
  private recoverTrustingPayloads(bytes: Uint8Array): Recovered | undefined {
    const records = decodeTrustingPayloads(bytes)
    if (!records.some((record) => record.checksumFailed)) return undefined
    let hardState: HardState = { term: 0, votedFor: null }
    const log: Array<Entry> = []
    const corruptEntries = new Map<number, string>()
    const kept: Array<Uint8Array> = []
    for (const record of records) {
      const parsed = this.parse(record.payload)
      if (Either.isLeft(parsed) || !replay(parsed.right, log)) break
      if (parsed.right._tag === "HardState") hardState = parsed.right.hardState
      if (parsed.right._tag === "Entries" && record.checksumFailed) {
        for (const entry of parsed.right.entries) corruptEntries.set(entry.index, entryDigest(entry))
      }
      kept.push(record.payload)
    }
    const medium = this.disk.medium
    medium.truncate(0)
    medium.sync()
    const rewritten = new MemoryLog(medium)
    if (Either.isLeft(rewritten.recover())) throw new Error("an empty log should read cleanly")
    if (kept.length > 0 && Either.isLeft(rewritten.append(kept))) throw new Error("the simulated disk is full")
    rewritten.sync()
    this.log = rewritten
    const finding = `${corruptEntries.size} entries recovered from records that failed their checksum (applyCorruptRecords)`
    return { durable: { hardState, log, damaged: false }, finding, corruptEntries }
  }

  private replayAll(damaged: boolean, finding: string): Recovered {
    const log = new MemoryLog(this.disk.medium)
    const recovery = log.recover()
    if (Either.isLeft(recovery)) throw new Error("the log should read cleanly after recovery")
    this.log = log
    return this.replay(recovery.right.records, damaged, finding)
  }

  private replay(
    records: ReadonlyArray<{ readonly offset: number; readonly payload: Uint8Array }>,
    damagedAlready: boolean,
    finding: string
  ): Recovered {
    let hardState: HardState = { term: 0, votedFor: null }
    const log: Array<Entry> = []
    for (const record of records) {
      const parsed = this.parse(record.payload)
      if (Either.isLeft(parsed) || !replay(parsed.right, log)) {
        // An intact record that does not parse or does not continue the log: mid-log damage from here on.
        this.disk.medium.truncate(record.offset)
        this.disk.medium.sync()
        this.log = this.open()
        return {
          durable: { hardState, log, damaged: true },
          finding: `${finding}; unreadable record at offset ${record.offset}`,
          corruptEntries: noCorruptEntries
        }
      }
      if (parsed.right._tag === "HardState") hardState = parsed.right.hardState
    }
    return { durable: { hardState, log, damaged: damagedAlready }, finding, corruptEntries: noCorruptEntries }
  }
}

/** Applies a Truncate or Entries record to the replay's own log array, in place; false when it does not fit. */
const replay = (record: WalRecord, log: Array<Entry>): boolean => {
  switch (record._tag) {
    case "HardState":
      return true
    case "Truncate":
      if (record.fromIndex - 1 < log.length) log.length = record.fromIndex - 1
      return true
    case "Entries": {
      const first = record.entries[0]
      // The replica truncates before it overwrites, so every append continues the log exactly.
      if (first !== undefined && first.index !== log.length + 1) return false
      for (const entry of record.entries) log.push(entry)
      return true
    }
  }
}
