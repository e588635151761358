/**
 * The record format shared by the real WAL file and the simulator's disk.
 *
 * Layout, little-endian, 40-byte header then the payload:
 *
 * | offset | bytes | field                                                         |
 * |--------|-------|---------------------------------------------------------------|
 * | 0      | 1     | magic: 0xF1, "Faultline record format 1"                      |
 * | 1      | 3     | reserved, zero                                                |
 * | 4      | 4     | payload length in bytes                                       |
 * | 8      | 8     | sequence number (1, 2, 3, … within a chain; at most 2^53 − 1)  |
 * | 16     | 4     | CRC32C of the payload                                         |
 * | 20     | 16    | chain: linkChain(previous chain, bytes 4..20 of this header)  |
 * | 36     | 4     | CRC32C of header bytes 0..36                                  |
 *
 * Why a header checksum and a payload checksum rather than one CRC over both: the header checksum lets the decoder
 * trust the length and sequence before it reads the payload, so a record cut short by a crash (intact header,
 * file ends inside the payload) is told apart from a damaged header, and a damaged payload is reported with the
 * sequence number it belonged to. Together they still cover every byte: the header checksum covers the payload
 * checksum.
 */
import { chainBytes, chainLinks, linkChain, type ChainAnchor } from "./chain.ts"
import { crc32c } from "./crc32c.ts"
import { assert } from "../assert.ts"

export const recordMagic = 0xf1
export const headerBytes = 40
/** Default bound on one payload: large enough for a batch of entries, small enough to read a record in one go. */
export const payloadBytesMaxDefault = 1 << 20
/** Hard ceiling on any configured bound, so a damaged length can never make a reader allocate gigabytes. */
export const payloadBytesCeiling = 64 << 20

const offsetPayloadLength = 4
const offsetSequence = 8
const offsetPayloadChecksum = 16
const offsetChain = 20
const offsetHeaderChecksum = 36
const linkedFieldsStart = offsetPayloadLength
const linkedFieldsEnd = offsetChain

export interface RecordLimits {
  readonly payloadBytesMax: number
}

export const defaultLimits: RecordLimits = Object.freeze({ payloadBytesMax: payloadBytesMaxDefault })

export const validateLimits = (limits: RecordLimits): RecordLimits => {
  const { payloadBytesMax } = limits
  if (!Number.isInteger(payloadBytesMax) || payloadBytesMax < 0 || payloadBytesMax > payloadBytesCeiling) {
    throw new RangeError(`payloadBytesMax should be an integer in [0, ${payloadBytesCeiling}], got ${payloadBytesMax}`)
  }
  return limits
}

/** The fields of a header as read from bytes; nothing here is verified yet. */
export interface RawHeader {
  readonly magic: number
  readonly payloadLength: number
  readonly sequence: number
  readonly payloadChecksum: number
  readonly chain: Uint8Array
  readonly headerChecksum: number
}

const viewOf = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** The little-endian unsigned 32-bit integer at `offset`, read in place (the decoder reads every header). */
const uint32At = (bytes: Uint8Array, offset: number): number =>
  ((bytes[offset] as number) |
    ((bytes[offset + 1] as number) << 8) |
    ((bytes[offset + 2] as number) << 16) |
    ((bytes[offset + 3] as number) << 24)) >>>
  0

/**
 * The header fields of the record at `offset`, each read in place without building a RawHeader (the caller
 * guarantees `headerBytes` are available there): what the decoder checks, record after record.
 */
export const headerFieldsAt = {
  payloadLength: (bytes: Uint8Array, offset: number): number => uint32At(bytes, offset + offsetPayloadLength),
  sequence: (bytes: Uint8Array, offset: number): number =>
    uint32At(bytes, offset + offsetSequence + 4) * 2 ** 32 + uint32At(bytes, offset + offsetSequence),
  payloadChecksum: (bytes: Uint8Array, offset: number): number => uint32At(bytes, offset + offsetPayloadChecksum),
  headerChecksum: (bytes: Uint8Array, offset: number): number => uint32At(bytes, offset + offsetHeaderChecksum),
  chain: (bytes: Uint8Array, offset: number): Uint8Array =>
    bytes.subarray(offset + offsetChain, offset + offsetChain + chainBytes)
}

/** Reads the header at `offset`; the caller guarantees `headerBytes` are available there. */
export const readHeader = (bytes: Uint8Array, offset: number): RawHeader => {
  if (offset < 0 || offset + headerBytes > bytes.length) {
    throw new RangeError(`no whole header at offset ${offset} of ${bytes.length} bytes`)
  }
  return {
    magic: bytes[offset] as number,
    payloadLength: headerFieldsAt.payloadLength(bytes, offset),
    sequence: headerFieldsAt.sequence(bytes, offset),
    payloadChecksum: headerFieldsAt.payloadChecksum(bytes, offset),
    chain: headerFieldsAt.chain(bytes, offset),
    headerChecksum: headerFieldsAt.headerChecksum(bytes, offset)
  }
}

/** True when the header at `offset` has the magic, a length within bounds and a matching header checksum. */
export const headerVerifies = (bytes: Uint8Array, offset: number, limits: RecordLimits): boolean => {
  if (bytes[offset] !== recordMagic || offset + headerBytes > bytes.length) return false
  const header = readHeader(bytes, offset)
  if (header.payloadLength > limits.payloadBytesMax) return false
  return crc32c(bytes.subarray(offset, offset + offsetHeaderChecksum)) === header.headerChecksum
}

export const headerChecksumOf = (bytes: Uint8Array, offset: number): number =>
  crc32c(bytes.subarray(offset, offset + offsetHeaderChecksum))

/** A scratch buffer for chainLinksAt, one per scan. */
export const chainScratch = (): Uint8Array => new Uint8Array(chainBytes + linkedFieldsEnd - linkedFieldsStart)

/** True when the record at `offset` carries the chain that follows `previousChain` (checked in place). */
export const chainLinksAt = (
  bytes: Uint8Array,
  offset: number,
  previousChain: Uint8Array,
  scratch: Uint8Array
): boolean =>
  chainLinks(previousChain, bytes, offset + linkedFieldsStart, offset + linkedFieldsEnd, offset + offsetChain, scratch)

/** The chain value a record at `offset` must carry to follow `previousChain`. */
export const expectedChainAt = (bytes: Uint8Array, offset: number, previousChain: Uint8Array): Uint8Array =>
  linkChain(previousChain, bytes.subarray(offset + linkedFieldsStart, offset + linkedFieldsEnd))

export const encodedLength = (payload: Uint8Array): number => headerBytes + payload.length

/**
 * Writes one record for `payload` with `sequence`, following `previousChain`, into `target` at `offset`.
 * Returns the record's chain value, which the next record links to.
 */
export const encodeRecordInto = (
  target: Uint8Array,
  offset: number,
  payload: Uint8Array,
  sequence: number,
  previousChain: Uint8Array
): Uint8Array => {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new RangeError(`sequence should be a safe integer of at least 1, got ${sequence}`)
  }
  if (offset < 0 || offset + encodedLength(payload) > target.length) {
    throw new RangeError(`record of ${encodedLength(payload)} bytes does not fit at offset ${offset}`)
  }
  const view = viewOf(target)
  target.fill(0, offset, offset + headerBytes)
  view.setUint8(offset, recordMagic)
  view.setUint32(offset + offsetPayloadLength, payload.length, true)
  view.setUint32(offset + offsetSequence, sequence % 2 ** 32, true)
  view.setUint32(offset + offsetSequence + 4, Math.floor(sequence / 2 ** 32), true)
  view.setUint32(offset + offsetPayloadChecksum, crc32c(payload), true)
  const chain = expectedChainAt(target, offset, previousChain)
  target.set(chain, offset + offsetChain)
  view.setUint32(offset + offsetHeaderChecksum, headerChecksumOf(target, offset), true)
  target.set(payload, offset + headerBytes)
  return chain
}

export interface EncodedBatch {
  readonly bytes: Uint8Array
  /** The anchor the next batch continues from: the last record's sequence and chain. */
  readonly next: ChainAnchor
}

/** Encodes `payloads` as consecutive records after `anchor`, into one buffer written with a single write. */
export const encodeRecords = (
  payloads: ReadonlyArray<Uint8Array>,
  anchor: ChainAnchor,
  limits: RecordLimits = defaultLimits
): EncodedBatch => {
  let totalBytes = 0
  for (const payload of payloads) {
    if (payload.length > limits.payloadBytesMax) {
      throw new RangeError(`payload of ${payload.length} bytes exceeds payloadBytesMax ${limits.payloadBytesMax}`)
    }
    totalBytes += encodedLength(payload)
  }
  const bytes = new Uint8Array(totalBytes)
  let offset = 0
  let sequence = anchor.sequence
  let chain = anchor.chain
  for (const payload of payloads) {
    sequence += 1
    chain = encodeRecordInto(bytes, offset, payload, sequence, chain)
    offset += encodedLength(payload)
  }
  assert(
    offset === totalBytes,
    () => `a batch encodes to its planned size: encoded ${offset} bytes, planned ${totalBytes}`
  )
  return { bytes, next: { sequence, chain } }
}
