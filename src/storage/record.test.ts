import { describe, expect, it } from "vitest"
import { chainsEqual, genesisAnchor } from "./chain.ts"
import { decodeRecords } from "./decode.ts"
import { describeFinding, isCorruption } from "./finding.ts"
import { encodeRecordInto, encodeRecords, encodedLength, headerBytes } from "./record.ts"
import { encodeLog, payloadOf, recordBoundaries } from "./testRecords.ts"

const payloads = ["alpha", "", "gamma gamma", "delta"].map(payloadOf)

describe("record round trip", () => {
  it("decodes what it encoded, in order, with consecutive sequences", () => {
    // Arrange
    const bytes = encodeLog(payloads)
    // Act
    const result = decodeRecords(bytes)
    // Assert
    expect(result.finding).toEqual({ _tag: "Clean" })
    expect(result.records.map((record) => record.payload)).toEqual(payloads)
    expect(result.records.map((record) => record.sequence)).toEqual([1, 2, 3, 4])
    expect(result.records.map((record) => record.offset)).toEqual(recordBoundaries(payloads).slice(0, 4))
    expect(result.validEndOffset).toBe(bytes.length)
    expect(result.last.sequence).toBe(4)
  })

  it("continues a chain across batches exactly as if written at once", () => {
    // Arrange
    const first = encodeRecords(payloads.slice(0, 2), genesisAnchor)
    const second = encodeRecords(payloads.slice(2), first.next)
    // Act
    const joined = new Uint8Array([...first.bytes, ...second.bytes])
    // Assert
    expect(joined).toEqual(encodeLog(payloads))
    expect(chainsEqual(decodeRecords(joined).last.chain, second.next.chain)).toBe(true)
  })

  it("decodes an empty buffer as a clean empty log", () => {
    const result = decodeRecords(new Uint8Array(0))
    expect(result).toEqual({ records: [], finding: { _tag: "Clean" }, validEndOffset: 0, last: genesisAnchor })
  })

  it("decodes a file that starts from a later anchor only with that anchor", () => {
    // Arrange
    const earlier = encodeRecords(payloads.slice(0, 2), genesisAnchor)
    const later = encodeRecords(payloads.slice(2), earlier.next).bytes
    // Act
    const withAnchor = decodeRecords(later, { anchor: earlier.next })
    const withoutAnchor = decodeRecords(later)
    // Assert
    expect(withAnchor.records.map((record) => record.sequence)).toEqual([3, 4])
    expect(withAnchor.finding._tag).toBe("Clean")
    expect(withoutAnchor.records).toEqual([])
    expect(withoutAnchor.finding).toEqual({ _tag: "ChainBroken", offset: 0, sequence: 3 })
  })

  it("refuses to encode a payload over the bound and a decoder refuses to read one", () => {
    // Arrange
    const limits = { payloadBytesMax: 8 }
    const big = encodeLog([new Uint8Array(9), payloadOf("after")])
    // Act
    const result = decodeRecords(big, { limits })
    // Assert
    expect(() => encodeRecords([new Uint8Array(9)], genesisAnchor, limits)).toThrow(/exceeds payloadBytesMax 8/)
    expect(result.finding).toMatchObject({ _tag: "BadLength", offset: 0, payloadLength: 9 })
    expect(() => decodeRecords(big, { limits: { payloadBytesMax: 2 ** 40 } })).toThrow(/payloadBytesMax should be/)
  })
})

describe("classification of damage", () => {
  const bytes = encodeLog(payloads)
  const boundaries = recordBoundaries(payloads)
  const secondRecord = boundaries[1] ?? 0
  const lastRecord = boundaries[3] ?? 0

  it("reports a payload bit flip in the middle as ChecksumMismatch with the record's sequence", () => {
    // Arrange
    const damaged = bytes.slice()
    damaged[(boundaries[2] ?? 0) + headerBytes + 3]! ^= 0x10
    // Act
    const result = decodeRecords(damaged)
    // Assert
    expect(result.records).toHaveLength(2)
    expect(result.finding).toEqual({
      _tag: "ChecksumMismatch",
      offset: boundaries[2],
      part: "Payload",
      sequence: 3,
      nextHeaderOffset: lastRecord
    })
    expect(isCorruption(result.finding)).toBe(true)
    expect(describeFinding(result.finding)).toContain("sequence 3")
  })

  it("reports a header bit flip in the middle as ChecksumMismatch of the header, sequence unknown", () => {
    const damaged = bytes.slice()
    damaged[secondRecord + 9]! ^= 0x01
    const result = decodeRecords(damaged)
    expect(result.records).toHaveLength(1)
    expect(result.finding).toMatchObject({ _tag: "ChecksumMismatch", part: "Header", sequence: undefined })
  })

  it("reports a bad magic byte and a bad length in the middle", () => {
    const badMagic = bytes.slice()
    badMagic[secondRecord] = 0x00
    const badLength = bytes.slice()
    badLength[secondRecord + 7] = 0x7f
    expect(decodeRecords(badMagic).finding).toMatchObject({ _tag: "BadMagic", offset: secondRecord, byte: 0 })
    expect(decodeRecords(badLength).finding).toMatchObject({ _tag: "BadLength", offset: secondRecord })
  })

  it("reports damage to a complete last record as DamagedTail, corruption: it may have been synced (issue 13)", () => {
    const damaged = bytes.slice()
    damaged[bytes.length - 1]! ^= 0x80
    const result = decodeRecords(damaged)
    expect(result.records).toHaveLength(3)
    expect(result.finding).toEqual({ _tag: "DamagedTail", offset: lastRecord, cause: "ChecksumMismatch", sequence: 4 })
    expect(isCorruption(result.finding)).toBe(true)
    const badMagic = bytes.slice()
    badMagic[lastRecord] = 0x00
    expect(decodeRecords(badMagic).finding).toMatchObject({ _tag: "DamagedTail", cause: "BadMagic" })
    // The bug zoo's damagedTailAsTorn takes it for a torn write, as the decoder once did.
    const buggy = decodeRecords(damaged, { damagedTailAsTorn: true })
    expect(buggy.finding).toEqual({ _tag: "TornTail", offset: lastRecord, cause: "ChecksumMismatch", sequence: 4 })
  })

  it("calls a file that ends inside a header or a payload a torn tail", () => {
    const insideHeader = decodeRecords(bytes.subarray(0, lastRecord + 10))
    const insidePayload = decodeRecords(bytes.subarray(0, bytes.length - 1))
    expect(insideHeader.finding).toEqual({
      _tag: "TornTail",
      offset: lastRecord,
      cause: "Truncated",
      sequence: undefined
    })
    expect(insidePayload.finding).toEqual({ _tag: "TornTail", offset: lastRecord, cause: "Truncated", sequence: 4 })
    expect(insidePayload.validEndOffset).toBe(lastRecord)
  })

  it("calls trailing zeros after the last record (a size extended before its data landed) a torn tail", () => {
    const withZeros = new Uint8Array(bytes.length + 4096)
    withZeros.set(bytes)
    const result = decodeRecords(withZeros)
    expect(result.records).toHaveLength(4)
    expect(result.finding).toEqual({ _tag: "TornTail", offset: bytes.length, cause: "BadMagic", sequence: undefined })
  })

  it("reports an intact record copied over another (a misdirected write) as ChainBroken", () => {
    // Arrange: records of equal length, so the copy lands exactly on a record boundary.
    const equal = ["one", "two", "six", "ten"].map(payloadOf)
    const log = encodeLog(equal)
    const size = encodedLength(payloadOf("one"))
    const misdirected = log.slice()
    // Act: the write of record 4 lands on record 2.
    misdirected.copyWithin(size, size * 3, size * 4)
    const result = decodeRecords(misdirected)
    // Assert
    expect(result.records.map((record) => record.sequence)).toEqual([1])
    expect(result.finding).toEqual({ _tag: "ChainBroken", offset: size, sequence: 4 })
  })

  it("reports a stale record from another history with the same sequence as ChainBroken", () => {
    const current = encodeLog(["a", "b", "c"].map(payloadOf))
    const stale = encodeLog(["a", "x", "c"].map(payloadOf))
    const size = encodedLength(payloadOf("a"))
    const mixed = current.slice()
    mixed.set(stale.subarray(size * 2), size * 2)
    expect(decodeRecords(mixed).finding).toEqual({ _tag: "ChainBroken", offset: size * 2, sequence: 3 })
  })

  it("reports a record that links correctly but skips a sequence number as SequenceGap", () => {
    // Arrange: a writer bug, sequence 3 after 1 with a correct link.
    const first = encodeRecords([payloadOf("a")], genesisAnchor)
    const buggy = new Uint8Array(first.bytes.length + encodedLength(payloadOf("b")))
    buggy.set(first.bytes)
    encodeRecordInto(buggy, first.bytes.length, payloadOf("b"), 3, first.next.chain)
    // Act
    const result = decodeRecords(buggy)
    // Assert
    expect(result.records).toHaveLength(1)
    expect(result.finding).toEqual({ _tag: "SequenceGap", offset: first.bytes.length, expected: 2, found: 3 })
  })
})
