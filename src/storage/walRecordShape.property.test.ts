/**
 * The WAL's fast path (decodeWalRecordText takes a record of exactly the replica's shape after JSON.parse, see
 * protocol/exactShape.ts) must never accept what the Schema refuses, nor return anything but what the Schema
 * returns. Checked on records generated from the Schema and on the same records mutated: a field replaced by
 * any JSON value or by a value at a bound, a key removed, a key added (protocol/testing/jsonMutation.ts).
 *
 * Effect's Arbitrary builds on its own fast-check (version 3), so this file uses that one's runner.
 */
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Entry } from "../protocol/entry.ts"
import { asJson, jsonMutations, mutateJson, type Json } from "../protocol/testing/jsonMutation.ts"
import { decodeUnknownEitherTotal } from "../schemaIssue.ts"
import { decodeWalRecordText, isExactWalRecord, WalRecord } from "./walRecord.ts"

const schemaDecode = decodeUnknownEitherTotal(Schema.parseJson(WalRecord))
/** Whole records, and records of one entry (fewer places to mutate, so each field is hit often). */
const records = fc.oneof(
  Arbitrary.make(WalRecord).map(asJson),
  Arbitrary.make(Entry).map((entry) => asJson({ append: [entry] }))
)

/** The fast path's verdict is the Schema's, and an accepted record is exactly what the Schema decodes. */
const expectSameAsSchema = (record: Json): void => {
  const text = JSON.stringify(record)
  const fast = decodeWalRecordText(text)
  const schema = schemaDecode(text)
  expect(Either.isRight(fast)).toBe(Either.isRight(schema))
  if (Either.isRight(fast) && Either.isRight(schema)) expect(fast.right).toEqual(schema.right)
  if (isExactWalRecord(record)) {
    expect(Either.isRight(schema), `the Schema refuses what the fast path took: ${text.slice(0, 300)}`).toBe(true)
    if (Either.isRight(schema)) expect(schema.right).toStrictEqual(record)
  }
}

describe("the WAL record's fast path", () => {
  it("takes every record of the replica's shape, as the Schema decodes it", () => {
    fc.assert(
      fc.property(records, (record) => {
        // Generated numbers include NaN and infinities, which JSON writes as null: then neither may accept it.
        expect(isExactWalRecord(record)).toBe(Either.isRight(schemaDecode(JSON.stringify(record))))
        expectSameAsSchema(record)
      }),
      { numRuns: 500 }
    )
  })

  it("agrees with the Schema on mutated records: never accepts what it refuses", () => {
    fc.assert(
      fc.property(records, fc.nat(), jsonMutations, (record, position, mutation) => {
        expectSameAsSchema(mutateJson(record, position, mutation))
      }),
      { numRuns: 5_000 }
    )
  })
})
