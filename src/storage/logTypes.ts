/** Results shared by both log hosts: the real WAL file (wal.ts) and the simulator's log (memoryLog.ts). */
import type { DecodedRecord } from "./decode.ts"
import type { Finding } from "./finding.ts"

export interface Recovery {
  readonly records: ReadonlyArray<DecodedRecord>
  readonly finding: Finding
  /** Bytes cut off a torn tail; zero otherwise. */
  readonly truncatedBytes: number
}

export interface AppendResult {
  readonly firstSequence: number
  readonly lastSequence: number
}
