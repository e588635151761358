/**
 * The decoder: scans a whole byte buffer (a WAL file or the simulator's disk image), returns every valid record
 * in order, and classifies where and why it stopped. The real node and the simulator call this same function, so
 * both hosts detect exactly the same corruptions.
 */
import { genesisAnchor, type ChainAnchor } from "./chain.ts"
import { crc32c } from "./crc32c.ts"
import type { Finding, TornTailCause } from "./finding.ts"
import {
  chainLinksAt,
  chainScratch,
  defaultLimits,
  headerBytes,
  headerChecksumOf,
  headerFieldsAt,
  headerVerifies,
  readHeader,
  recordMagic,
  validateLimits,
  type RecordLimits
} from "./record.ts"
import { assert } from "../assert.ts"

export interface DecodedRecord {
  readonly offset: number
  readonly sequence: number
  /**
   * A view of a copy of the scanned buffer, taken once per scan: later changes to the scanned buffer (a simulated
   * fault, a reused read buffer) cannot alter it.
   */
  readonly payload: Uint8Array
}

export interface DecodeResult {
  readonly records: ReadonlyArray<DecodedRecord>
  readonly finding: Finding
  /** The offset just past the last valid record: where a torn tail is truncated and the next append goes. */
  readonly validEndOffset: number
  /** The last valid record's sequence and chain (or the starting anchor): where the next append continues. */
  readonly last: ChainAnchor
}

export interface DecodeOptions {
  readonly anchor?: ChainAnchor
  readonly limits?: RecordLimits
  /** Bug zoo only (`damagedTailAsTorn`): a damaged but complete last record is taken for a torn write. */
  readonly damagedTailAsTorn?: boolean
}

/** The outcome of examining the one record at an offset. */
type Step =
  | { readonly _tag: "Record"; readonly record: DecodedRecord; readonly chain: Uint8Array; readonly length: number }
  | { readonly _tag: "Stop"; readonly finding: Finding }
  | {
      readonly _tag: "Damaged"
      readonly cause: Exclude<TornTailCause, "Truncated">
      readonly sequence: number | undefined
    }

export const decodeRecords = (scanned: Uint8Array, options: DecodeOptions = {}): DecodeResult => {
  const limits = validateLimits(options.limits ?? defaultLimits)
  // One copy for the whole scan rather than one per record: a restart decodes thousands of records.
  const bytes = scanned.slice()
  const scratch = chainScratch()
  let last = options.anchor ?? genesisAnchor
  const records: Array<DecodedRecord> = []
  let offset = 0
  // Every iteration consumes at least a header, so the loop is bounded by the buffer length.
  const iterationsMax = Math.floor(bytes.length / headerBytes) + 1
  for (let iteration = 0; iteration <= iterationsMax; iteration += 1) {
    if (offset === bytes.length) return { records, finding: { _tag: "Clean" }, validEndOffset: offset, last: own(last) }
    const step = examineRecord(bytes, offset, last, limits, scratch)
    if (step._tag === "Stop") return { records, finding: step.finding, validEndOffset: offset, last: own(last) }
    if (step._tag === "Damaged") {
      const finding = classifyDamage(
        bytes,
        offset,
        step.cause,
        step.sequence,
        limits,
        options.damagedTailAsTorn === true
      )
      return { records, finding, validEndOffset: offset, last: own(last) }
    }
    records.push(step.record)
    last = { sequence: step.record.sequence, chain: step.chain }
    offset += step.length
  }
  assert(false, () => `the decoder finishes within ${iterationsMax} records of a ${bytes.length}-byte buffer`)
}

/** The anchor with its chain copied out of the scan's buffer, which the caller keeps no longer than the records. */
const own = (anchor: ChainAnchor): ChainAnchor => ({ sequence: anchor.sequence, chain: anchor.chain.slice() })

/** Checks, in order: room for a header, magic, length bound, header checksum, room for the payload, payload
 *  checksum, chain, sequence. The first failure decides the classification. */
const examineRecord = (
  bytes: Uint8Array,
  offset: number,
  previous: ChainAnchor,
  limits: RecordLimits,
  scratch: Uint8Array
): Step => {
  const remaining = bytes.length - offset
  if (remaining < headerBytes) return tornTail(offset, "Truncated", undefined)
  if (bytes[offset] !== recordMagic) return { _tag: "Damaged", cause: "BadMagic", sequence: undefined }
  const payloadLength = headerFieldsAt.payloadLength(bytes, offset)
  if (payloadLength > limits.payloadBytesMax) return { _tag: "Damaged", cause: "BadLength", sequence: undefined }
  if (headerChecksumOf(bytes, offset) !== headerFieldsAt.headerChecksum(bytes, offset)) {
    return { _tag: "Damaged", cause: "ChecksumMismatch", sequence: undefined }
  }
  const sequence = headerFieldsAt.sequence(bytes, offset)
  const length = headerBytes + payloadLength
  if (remaining < length) return tornTail(offset, "Truncated", sequence)
  const payload = bytes.subarray(offset + headerBytes, offset + length)
  if (crc32c(payload) !== headerFieldsAt.payloadChecksum(bytes, offset)) {
    return { _tag: "Damaged", cause: "ChecksumMismatch", sequence }
  }
  // A crash cannot produce an intact record that links wrongly, so these two are corruption wherever they are.
  if (!chainLinksAt(bytes, offset, previous.chain, scratch)) {
    return { _tag: "Stop", finding: { _tag: "ChainBroken", offset, sequence } }
  }
  if (sequence !== previous.sequence + 1) {
    const finding = { _tag: "SequenceGap", offset, expected: previous.sequence + 1, found: sequence } as const
    return { _tag: "Stop", finding }
  }
  return { _tag: "Record", record: { offset, sequence, payload }, chain: headerFieldsAt.chain(bytes, offset), length }
}

const tornTail = (offset: number, cause: TornTailCause, sequence: number | undefined): Step => ({
  _tag: "Stop",
  finding: { _tag: "TornTail", offset, cause, sequence }
})

/**
 * Damage at `offset` (a record whose bytes are all present but do not verify) is never a torn tail: a crash leaves
 * the last write as a prefix of its bytes, which the decoder reports as Truncated before it gets here. With a
 * verifiable header somewhere later it is corruption in the middle of the log (truncating there would silently
 * throw away the records after it); with none, the last record itself was damaged after it was written — and
 * perhaps synced and acknowledged — so it is reported as DamagedTail, never cut off silently. One exception: a
 * tail of nothing but zero bytes is what a file system leaves when it extended the file before the data landed;
 * no written record is all zeros, so that is a torn write.
 */
const classifyDamage = (
  bytes: Uint8Array,
  offset: number,
  cause: Exclude<TornTailCause, "Truncated">,
  sequence: number | undefined,
  limits: RecordLimits,
  damagedTailAsTorn: boolean
): Finding => {
  const nextHeaderOffset = findNextHeader(bytes, offset + 1, limits)
  if (nextHeaderOffset === undefined) {
    return damagedTailAsTorn || zerosFrom(bytes, offset)
      ? { _tag: "TornTail", offset, cause, sequence }
      : { _tag: "DamagedTail", offset, cause, sequence }
  }
  switch (cause) {
    case "BadMagic":
      return { _tag: "BadMagic", offset, nextHeaderOffset, byte: bytes[offset] ?? 0 }
    case "BadLength":
      return { _tag: "BadLength", offset, nextHeaderOffset, payloadLength: readHeader(bytes, offset).payloadLength }
    case "ChecksumMismatch": {
      const part = sequence === undefined ? "Header" : "Payload"
      return { _tag: "ChecksumMismatch", offset, nextHeaderOffset, part, sequence }
    }
  }
}

const zerosFrom = (bytes: Uint8Array, from: number): boolean => {
  for (let offset = from; offset < bytes.length; offset += 1) if (bytes[offset] !== 0) return false
  return true
}

/** The first offset at or after `from` holding a verifiable header, scanning byte by byte because a misdirected
 *  record need not sit on a record boundary. The magic byte filters all but 1 in 256 offsets cheaply. */
const findNextHeader = (bytes: Uint8Array, from: number, limits: RecordLimits): number | undefined => {
  for (let offset = from; offset + headerBytes <= bytes.length; offset += 1) {
    if (bytes[offset] === recordMagic && headerVerifies(bytes, offset, limits)) return offset
  }
  return undefined
}
