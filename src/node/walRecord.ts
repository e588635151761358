/**
 * What one WAL record holds: one Persist output of the replica, as JSON validated by its Schema on the way
 * back in. The framing (length, CRC32C, hash chain) is src/storage's; this module only gives the payload a shape.
 */
import { Either, Schema } from "effect"
import { Entry, HardState, Index, type DurableState } from "../protocol/index.ts"

export const WalRecord = Schema.Struct({
  hardState: Schema.optional(HardState),
  truncateFrom: Schema.optional(Index.pipe(Schema.greaterThanOrEqualTo(1))),
  append: Schema.Array(Entry)
})
export type WalRecord = typeof WalRecord.Type

const decodeRecord = Schema.decodeUnknownEither(Schema.parseJson(WalRecord))
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/**
 * The protocol Schemas have no transformations (their encoded form is their type), so JSON.stringify of a
 * value the replica produced is its encoding; decoding on recovery still runs the full Schema.
 */
export const encodeWalRecord = (record: WalRecord): Uint8Array => textEncoder.encode(JSON.stringify(record))

/** Well under the storage layer's 1 MiB payload bound; one entry (a 64 KiB value, JSON-escaped) always fits. */
const recordPayloadBytesTarget = 512 * 1024

/**
 * One Persist as payloads: large appends are split over several records (the first carries the hard state and
 * the truncation), so no record exceeds the storage layer's payload bound. Replay joins them back in order.
 */
export const encodePersist = (record: WalRecord): Array<Uint8Array> => {
  const whole = encodeWalRecord(record)
  if (whole.length <= recordPayloadBytesTarget) return [whole]
  const payloads: Array<Uint8Array> = []
  let chunk: Array<WalRecord["append"][number]> = []
  let chunkBytes = 0
  let first = true
  const flush = (): void => {
    const head = first
      ? {
          ...(record.hardState !== undefined ? { hardState: record.hardState } : {}),
          ...(record.truncateFrom !== undefined ? { truncateFrom: record.truncateFrom } : {})
        }
      : {}
    payloads.push(encodeWalRecord({ ...head, append: chunk }))
    first = false
    chunk = []
    chunkBytes = 0
  }
  for (const entry of record.append) {
    const entryBytes = JSON.stringify(entry).length * 3
    if (chunk.length > 0 && chunkBytes + entryBytes > recordPayloadBytesTarget) flush()
    chunk.push(entry)
    chunkBytes += entryBytes
  }
  if (chunk.length > 0 || first) flush()
  return payloads
}

export const decodeWalRecord = (payload: Uint8Array): Either.Either<WalRecord, string> => {
  let text: string
  try {
    text = textDecoder.decode(payload)
  } catch {
    return Either.left("the payload is not UTF-8")
  }
  return Either.mapLeft(decodeRecord(text), (error) => error.message.slice(0, 500))
}

export interface ReplayResult {
  readonly durable: Omit<DurableState, "damaged">
  /** Records replayed before the first one that did not decode or fit (undefined when all did). */
  readonly badRecordPosition: number | undefined
  readonly badRecordReason: string | undefined
}

/**
 * Rebuilds the hard state and the log from records in order. A record that decodes but cannot follow the log
 * (an append that skips an index) is treated like a damaged record: replay stops before it.
 */
export const replayWalRecords = (payloads: ReadonlyArray<Uint8Array>): ReplayResult => {
  let hardState: HardState = { term: 0, votedFor: null }
  let log: Array<Entry> = []
  for (let position = 0; position < payloads.length; position += 1) {
    const decoded = decodeWalRecord(payloads[position] ?? new Uint8Array())
    if (Either.isLeft(decoded)) return stopped(hardState, log, position, decoded.left)
    const record = decoded.right
    if (record.truncateFrom !== undefined && record.truncateFrom <= log.length) {
      log = log.slice(0, record.truncateFrom - 1)
    }
    const first = record.append[0]
    if (first !== undefined && first.index !== log.length + 1) {
      return stopped(hardState, log, position, `append starts at ${first.index}, the log ends at ${log.length}`)
    }
    for (const entry of record.append) {
      if (entry.index !== log.length + 1)
        return stopped(hardState, log, position, `entry ${entry.index} does not follow ${log.length}`)
      log.push(entry)
    }
    if (record.hardState !== undefined) hardState = record.hardState
  }
  return { durable: { hardState, log }, badRecordPosition: undefined, badRecordReason: undefined }
}

const stopped = (hardState: HardState, log: ReadonlyArray<Entry>, position: number, reason: string): ReplayResult => ({
  durable: { hardState, log },
  badRecordPosition: position,
  badRecordReason: reason
})
