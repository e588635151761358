/**
 * The replicated log as an immutable value: entries after a compacted prefix that ends at (baseIndex,
 * baseTerm). Index 0 with term 0 is the empty log's sentinel (Raft §5.3: "prevLogIndex 0 always matches").
 *
 * Persistence without copying: a Log is the first `length` elements of a backing array that versions share.
 * Appending to the newest version (the one whose length is the backing array's) pushes onto that array and
 * returns a longer view — O(1) amortised instead of copying the whole log per append, which made a leader's
 * appends O(n) and its throughput fall as the log grew. Every other append (to an older or truncated
 * version) copies its own prefix first. Positions a view can see are never written again, so every older
 * Log value stays exactly what it was: the replica holds no hidden state (log.test.ts proves it).
 *
 * Each entry's encoded size (the bytes of its JSON, encodedSize.ts) is kept in a parallel array shared the same
 * way, so that AppendEntries can be bounded by bytes without measuring the same entries again for every batch sent.
 * It is filled when a batch is first bounded, not when entries enter the log: only a leader sends batches, and a
 * restarted follower that measured its whole recovered log spent a fifth of its way back to /health doing it.
 */
import { jsonSizeBytes } from "./encodedSize.ts"
import type { Entry } from "./entry.ts"
import { assert } from "../assert.ts"

export interface Log {
  readonly baseIndex: number
  readonly baseTerm: number
  /** How many entries after baseIndex this log holds: backing[0 .. length-1]. */
  readonly length: number
  /** Shared with other versions; positions at and beyond `length` belong to later versions, never to this one. */
  readonly backing: ReadonlyArray<Entry>
  /**
   * A cache of sizes, shared like backing: backingSizes[i] is the encoded size in bytes of backing[i], for i below
   * its length, which may lag behind backing's (sizesThrough fills it in order). Filling it is invisible: a size is
   * a function of an entry that no version rewrites.
   */
  readonly backingSizes: ReadonlyArray<number>
}

export const emptyLog: Log = { baseIndex: 0, baseTerm: 0, length: 0, backing: [], backingSizes: [] }

/** A log holding exactly `entries` (copied: the caller's array is never shared). */
export const fromEntries = (entries: ReadonlyArray<Entry>): Log => ({
  baseIndex: 0,
  baseTerm: 0,
  length: entries.length,
  backing: entries.slice(),
  backingSizes: []
})

/** The entries after the compacted prefix, as a fresh array (O(n): for tests, tools and reports). */
export const toArray = (log: Log): ReadonlyArray<Entry> => log.backing.slice(0, log.length)

export const lastIndex = (log: Log): number => log.baseIndex + log.length

export const lastTerm = (log: Log): number => {
  if (log.length === 0) return log.baseTerm
  return (log.backing[log.length - 1] as Entry).term
}

/** The term of the entry at `index`, or undefined when the log does not hold that index. */
export const termAt = (log: Log, index: number): number | undefined => {
  if (index === log.baseIndex) return log.baseTerm
  if (index < log.baseIndex || index > lastIndex(log)) return undefined
  return log.backing[index - log.baseIndex - 1]?.term
}

export const entryAt = (log: Log, index: number): Entry | undefined =>
  index <= log.baseIndex || index > lastIndex(log) ? undefined : log.backing[index - log.baseIndex - 1]

/** Up to `maxCount` entries starting at `fromIndex` (which must be after the compacted prefix). */
export const entriesFrom = (log: Log, fromIndex: number, maxCount: number): ReadonlyArray<Entry> => {
  if (fromIndex <= log.baseIndex) return []
  const start = fromIndex - log.baseIndex - 1
  return log.backing.slice(start, Math.min(log.length, start + maxCount))
}

/**
 * Entries from `fromIndex` (after the compacted prefix): at most `maxCount`, and no more than `maxBytes` of encoded
 * entries — except that the first entry is always included, so a batch always makes progress (an entry larger than
 * `maxBytes` cannot be proposed: proposal.ts bounds entries well below any message bound).
 */
export const entriesWithin = (
  log: Log,
  fromIndex: number,
  maxCount: number,
  maxBytes: number
): ReadonlyArray<Entry> => {
  if (fromIndex <= log.baseIndex || maxCount <= 0) return []
  const start = fromIndex - log.baseIndex - 1
  const end = Math.min(log.length, start + maxCount)
  sizesThrough(log, end)
  let stop = start
  let bytes = 0
  while (stop < end) {
    const size = log.backingSizes[stop] as number
    if (stop > start && bytes + size > maxBytes) break
    bytes += size
    stop += 1
  }
  return log.backing.slice(start, stop)
}

/** Fills the shared size cache for backing positions below `end` (at most this version's length). */
const sizesThrough = (log: Log, end: number): void => {
  const sizes = log.backingSizes as Array<number>
  for (let position = sizes.length; position < end; position += 1) {
    sizes.push(jsonSizeBytes(log.backing[position]))
  }
}

/** Drops every entry from `fromIndex` on: a shorter view of the same backing array. */
export const truncateFrom = (log: Log, fromIndex: number): Log => {
  if (fromIndex > lastIndex(log)) return log
  return { ...log, length: Math.max(0, fromIndex - log.baseIndex - 1) }
}

export const append = (log: Log, entries: ReadonlyArray<Entry>): Log => {
  if (entries.length === 0) return log
  const first = entries[0]
  assert(
    first !== undefined && first.index === lastIndex(log) + 1,
    () => `the log grows in index order: expected index ${lastIndex(log) + 1}, got ${first?.index}`
  )
  // Only the newest version may extend the shared array; the empty log's array is shared by every replica.
  const extendsInPlace = log.length > 0 && log.length === log.backing.length
  const backing = extendsInPlace ? (log.backing as Array<Entry>) : log.backing.slice(0, log.length)
  const backingSizes = extendsInPlace ? log.backingSizes : log.backingSizes.slice(0, log.length)
  for (const entry of entries) backing.push(entry)
  return { baseIndex: log.baseIndex, baseTerm: log.baseTerm, length: backing.length, backing, backingSizes }
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
