/** The storage layer's public surface: record framing, the decoder, the real WAL and the simulator's disk. */
export { chainToHex, genesisAnchor, type ChainAnchor } from "./chain.ts"
export { decodeRecords, type DecodedRecord, type DecodeOptions, type DecodeResult } from "./decode.ts"
export { describeFinding, isCorruption, type Corruption, type Finding, type TornTail } from "./finding.ts"
export type { AppendResult, Recovery } from "./logTypes.ts"
export {
  MemoryDisk,
  DiskFull,
  LatentReadError,
  type CrashChoice,
  type DiskLatency,
  type MemoryDiskConfig
} from "./memoryDisk.ts"
export { MemoryLog, type MemoryLogOptions } from "./memoryLog.ts"
export { defaultLimits, encodeRecords, headerBytes, payloadBytesMaxDefault, type RecordLimits } from "./record.ts"
export { WriteAheadLog, type DiscardResult, type WalOptions } from "./wal.ts"
export * from "./walErrors.ts"
export { recordsPerSync, type WalStatistics } from "./walStatistics.ts"
