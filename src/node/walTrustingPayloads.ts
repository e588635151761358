/**
 * The `applyCorruptRecords` bug on the node's real WAL (test images only: src/node/testBugs.ts). The storage
 * layer's decoder stays strict; this adapter reads the file itself, takes a record whose payload failed its
 * checksum as it reads (its header is intact, so its length and place in the chain are known), rewrites the log
 * with fresh checksums over what it kept (as a compaction would), and so leaves nothing on disk that shows the
 * damage. The simulator's version is src/sim/wal.ts; protocol-aware recovery (Alagappan et al., FAST 2018)
 * explains why trusting a damaged record is wrong.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { genesisAnchor, type ChainAnchor } from "../storage/chain.ts"
import { decodeRecords } from "../storage/decode.ts"
import { expectedChainAt, headerBytes, readHeader } from "../storage/record.ts"
import { WriteAheadLog } from "../storage/wal.ts"
import { replayWalRecords } from "./walRecord.ts"

export const walFileName = "wal.log"
/** Payloads per append call: far below the storage layer's batch bound for the node's record sizes. */
const payloadsPerAppend = 256

interface LenientRecord {
  readonly payload: Uint8Array
  readonly checksumFailed: boolean
}

/** Like decodeRecords, but goes on past a payload checksum mismatch; stops at any other damage. */
export const decodeTrustingPayloads = (bytes: Uint8Array): ReadonlyArray<LenientRecord> => {
  const records: Array<LenientRecord> = []
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
    records.push({ payload: bytes.slice(offset + headerBytes, offset + headerBytes + header.payloadLength), checksumFailed: true })
    anchor = { sequence: header.sequence, chain: expectedChainAt(bytes, offset, decoded.last.chain) }
    base = offset + headerBytes + header.payloadLength
  }
  return records
}

/**
 * Rewrites `<directory>/wal.log` trusting damaged payloads. Returns how many records were replayed although their
 * checksum failed (a hard state or entries), or undefined (nothing touched) when no record failed one: the
 * correct path then runs.
 */
export const rewriteTrustingPayloads = async (directory: string): Promise<number | undefined> => {
  const file = path.join(directory, walFileName)
  const bytes = await fs.readFile(file).catch(() => undefined)
  if (bytes === undefined) return undefined
  const records = decodeTrustingPayloads(bytes)
  if (!records.some((record) => record.checksumFailed)) return undefined
  // Keep what still parses as a record: a flipped bit in the JSON may make a payload unreadable.
  const replay = replayWalRecords(records.map((record) => record.payload))
  const kept = records.slice(0, replay.badRecordPosition ?? records.length)
  const trusted = kept.filter((record) => record.checksumFailed).length
  await fs.rm(file)
  const log = await WriteAheadLog.open({ directory })
  try {
    await log.recover()
    for (let start = 0; start < kept.length; start += payloadsPerAppend) {
      await log.append(kept.slice(start, start + payloadsPerAppend).map((record) => record.payload))
    }
  } finally {
    await log.close()
  }
  return trusted
}
