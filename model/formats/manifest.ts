/** The manifest of the shared Porcupine histories (model/linearizability/testdata/porcupine/manifest.tsv), decoded with its Schema. */
import { Either, Schema } from "effect"
import type { Verdict } from "../linearizability/check.ts"
import { HistoryParseError, numberedLines, schemaErrorMessage } from "./parseError.ts"

export const HistoryFormat = Schema.Literal("porcupine-kv", "jepsen-etcd")
export type HistoryFormat = typeof HistoryFormat.Type

const ManifestRow = Schema.Struct({
  file: Schema.NonEmptyString,
  format: HistoryFormat,
  operations: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()),
  expectedVerdict: Schema.Literal("linearizable", "not linearizable", "unknown"),
  porcupineMedianMilliseconds: Schema.NumberFromString.pipe(Schema.nonNegative())
})
export type ManifestRow = typeof ManifestRow.Type & { readonly expectedVerdict: Verdict }
const decodeRow = Schema.decodeUnknownEither(ManifestRow)

const expectedHeader = "file\tformat\toperations\texpected_verdict\tporcupine_median_ms"

export const parseManifest = (text: string): Either.Either<ReadonlyArray<ManifestRow>, HistoryParseError> => {
  const [header, ...rows] = numberedLines(text)
  if (header === undefined || header.content.trim() !== expectedHeader) {
    return Either.left(
      new HistoryParseError({
        line: header?.line ?? 1,
        message: `the header should be ${JSON.stringify(expectedHeader)}`
      })
    )
  }
  const decoded: Array<ManifestRow> = []
  for (const { line, content } of rows) {
    const [file, format, operations, expectedVerdict, porcupineMedianMilliseconds, ...extra] = content.split("\t")
    if (extra.length > 0)
      return Either.left(new HistoryParseError({ line, message: "a row has more than five columns" }))
    const row = decodeRow({ file, format, operations, expectedVerdict, porcupineMedianMilliseconds })
    if (Either.isLeft(row)) return Either.left(new HistoryParseError({ line, message: schemaErrorMessage(row.left) }))
    decoded.push(row.right)
  }
  return Either.right(decoded)
}
