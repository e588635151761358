/** Counters a WAL keeps so group commit can be measured (never asserted on timings). */
export interface WalStatistics {
  readonly appends: number
  readonly records: number
  readonly bytes: number
  /** One write and one fdatasync per batch, so writes equal syncs. */
  readonly syncs: number
  readonly largestBatchAppends: number
  readonly largestBatchRecords: number
}

export const emptyStatistics: WalStatistics = Object.freeze({
  appends: 0,
  records: 0,
  bytes: 0,
  syncs: 0,
  largestBatchAppends: 0,
  largestBatchRecords: 0
})

export const recordBatch = (
  statistics: WalStatistics,
  appends: number,
  records: number,
  bytes: number
): WalStatistics => ({
  appends: statistics.appends + appends,
  records: statistics.records + records,
  bytes: statistics.bytes + bytes,
  syncs: statistics.syncs + 1,
  largestBatchAppends: Math.max(statistics.largestBatchAppends, appends),
  largestBatchRecords: Math.max(statistics.largestBatchRecords, records)
})

/** Records per sync, the figure group commit improves; zero before the first sync. */
export const recordsPerSync = (statistics: WalStatistics): number =>
  statistics.syncs === 0 ? 0 : statistics.records / statistics.syncs
