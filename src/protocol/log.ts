/**
 * The replicated log as an immutable value: entries after a compacted prefix that ends at (baseIndex,
 * baseTerm). Index 0 with term 0 is the empty log's sentinel (Raft §5.3: "prevLogIndex 0 always matches").
 */
import type { Entry } from "./entry.ts"

export interface Log {
  readonly baseIndex: number
  readonly baseTerm: number
  readonly entries: ReadonlyArray<Entry>
}

export const emptyLog: Log = { baseIndex: 0, baseTerm: 0, entries: [] }

export const lastIndex = (log: Log): number => log.baseIndex + log.entries.length

export const lastTerm = (log: Log): number => {
  const last = log.entries[log.entries.length - 1]
  return last === undefined ? log.baseTerm : last.term
}

/** The term of the entry at `index`, or undefined when the log does not hold that index. */
export const termAt = (log: Log, index: number): number | undefined => {
  if (index === log.baseIndex) return log.baseTerm
  if (index < log.baseIndex || index > lastIndex(log)) return undefined
  return log.entries[index - log.baseIndex - 1]?.term
}

export const entryAt = (log: Log, index: number): Entry | undefined =>
  index <= log.baseIndex ? undefined : log.entries[index - log.baseIndex - 1]

/** Up to `maxCount` entries starting at `fromIndex` (which must be after the compacted prefix). */
export const entriesFrom = (log: Log, fromIndex: number, maxCount: number): ReadonlyArray<Entry> => {
  if (fromIndex <= log.baseIndex) return []
  const start = fromIndex - log.baseIndex - 1
  return log.entries.slice(start, start + maxCount)
}

/** Drops every entry from `fromIndex` on. */
export const truncateFrom = (log: Log, fromIndex: number): Log => {
  if (fromIndex > lastIndex(log)) return log
  return { ...log, entries: log.entries.slice(0, Math.max(0, fromIndex - log.baseIndex - 1)) }
}

export const append = (log: Log, entries: ReadonlyArray<Entry>): Log => {
  if (entries.length === 0) return log
  const first = entries[0]
  if (first === undefined || first.index !== lastIndex(log) + 1) {
    throw new Error(`log append out of order: expected index ${lastIndex(log) + 1}, got ${first?.index}`)
  }
  return { ...log, entries: log.entries.concat(entries) }
}

/** The first index in the log whose term is `term`, searching back from `fromIndex`. */
export const firstIndexOfTermAtOrBefore = (log: Log, fromIndex: number): number => {
  const term = termAt(log, fromIndex)
  let index = fromIndex
  while (index - 1 > log.baseIndex && termAt(log, index - 1) === term) index -= 1
  return index
}

/** The last index whose term is `term`, or undefined when the log holds no entry of that term. */
export const lastIndexOfTerm = (log: Log, term: number): number | undefined => {
  for (let index = lastIndex(log); index > log.baseIndex; index -= 1) {
    const entryTerm = termAt(log, index) ?? 0
    if (entryTerm === term) return index
    if (entryTerm < term) return undefined
  }
  return undefined
}

/** Raft §5.4.1: a candidate's log is at least as up-to-date as ours. */
export const isUpToDate = (log: Log, candidateLastIndex: number, candidateLastTerm: number): boolean => {
  const ourLastTerm = lastTerm(log)
  if (candidateLastTerm !== ourLastTerm) return candidateLastTerm > ourLastTerm
  return candidateLastIndex >= lastIndex(log)
}
