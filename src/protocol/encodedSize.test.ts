import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { jsonSizeBytes } from "./encodedSize.ts"

const utf8 = new TextEncoder()
const jsonBytes = (value: unknown): number => utf8.encode(JSON.stringify(value)).length

describe("jsonSizeBytes", () => {
  it("is the UTF-8 length of JSON.stringify for any JSON-like value, lone surrogates and controls included", () => {
    const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string())
    const leaf = fc.oneof(text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined))
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node")), fc.dictionary(text, tie("node")))
    })).node
    fc.assert(
      fc.property(value, (sample) => {
        if (sample === undefined) return
        expect(jsonSizeBytes(sample)).toBe(jsonBytes(sample))
      }),
      { numRuns: 300 }
    )
  })

  it("counts a 64 KiB value of control bytes as JSON writes it: six bytes a character", () => {
    const entry = { index: 1, term: 1, payload: { _tag: "Put", key: "k", value: "\u0001".repeat(64 * 1024) } }
    expect(jsonSizeBytes(entry)).toBe(jsonBytes(entry))
    expect(jsonSizeBytes(entry)).toBeGreaterThan(6 * 64 * 1024)
  })
})
