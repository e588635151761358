/**
 * The exact number of UTF-8 bytes `JSON.stringify(value)` takes, computed without building the text. Hosts carry
 * entries as JSON (peer frames, WAL records); the replica bounds AppendEntries and proposals by this size, so a
 * batch it sends always fits the transport's frame and an entry it appends always fits a WAL record (issue 13, F2:
 * 64 entries of 64 KiB control-byte values are 25 MB of JSON, and a frame over 8 MiB was dropped on every retry).
 * Pure and deterministic: the same value has the same size on every replica.
 */

/** JSON.stringify's escaping: `"` and `\` and \b \f \n \r \t take two bytes, other controls and lone surrogates six. */
const stringSizeBytes = (text: string): number => {
  let size = 2
  for (let position = 0; position < text.length; position += 1) {
    const code = text.charCodeAt(position)
    if (code >= 0x20 && code < 0x7f) size += code === 0x22 || code === 0x5c ? 2 : 1
    else if (code < 0x20)
      size += code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 2 : 6
    else if (code < 0x800) size += code === 0x7f ? 1 : 2
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(position + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        size += 4
        position += 1
      } else size += 6
    } else if (code >= 0xdc00 && code <= 0xdfff) size += 6
    else size += 3
  }
  return size
}

/** Objects nest a few levels deep in an entry; the bound keeps a hostile value from recursing without end. */
const maxDepth = 32

const sizeAt = (value: unknown, depth: number): number | undefined => {
  if (depth > maxDepth) throw new RangeError(`a value nested deeper than ${maxDepth} levels`)
  switch (typeof value) {
    case "string":
      return stringSizeBytes(value)
    case "number":
      return Number.isFinite(value) ? String(value).length : 4
    case "boolean":
      return value ? 4 : 5
    case "undefined":
    case "function":
    case "symbol":
      return undefined
    case "bigint":
      throw new TypeError("a bigint has no JSON form")
    case "object":
      if (value === null) return 4
      if (Array.isArray(value)) {
        let size = 2 + Math.max(0, value.length - 1)
        for (const element of value) size += sizeAt(element, depth + 1) ?? 4
        return size
      }
      return objectSizeBytes(value as Record<string, unknown>, depth)
  }
}

const objectSizeBytes = (value: Record<string, unknown>, depth: number): number => {
  let size = 2
  let fields = 0
  for (const key of Object.keys(value)) {
    const fieldSize = sizeAt(value[key], depth + 1)
    if (fieldSize === undefined) continue
    size += stringSizeBytes(key) + 1 + fieldSize
    fields += 1
  }
  return size + Math.max(0, fields - 1)
}

/** The UTF-8 byte length of JSON.stringify(value) for plain data (no toJSON, no cycles). */
export const jsonSizeBytes = (value: unknown): number => sizeAt(value, 0) ?? 0
