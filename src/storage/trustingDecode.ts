/**
 * Bug zoo only (`applyCorruptRecords`): a decoder that takes a record whose payload failed its checksum as it
 * reads — its header is intact, so its length and place in the chain are known — and goes on after it. It
 * stops at any other damage, as the real decoder does. The real decoder (decode.ts) never does this; both hosts
 * (the simulator's disk and the node's WAL) call this one only when a test names the bug. Protocol-aware
 * recovery (Alagappan et al., FAST 2018) explains why trusting a damaged record is wrong.
 */
import { genesisAnchor, type ChainAnchor } from "./chain.ts"
import { decodeRecords } from "./decode.ts"
import { expectedChainAt, headerBytes, readHeader } from "./record.ts"

export interface TrustedRecord {
  readonly payload: Uint8Array
  readonly checksumFailed: boolean
}

export const decodeTrustingPayloads = (bytes: Uint8Array): ReadonlyArray<TrustedRecord> => {
  const records: Array<TrustedRecord> = []
  let base = 0
  let anchor: ChainAnchor = genesisAnchor
  // Each pass consumes at least one header, so this is bounded by the buffer length.
  for (let pass = 0; pass <= Math.floor(bytes.length / headerBytes) + 1; pass += 1) {
    const decoded = decodeRecords(bytes.subarray(base), { anchor })
    for (const record of decoded.records) records.push({ payload: record.payload, checksumFailed: false })
    const finding = decoded.finding
    if (finding._tag !== "ChecksumMismatch" || finding.part !== "Payload") return records
    const offset = base + finding.offset
    const header = readHeader(bytes, offset)
    records.push({
      payload: bytes.slice(offset + headerBytes, offset + headerBytes + header.payloadLength),
      checksumFailed: true
    })
    anchor = { sequence: header.sequence, chain: expectedChainAt(bytes, offset, decoded.last.chain) }
    base = offset + headerBytes + header.payloadLength
  }
  return records
}
