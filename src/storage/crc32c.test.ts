import { describe, expect, it } from "vitest"
import { crc32c } from "./crc32c.ts"

/** The definition, one bit at a time (reflected polynomial 0x82F63B78): slow, obviously right. */
const crc32cBitwise = (bytes: Uint8Array): number => {
  let crc = 0xffff_ffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f6_3b78 : crc >>> 1
  }
  return (crc ^ 0xffff_ffff) >>> 0
}

describe("crc32c", () => {
  it("gives the standard check value of CRC-32C for the ASCII digits 123456789", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe306_9283)
  })

  it("agrees with the bitwise definition on empty, short, unaligned and large inputs", () => {
    const large = Uint8Array.from({ length: 70_000 }, (_, position) => (position * 131 + (position >> 7)) & 0xff)
    for (const length of [0, 1, 3, 15, 16, 17, 40, 3_739, 70_000]) {
      const bytes = large.subarray(7, 7 + length)
      expect(crc32c(bytes)).toBe(crc32cBitwise(bytes))
    }
  })
})
