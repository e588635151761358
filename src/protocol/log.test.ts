/**
 * The log shares one backing array between versions; these tests prove every Log value stays what it was
 * whatever is done to later versions (appends, truncations, appends to older versions).
 */
import { describe, expect, it } from "vitest"
import type { Entry } from "./entry.ts"
import * as Log from "./log.ts"

const entry = (index: number, term: number): Entry => ({ index, term, payload: { _tag: "NoOp" } })
const shape = (log: Log.Log): string =>
  Log.toArray(log)
    .map((item) => `${item.index}:${item.term}`)
    .join(" ")

describe("Log, a persistent value over a shared backing array", () => {
  it("appends to the newest version in place and leaves older versions unchanged", () => {
    // Arrange
    const one = Log.append(Log.emptyLog, [entry(1, 1)])
    // Act
    const two = Log.append(one, [entry(2, 1)])
    const three = Log.append(two, [entry(3, 1), entry(4, 2)])
    // Assert
    expect(two.backing).toBe(one.backing)
    expect(three.backing).toBe(one.backing)
    expect(shape(one)).toBe("1:1")
    expect(shape(two)).toBe("1:1 2:1")
    expect(shape(three)).toBe("1:1 2:1 3:1 4:2")
    expect(Log.lastIndex(one)).toBe(1)
    expect(Log.entryAt(one, 2)).toBeUndefined()
    expect(Log.termAt(one, 2)).toBeUndefined()
    expect(Log.lastTerm(three)).toBe(2)
  })

  it("copies when an older version is extended, so the newer one keeps its entries", () => {
    const one = Log.append(Log.emptyLog, [entry(1, 1)])
    const newer = Log.append(one, [entry(2, 1)])
    const fork = Log.append(one, [entry(2, 5)])
    expect(fork.backing).not.toBe(newer.backing)
    expect(shape(newer)).toBe("1:1 2:1")
    expect(shape(fork)).toBe("1:1 2:5")
    expect(shape(one)).toBe("1:1")
  })

  it("truncates to a shorter view; appending to it copies and never overwrites the longer version", () => {
    const long = Log.append(Log.emptyLog, [entry(1, 1), entry(2, 1), entry(3, 1)])
    const cut = Log.truncateFrom(long, 2)
    const replaced = Log.append(cut, [entry(2, 2)])
    expect(shape(cut)).toBe("1:1")
    expect(shape(replaced)).toBe("1:1 2:2")
    expect(shape(long)).toBe("1:1 2:1 3:1")
    expect(Log.entriesFrom(cut, 1, 10).map((item) => item.index)).toEqual([1])
    expect(Log.entriesFrom(long, 2, 10).map((item) => item.index)).toEqual([2, 3])
    expect(Log.entriesFrom(long, 2, 1).map((item) => item.index)).toEqual([2])
  })

  it("never shares the empty log's array between replicas", () => {
    const first = Log.append(Log.emptyLog, [entry(1, 1)])
    const second = Log.append(Log.emptyLog, [entry(1, 2)])
    expect(Log.emptyLog.backing.length).toBe(0)
    expect(shape(first)).toBe("1:1")
    expect(shape(second)).toBe("1:2")
  })

  it("copies the caller's array in fromEntries and refuses out-of-order appends", () => {
    const source = [entry(1, 1), entry(2, 1)]
    const log = Log.fromEntries(source)
    source.push(entry(3, 1))
    expect(shape(Log.append(log, [entry(3, 2)]))).toBe("1:1 2:1 3:2")
    expect(() => Log.append(log, [entry(4, 1)])).toThrow(/the log grows in index order/)
  })

  it("keeps every version of a long random history equal to a copying reference", () => {
    // A small deterministic PRNG: the history mixes appends to the newest version, appends to old versions,
    // and truncations, and every version is checked against its own copy taken when it was made.
    let seed = 12345
    const next = (bound: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % bound
    }
    const versions: Array<{ log: Log.Log; expected: string }> = [{ log: Log.emptyLog, expected: "" }]
    for (let round = 0; round < 500; round += 1) {
      const base =
        next(4) === 0
          ? (versions[next(versions.length)] as (typeof versions)[number])
          : (versions[versions.length - 1] as (typeof versions)[number])
      let log = base.log
      if (next(5) === 0 && Log.lastIndex(log) > 0) log = Log.truncateFrom(log, 1 + next(Log.lastIndex(log)))
      const count = 1 + next(3)
      const appended = Array.from({ length: count }, (_, offset) => entry(Log.lastIndex(log) + 1 + offset, round + 1))
      log = Log.append(log, appended)
      versions.push({ log, expected: shape(log) })
    }
    for (const version of versions) expect(shape(version.log)).toBe(version.expected)
  })

  it("bounds batches by the sizes of each version's own entries, however the shared size cache was filled", () => {
    // Entries of different sizes; batches are asked of old and new versions in random order, so the cache is filled
    // by whichever version asks first and read by the others.
    let seed = 777
    const next = (bound: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % bound
    }
    const sized = (index: number, term: number): Entry => ({
      index,
      term,
      payload: {
        _tag: "Command",
        session: { clientId: "c", sequence: index },
        command: { _tag: "Put", key: "k", value: "v".repeat(next(200)) }
      }
    })
    const expected = (log: Log.Log, fromIndex: number, maxCount: number, maxBytes: number): ReadonlyArray<Entry> => {
      const all = Log.toArray(log).slice(fromIndex - 1, fromIndex - 1 + maxCount)
      const taken: Array<Entry> = []
      let bytes = 0
      for (const item of all) {
        const size = Buffer.byteLength(JSON.stringify(item))
        if (taken.length > 0 && bytes + size > maxBytes) break
        taken.push(item)
        bytes += size
      }
      return taken
    }
    const versions: Array<Log.Log> = [Log.fromEntries(Array.from({ length: 20 }, (_, i) => sized(i + 1, 1)))]
    for (let round = 0; round < 400; round += 1) {
      let log = next(3) === 0 ? (versions[next(versions.length)] as Log.Log) : (versions.at(-1) as Log.Log)
      if (next(5) === 0 && Log.lastIndex(log) > 0) log = Log.truncateFrom(log, 1 + next(Log.lastIndex(log)))
      log = Log.append(
        log,
        Array.from({ length: 1 + next(3) }, (_, offset) => sized(Log.lastIndex(log) + 1 + offset, round + 2))
      )
      versions.push(log)
      const asked = versions[next(versions.length)] as Log.Log
      if (Log.lastIndex(asked) === 0) continue
      const fromIndex = 1 + next(Log.lastIndex(asked))
      const maxCount = 1 + next(10)
      const maxBytes = next(1_500)
      expect(Log.entriesWithin(asked, fromIndex, maxCount, maxBytes)).toEqual(
        expected(asked, fromIndex, maxCount, maxBytes)
      )
    }
  })
})
