/**
 * The strict JSON parse refuses a body exactly when some object in it names a key twice — keys compared after
 * their escapes are decoded, so `"a"` and `"\u0061"` are the same key — at any depth, in arrays too.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { firstDuplicateKey, parseStrictJson } from "./strictJson.ts"

interface Generated {
  readonly text: string
  readonly hasDuplicate: boolean
}

/** Key spellings: a few decode to the same key, and some look like structure (braces, commas, quotes) inside. */
const keySpellings: ReadonlyArray<[spelling: string, decoded: string]> = [
  ['"a"', "a"],
  ['"\\u0061"', "a"],
  ['"b"', "b"],
  ['"{,}"', "{,}"],
  ['"\\"a"', '"a'],
  ['"[\\\\"', "[\\"]
]

const leaf = fc.constantFrom('"x"', '"\\"}{,"', "1", "-2.5e3", "true", "null", '""', "[]", "{}")

const generated: fc.Arbitrary<Generated> = fc.letrec<{ value: Generated }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf.map((text) => ({ text, hasDuplicate: false })),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => ({
      text: `[${items.map((item) => item.text).join(", ")}]`,
      hasDuplicate: items.some((item) => item.hasDuplicate)
    })),
    fc
      .array(fc.tuple(fc.integer({ min: 0, max: keySpellings.length - 1 }), tie("value")), { maxLength: 4 })
      .map((members) => {
        const decoded = members.map(([keyIndex]) => keySpellings[keyIndex]?.[1])
        const text = members.map(([keyIndex, value]) => `${keySpellings[keyIndex]?.[0]}: ${value.text}`).join(" , ")
        return {
          text: `{ ${text} }`,
          hasDuplicate: new Set(decoded).size < decoded.length || members.some(([, value]) => value.hasDuplicate)
        }
      })
  )
})).value

describe("strict JSON bodies", () => {
  test.prop([generated], { numRuns: 300 })("refuses a body exactly when an object names a key twice", (body) => {
    const verdict = parseStrictJson(body.text)
    expect(verdict._tag).toBe(body.hasDuplicate ? "Invalid" : "Parsed")
    if (verdict._tag === "Parsed") expect(verdict.value).toEqual(JSON.parse(body.text))
  })

  test.prop([fc.jsonValue()], { numRuns: 200 })("accepts everything JSON.stringify writes", (value) => {
    expect(firstDuplicateKey(JSON.stringify(value))).toBeUndefined()
  })

  it("names the duplicate key, and refuses text that is not JSON", () => {
    expect(parseStrictJson('{"amount": 1, "amount": 1000000}')).toEqual({
      _tag: "Invalid",
      reason: 'the body names the key "amount" twice'
    })
    expect(parseStrictJson('[{"a": 1}, {"a": 2}]')._tag).toBe("Parsed")
    expect(parseStrictJson("{not json")._tag).toBe("Invalid")
  })
})
