/**
 * The WAL's fast path (decodeWalRecordText takes a record of exactly the replica's shape after JSON.parse, see
 * protocol/exactShape.ts) must never accept what the Schema refuses, nor return anything but what the Schema
 * returns. Checked on records generated from the Schema and on the same records mutated: a field replaced by
 * any JSON value or by a value at a bound, a key removed, a key added.
 *
 * Effect's Arbitrary builds on its own fast-check (version 3), so this file uses that one's runner.
 */
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Entry } from "../protocol/entry.ts"
import { decodeUnknownEitherTotal } from "../schemaIssue.ts"
import { decodeWalRecordText, isExactWalRecord, WalRecord } from "./walRecord.ts"

type Json = null | boolean | number | string | Array<Json> | { [key: string]: Json }

const schemaDecode = decodeUnknownEitherTotal(Schema.parseJson(WalRecord))
const asJson = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json
/** Whole records, and records of one entry (fewer places to mutate, so each field is hit often). */
const records = fc.oneof(
  Arbitrary.make(WalRecord).map(asJson),
  Arbitrary.make(Entry).map((entry) => asJson({ append: [entry] }))
)

/** Every path to a value inside `value` (the root included). */
const pathsOf = (value: Json, prefix: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> => {
  const inner =
    Array.isArray(value) && value !== null
      ? value.flatMap((item, index) => pathsOf(item, [...prefix, index]))
      : typeof value === "object" && value !== null
        ? Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...prefix, key]))
        : []
  return [prefix, ...inner]
}

const replaceAt = (
  value: Json,
  path: ReadonlyArray<string | number>,
  replace: (old: Json) => Json | undefined
): Json => {
  if (path.length === 0) return replace(value) ?? null
  const [head, ...rest] = path
  if (Array.isArray(value)) {
    const copy = [...value]
    const next = replaceAt(copy[head as number] as Json, rest, replace)
    copy[head as number] = next
    return copy
  }
  if (typeof value === "object" && value !== null) {
    const copy: { [key: string]: Json } = { ...value }
    if (rest.length === 0) {
      const replaced = replace(copy[head as string] as Json)
      if (replaced === undefined) delete copy[head as string]
      else copy[head as string] = replaced
      return copy
    }
    copy[head as string] = replaceAt(copy[head as string] as Json, rest, replace)
    return copy
  }
  return value
}

const boundaryValues: ReadonlyArray<Json> = [
  -1,
  0,
  1,
  1.5,
  1023,
  1024,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  "",
  "x".repeat(128),
  "x".repeat(129),
  null,
  true,
  [],
  {},
  "NoOp",
  "Command",
  "Put",
  "Withdraw"
]

type Mutation =
  | { readonly _tag: "Replace"; readonly value: Json }
  | { readonly _tag: "Remove" }
  | { readonly _tag: "AddKey"; readonly key: string; readonly value: Json }

const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  fc.jsonValue().map((value): Mutation => ({ _tag: "Replace", value: value as Json })),
  fc.constantFrom(...boundaryValues).map((value): Mutation => ({ _tag: "Replace", value })),
  fc.constant<Mutation>({ _tag: "Remove" }),
  fc
    .tuple(
      fc.constantFrom("_tag", "extra", "index", "term", "key", "value", "amount", "idempotencyKey"),
      fc.jsonValue()
    )
    .map(([key, value]): Mutation => ({ _tag: "AddKey", key, value: value as Json }))
)

const mutate = (record: Json, position: number, mutation: Mutation): Json => {
  const paths = pathsOf(record)
  const path = paths[position % paths.length] ?? []
  switch (mutation._tag) {
    case "Replace":
      return replaceAt(record, path, () => mutation.value)
    case "Remove":
      return replaceAt(record, path, () => undefined)
    case "AddKey":
      return replaceAt(record, path, (old) =>
        typeof old === "object" && old !== null && !Array.isArray(old)
          ? { ...old, [mutation.key]: mutation.value }
          : old
      )
  }
}

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
      fc.property(records, fc.nat(), mutations, (record, position, mutation) => {
        expectSameAsSchema(mutate(record, position, mutation))
      }),
      { numRuns: 5_000 }
    )
  })
})
