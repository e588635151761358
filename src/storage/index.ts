/**
 * The storage layer's face to the node: the real WAL, its errors and how a recovery finding reads. The simulator
 * and the tests import the parts they drive (the in-memory disk, the decoder) from their own modules.
 */
export { describeFinding, isCorruption } from "./finding.ts"
export { WriteAheadLog } from "./wal.ts"
export * from "./walErrors.ts"
