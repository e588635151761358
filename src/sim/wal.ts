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
import { Data, Either } from "effect"
import { entryDigest, type Entry } from "../protocol/entry.ts"
import type { DurableState } from "../protocol/state.ts"
import { describeFinding } from "../storage/finding.ts"
import { decodeTrustingPayloads } from "../storage/trustingDecode.ts"
import { MemoryLog } from "../storage/memoryLog.ts"
import {
  decodeWalRecordText,
  isEmptyWalRecord,
  replayWalRecords,
  walRecordTexts,
  type WalRecord
} from "../storage/walRecord.ts"
import type { SimDisk } from "./disk.ts"
import { assert } from "../assert.ts"

/** The simulated disk ran out of room: a bound of the run (its medium's capacity), not a bug. */
class SimulatedDiskFull extends Data.TaggedError("SimulatedDiskFull")<{ readonly capacityBytes: number | undefined }> {
  override get message(): string {
    return `the simulated disk is full${this.capacityBytes === undefined ? "" : ` (${this.capacityBytes} bytes)`}`
  }
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder("utf-8", { ignoreBOM: true })

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

type Deferred = WalRecord | "sync"

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

  private write(record: WalRecord): void {
    const texts = walRecordTexts(record)
    if (texts.length === 1) this.written.set(texts[0] as string, record)
    const payloads = texts.map((text) => textEncoder.encode(text))
    const appended = this.log.append(payloads)
    if (Either.isLeft(appended)) throw new SimulatedDiskFull({ capacityBytes: appended.left.capacityBytes })
  }

  /** A fresh MemoryLog over the disk, recovered and ready for appends (discarding a damaged suffix). */
  private open(): MemoryLog {
    const log = new MemoryLog(this.disk.medium)
    const recovery = log.recover()
    assert(Either.isRight(recovery), "a log whose unreadable sector was cut away reads cleanly")
    if (recovery.right.finding._tag !== "Clean" && recovery.right.finding._tag !== "TornTail")
      log.discardDamagedSuffix()
    return log
  }

  /** Buffers the record; false when there was nothing to write. */
  append(record: WalRecord): boolean {
    if (isEmptyWalRecord(record)) return false
    this.deferred.push(record)
    return true
  }

  sync(): void {
    if (this.deferred.length === 0) this.log.sync()
    else this.deferred.push("sync")
  }

  private readonly parse = (payload: Uint8Array): Either.Either<WalRecord, string> => {
    const text = textDecoder.decode(payload)
    const known = this.written.get(text)
    return known !== undefined ? Either.right(known) : decodeWalRecordText(text)
  }

  /** Decodes the disk after a crash into what `recover` needs; the log is then ready for appends. */
  recover(applyCorruptRecords = false, damagedTailAsTorn = false): Recovered {
    this.materialize()
    if (applyCorruptRecords) {
      const bytes = this.disk.medium.readAll()
      if (Either.isRight(bytes)) {
        const lenient = this.recoverTrustingPayloads(bytes.right)
        if (lenient !== undefined) return lenient
      }
    }
    const medium = this.disk.medium
    const log = new MemoryLog(medium, { damagedTailAsTorn })
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
    const replayed = replayWalRecords(
      records.map((record) => record.payload),
      this.parse
    )
    const kept = records.slice(0, replayed.badRecordPosition ?? records.length)
    const corruptEntries = new Map<number, string>()
    kept.forEach((record) => {
      if (!record.checksumFailed) return
      const parsed = this.parse(record.payload)
      if (Either.isRight(parsed))
        for (const entry of parsed.right.append) corruptEntries.set(entry.index, entryDigest(entry))
    })
    const medium = this.disk.medium
    medium.truncate(0)
    medium.sync()
    const rewritten = new MemoryLog(medium)
    assert(Either.isRight(rewritten.recover()), "an empty log reads cleanly")
    if (kept.length > 0 && Either.isLeft(rewritten.append(kept.map((record) => record.payload))))
      throw new SimulatedDiskFull({ capacityBytes: undefined })
    rewritten.sync()
    this.log = rewritten
    const finding = `${corruptEntries.size} entries recovered from records that failed their checksum (applyCorruptRecords)`
    return {
      durable: { hardState: replayed.hardState, log: [...replayed.log], damaged: false },
      finding,
      corruptEntries
    }
  }

  private replayAll(damaged: boolean, finding: string): Recovered {
    const log = new MemoryLog(this.disk.medium)
    const recovery = log.recover()
    assert(Either.isRight(recovery), "a log reads cleanly after its recovery")
    this.log = log
    return this.replay(recovery.right.records, damaged, finding)
  }

  private replay(
    records: ReadonlyArray<{ readonly offset: number; readonly payload: Uint8Array }>,
    damagedAlready: boolean,
    finding: string
  ): Recovered {
    const replayed = replayWalRecords(
      records.map((record) => record.payload),
      this.parse
    )
    const durable = { hardState: replayed.hardState, log: replayed.log as Array<Entry> }
    const bad = replayed.badRecordPosition === undefined ? undefined : records[replayed.badRecordPosition]
    if (bad === undefined)
      return { durable: { ...durable, damaged: damagedAlready }, finding, corruptEntries: noCorruptEntries }
    // An intact record that does not parse or does not continue the log: mid-log damage from here on.
    this.disk.medium.truncate(bad.offset)
    this.disk.medium.sync()
    this.log = this.open()
    return {
      durable: { ...durable, damaged: true },
      finding: `${finding}; unreadable record at offset ${bad.offset}`,
      corruptEntries: noCorruptEntries
    }
  }
}
