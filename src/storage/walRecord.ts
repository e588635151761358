/**
 * The one WAL record: a replica's Persist output as JSON, validated by its Schema on the way back in, and the one
 * replay that turns records back into the replica's durable state. The framing (length, CRC32C, hash chain) is
 * record.ts's; this module gives the payload a shape. The simulator and the node write and replay exactly this.
 */
import { Either, Schema } from "effect"
import { decodeUnknownEitherTotal } from "../schemaIssue.ts"
import { Entry, HardState, Index } from "../protocol/entry.ts"
import { areExactEntries, isExactHardState } from "../protocol/exactShape.ts"

export const WalRecord = Schema.Struct({
  hardState: Schema.optional(HardState),
  truncateFrom: Schema.optional(Index.pipe(Schema.greaterThanOrEqualTo(1))),
  append: Schema.Array(Entry)
})
export type WalRecord = typeof WalRecord.Type

const decodeRecord = decodeUnknownEitherTotal(Schema.parseJson(WalRecord))
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/**
 * The record of one Persist output (its ioId is the host's, not the disk's). Its keys in this order — hard state,
 * truncation, entries — since the record is written as JSON; one literal per shape rather than spreads, as the
 * host builds one for every Persist.
 */
export const walRecordOf = (persist: {
  readonly hardState?: HardState | undefined
  readonly truncateFrom?: number | undefined
  readonly append: ReadonlyArray<Entry>
}): WalRecord => {
  const { hardState, truncateFrom, append } = persist
  if (hardState === undefined) return truncateFrom === undefined ? { append } : { truncateFrom, append }
  return truncateFrom === undefined ? { hardState, append } : { hardState, truncateFrom, append }
}

/** True when the record changes nothing on replay: the host does not write it. */
export const isEmptyWalRecord = (record: WalRecord): boolean =>
  record.hardState === undefined && record.truncateFrom === undefined && record.append.length === 0

/**
 * The protocol Schemas have no transformations (their encoded form is their type), so JSON of a value the
 * replica produced is its encoding (walRecord.test.ts checks it against Schema.encode); decoding on recovery
 * still runs the full Schema.
 */
export const encodeWalRecordText = (record: WalRecord): string => JSON.stringify(record)

/** Well under the storage layer's 1 MiB payload bound; one entry (a 64 KiB value, JSON-escaped) always fits. */
const recordPayloadBytesTarget = 512 * 1024

/**
 * One record as payload texts: a large append is split over several records (the first carries the hard state
 * and the truncation), so no payload exceeds the storage layer's payload bound. Replay joins them back in order.
 */
export const walRecordTexts = (record: WalRecord): Array<string> => {
  const whole = encodeWalRecordText(record)
  // A JavaScript string's UTF-8 encoding is at most 3 bytes per UTF-16 unit.
  if (whole.length * 3 <= recordPayloadBytesTarget) return [whole]
  const texts: Array<string> = []
  let chunk: Array<Entry> = []
  let chunkBytes = 0
  const flush = (): void => {
    const head = texts.length === 0 ? walRecordOf({ ...record, append: [] }) : { append: [] }
    texts.push(encodeWalRecordText({ ...head, append: chunk }))
    chunk = []
    chunkBytes = 0
  }
  for (const entry of record.append) {
    const entryBytes = JSON.stringify(entry).length * 3
    if (chunk.length > 0 && chunkBytes + entryBytes > recordPayloadBytesTarget) flush()
    chunk.push(entry)
    chunkBytes += entryBytes
  }
  if (chunk.length > 0 || texts.length === 0) flush()
  return texts
}

/** One Persist as the payloads the storage layer frames (see walRecordTexts). */
export const encodePersist = (record: WalRecord): Array<Uint8Array> =>
  walRecordTexts(record).map((text) => textEncoder.encode(text))

/** Exactly the shape walRecordOf makes (see protocol/exactShape.ts): then the Schema would decode it to itself. */
export const isExactWalRecord = (value: unknown): value is WalRecord => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const record = value as Record<string, unknown>
  let keys = 1
  if (Object.hasOwn(record, "hardState")) {
    if (!isExactHardState(record.hardState)) return false
    keys += 1
  }
  if (Object.hasOwn(record, "truncateFrom")) {
    const truncateFrom = record.truncateFrom
    if (!(typeof truncateFrom === "number" && Number.isSafeInteger(truncateFrom) && truncateFrom >= 1)) return false
    keys += 1
  }
  return Object.keys(record).length === keys && areExactEntries(record.append)
}

/**
 * A record's payload text: a record of exactly the shape the replica writes is taken after JSON.parse; any other
 * goes through the Schema, which accepts or refuses it and says why.
 */
export const decodeWalRecordText = (text: string): Either.Either<WalRecord, string> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (isExactWalRecord(parsed)) return Either.right(parsed)
  return Either.mapLeft(decodeRecord(text), (error) => error.message.slice(0, 500))
}

export const decodeWalRecord = (payload: Uint8Array): Either.Either<WalRecord, string> => {
  let text: string
  try {
    text = textDecoder.decode(payload)
  } catch {
    return Either.left("the payload is not UTF-8")
  }
  return decodeWalRecordText(text)
}

export interface ReplayResult {
  readonly hardState: HardState
  readonly log: ReadonlyArray<Entry>
  /** Records replayed before the first one that did not decode or fit (undefined when all did). */
  readonly badRecordPosition: number | undefined
  readonly badRecordReason: string | undefined
}

/**
 * Rebuilds the hard state and the log from records in order — the only replay there is. A record that decodes
 * but cannot follow the log (an append that skips an index) is treated like a damaged record: replay stops
 * before it. `decode` defaults to the Schema; the simulator passes one that recognises the texts it wrote.
 */
export const replayWalRecords = (
  payloads: ReadonlyArray<Uint8Array>,
  decode: (payload: Uint8Array) => Either.Either<WalRecord, string> = decodeWalRecord
): ReplayResult => {
  let hardState: HardState = { term: 0, votedFor: null }
  const log: Array<Entry> = []
  for (let position = 0; position < payloads.length; position += 1) {
    const decoded = decode(payloads[position] as Uint8Array)
    if (Either.isLeft(decoded)) return stopped(hardState, log, position, decoded.left)
    const record = decoded.right
    // The replica truncates before it overwrites, so every append continues the log exactly.
    if (record.truncateFrom !== undefined && record.truncateFrom <= log.length) log.length = record.truncateFrom - 1
    for (const entry of record.append) {
      if (entry.index !== log.length + 1)
        return stopped(hardState, log, position, `entry ${entry.index} does not follow ${log.length}`)
      log.push(entry)
    }
    if (record.hardState !== undefined) hardState = record.hardState
  }
  return { hardState, log, badRecordPosition: undefined, badRecordReason: undefined }
}

const stopped = (hardState: HardState, log: ReadonlyArray<Entry>, position: number, reason: string): ReplayResult => ({
  hardState,
  log,
  badRecordPosition: position,
  badRecordReason: reason
})
