/**
 * The `applyCorruptRecords` bug on the node's real WAL (test images only: src/node/testBugs.ts). The storage
 * layer's decoder stays strict; this adapter reads the file itself, takes a record whose payload failed its
 * checksum as it reads (its header is intact, so its length and place in the chain are known), rewrites the log
 * with fresh checksums over what it kept (as a compaction would), and so leaves nothing on disk that shows the
 * damage. The decoder it uses is shared with the simulator (src/storage/trustingDecode.ts); protocol-aware recovery (Alagappan et al., FAST 2018)
 * explains why trusting a damaged record is wrong.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { decodeTrustingPayloads } from "../storage/trustingDecode.ts"
import { WriteAheadLog } from "../storage/wal.ts"
import { replayWalRecords } from "../storage/walRecord.ts"

export const walFileName = "wal.log"
/** Payloads per append call: far below the storage layer's batch bound for the node's record sizes. */
const payloadsPerAppend = 256

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
