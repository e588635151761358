import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeRecords } from "./decode.ts"
import { encodeLog, recordBoundaries, recordIndexAt } from "./testRecords.ts"

const payloadsArbitrary = fc.array(fc.uint8Array({ minLength: 0, maxLength: 96 }), { minLength: 1, maxLength: 8 })

describe("decoder properties", () => {
  it("never returns a record containing a flipped bit, and never reports a flipped log as clean", () => {
    fc.assert(
      fc.property(payloadsArbitrary, fc.nat(), fc.integer({ min: 0, max: 7 }), (payloads, position, bit) => {
        // Arrange
        const bytes = encodeLog(payloads)
        const offset = position % bytes.length
        const damagedIndex = recordIndexAt(payloads, offset)
        bytes[offset]! ^= 1 << bit
        // Act
        const result = decodeRecords(bytes)
        // Assert: exactly the records before the damaged one, then a finding that is not Clean.
        expect(result.records.map((record) => record.payload)).toEqual(payloads.slice(0, damagedIndex))
        expect(result.finding._tag).not.toBe("Clean")
        expect(result.validEndOffset).toBe(recordBoundaries(payloads)[damagedIndex])
        // A flipped bit is never a torn write, not even in the last record: that record may have been synced.
        const isLast = damagedIndex === payloads.length - 1
        expect(result.finding._tag).toBe(isLast ? "DamagedTail" : result.finding._tag)
        expect(result.finding._tag).not.toBe("TornTail")
        if ("offset" in result.finding) expect(result.finding.offset).toBe(result.validEndOffset)
      }),
      { numRuns: 500 }
    )
  })

  it("decodes any truncation as the whole records before the cut, then Clean or TornTail", () => {
    fc.assert(
      fc.property(payloadsArbitrary, fc.nat(), (payloads, position) => {
        // Arrange
        const bytes = encodeLog(payloads)
        const length = position % (bytes.length + 1)
        const boundaries = recordBoundaries(payloads)
        const wholeRecords = boundaries.filter((boundary) => boundary <= length).length - 1
        // Act
        const result = decodeRecords(bytes.subarray(0, length))
        // Assert
        expect(result.records.map((record) => record.payload)).toEqual(payloads.slice(0, wholeRecords))
        const atBoundary = boundaries.includes(length)
        expect(result.finding).toMatchObject(
          atBoundary ? { _tag: "Clean" } : { _tag: "TornTail", cause: "Truncated", offset: boundaries[wholeRecords] }
        )
      }),
      { numRuns: 500 }
    )
  })

  it("never returns a damaged record for any burst of overwritten bytes", () => {
    fc.assert(
      fc.property(
        payloadsArbitrary,
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (payloads, position, burst) => {
          // Arrange
          const original = encodeLog(payloads)
          const bytes = original.slice()
          const offset = position % bytes.length
          bytes.set(burst.subarray(0, bytes.length - offset), offset)
          const firstChanged = bytes.findIndex((byte, index) => byte !== original[index])
          // Act
          const result = decodeRecords(bytes)
          // Assert: an unchanged log decodes clean; otherwise no record at or after the first changed byte survives.
          if (firstChanged === -1) {
            expect(result.finding._tag).toBe("Clean")
            return
          }
          const damagedIndex = recordIndexAt(payloads, firstChanged)
          expect(result.records.map((record) => record.payload)).toEqual(payloads.slice(0, damagedIndex))
          expect(result.finding._tag).not.toBe("Clean")
        }
      ),
      { numRuns: 300 }
    )
  })
})
