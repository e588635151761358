/**
 * Mutations of JSON values for the property tests of the fast paths that take values of exactly their Schema's
 * shape (protocol/exactShape.ts): a value anywhere replaced by any JSON value or by one at a bound, a key removed,
 * a key added. Effect's Arbitrary builds on its own fast-check (version 3), so these are that one's arbitraries.
 */
import { FastCheck as fc } from "effect"

export type Json = null | boolean | number | string | Array<Json> | { [key: string]: Json }

/** A value as JSON gives it back (what a decoder is handed). */
export const asJson = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json

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

export type Mutation =
  | { readonly _tag: "Replace"; readonly value: Json }
  | { readonly _tag: "Remove" }
  | { readonly _tag: "AddKey"; readonly key: string; readonly value: Json }

export const jsonMutations: fc.Arbitrary<Mutation> = fc.oneof(
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

/**
 * `record` with `mutation` applied at its `position`-th path (modulo the number of paths), as JSON gives it back: a
 * generated value JSON cannot hold (-0, which it writes as 0) must not make the in-memory record differ from the text
 * the decoders are handed (the fast path's verdict on -0 as an index was compared with the Schema's on 0).
 */
export const mutateJson = (record: Json, position: number, mutation: Mutation): Json => {
  const paths = pathsOf(record)
  const path = paths[position % paths.length] ?? []
  switch (mutation._tag) {
    case "Replace":
      return asJson(replaceAt(record, path, () => mutation.value))
    case "Remove":
      return asJson(replaceAt(record, path, () => undefined))
    case "AddKey":
      return asJson(
        replaceAt(record, path, (old) =>
          typeof old === "object" && old !== null && !Array.isArray(old)
            ? { ...old, [mutation.key]: mutation.value }
            : old
        )
      )
  }
}
