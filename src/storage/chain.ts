/**
 * The hash chain that links each record to the one before it.
 *
 * A record's CRC32C proves the record is intact; it cannot prove the record belongs where it was found. A
 * misdirected write (a whole, valid record landing at another record's offset) or a stale write (an intact record
 * from an earlier life of the file) passes its own checksum. The chain catches both: every record stores
 * `chain = link(previous record's chain, this record's length, sequence and payload checksum)`, so an intact record
 * whose stored chain differs from the link recomputed from its actual predecessor was written after a different
 * history.
 *
 * Why SHA-256 truncated to 16 bytes rather than a CRC: a CRC is linear, so a chain of CRCs can be forged by
 * accident as well as on purpose (two histories that differ by a CRC-shaped error pattern link to the same value),
 * and 32 bits leaves a one-in-four-billion chance per misplaced record of linking anyway. SHA-256 from node:crypto
 * is native, deterministic and costs about a microsecond per record, since it hashes only 32 bytes (the previous
 * chain and 16 header bytes), never the payload; 128 bits makes an accidental link impossible in practice. The
 * payload is covered by its CRC32C, which is in the hashed header bytes.
 */
import { hash } from "node:crypto"
import { assert } from "../assert.ts"

export const chainBytes = 16

/** Where a chain starts: the sequence number and chain value of the record just before the first one in a file. */
export interface ChainAnchor {
  readonly sequence: number
  readonly chain: Uint8Array
}

/** A fresh log: the first record has sequence 1 and links to sixteen zero bytes. */
export const genesisAnchor: ChainAnchor = Object.freeze({ sequence: 0, chain: new Uint8Array(chainBytes) })

/**
 * The digest a link is made of: SHA-256 of `previousChain` followed by bytes[linkedStart .. linkedEnd], written into
 * `scratch` (chainBytes plus the linked bytes) first. The one definition of a link, for the writer and the checker.
 */
const linkDigest = (
  previousChain: Uint8Array,
  bytes: Uint8Array,
  linkedStart: number,
  linkedEnd: number,
  scratch: Uint8Array
): Buffer => {
  // Per record: checked before assert is called (assert.ts).
  if (previousChain.length !== chainBytes)
    assert(false, `a chain value is ${chainBytes} bytes, got ${previousChain.length}`)
  assert(
    scratch.length === chainBytes + linkedEnd - linkedStart,
    "the scratch buffer holds a chain and the linked bytes"
  )
  scratch.set(previousChain, 0)
  for (let position = linkedStart; position < linkedEnd; position += 1) {
    scratch[chainBytes + position - linkedStart] = bytes[position] as number
  }
  // One-shot hashing of one buffer: a Hash object per record cost more than the hashing itself.
  return hash("sha256", scratch, "buffer")
}

/** The chain value of a record whose linked header fields are `linkedHeaderBytes`, following `previousChain`. */
export const linkChain = (previousChain: Uint8Array, linkedHeaderBytes: Uint8Array): Uint8Array => {
  const scratch = new Uint8Array(chainBytes + linkedHeaderBytes.length)
  const digest = linkDigest(previousChain, linkedHeaderBytes, 0, linkedHeaderBytes.length, scratch)
  return new Uint8Array(digest.buffer, digest.byteOffset, chainBytes).slice()
}

/**
 * True when the chain stored at `bytes[storedAt ..]` is linkChain(previousChain, bytes[linkedStart .. linkedEnd]):
 * what the decoder checks of every record. It reads in place and reuses `scratch` through a scan, so a record
 * costs one digest and no copies; a restart checks thousands.
 */
export const chainLinks = (
  previousChain: Uint8Array,
  bytes: Uint8Array,
  linkedStart: number,
  linkedEnd: number,
  storedAt: number,
  scratch: Uint8Array
): boolean => {
  const digest = linkDigest(previousChain, bytes, linkedStart, linkedEnd, scratch)
  for (let position = 0; position < chainBytes; position += 1) {
    if (digest[position] !== bytes[storedAt + position]) return false
  }
  return true
}

export const chainsEqual = (left: Uint8Array, right: Uint8Array): boolean => {
  if (left.length !== right.length) return false
  for (let index = 0; index < left.length; index += 1) {
    if (left[index] !== right[index]) return false
  }
  return true
}
