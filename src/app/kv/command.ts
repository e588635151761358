/**
 * The replicated key-value application's commands and results. Every command that crosses a boundary (an
 * HTTP body, a log entry carried in a peer message, a record on disk) is decoded with these Schemas first and
 * then checked semantically by `validateKvCommand`.
 */
import { Schema } from "effect"

export const maxKeyLengthBytes = 256
export const maxValueLengthBytes = 64 * 1024

export const Put = Schema.TaggedStruct("Put", { key: Schema.String, value: Schema.String })
export const Get = Schema.TaggedStruct("Get", { key: Schema.String })
export const Delete = Schema.TaggedStruct("Delete", { key: Schema.String })
export const Cas = Schema.TaggedStruct("Cas", {
  key: Schema.String,
  expected: Schema.NullOr(Schema.String),
  value: Schema.String
})

export const KvCommand = Schema.Union(Put, Get, Delete, Cas)
export type KvCommand = typeof KvCommand.Type

export const KvOk = Schema.TaggedStruct("Ok", { value: Schema.NullOr(Schema.String) })
export const KvNotFound = Schema.TaggedStruct("NotFound", {})
export const KvCasMismatch = Schema.TaggedStruct("CasMismatch", { current: Schema.NullOr(Schema.String) })
export const KvResult = Schema.Union(KvOk, KvNotFound, KvCasMismatch)
export type KvResult = typeof KvResult.Type

/** Why a command was refused before it reached the log. */
export type KvRejection =
  | { readonly _tag: "EmptyKey" }
  | { readonly _tag: "KeyTooLong"; readonly lengthBytes: number; readonly maxBytes: number }
  | { readonly _tag: "ValueTooLong"; readonly lengthBytes: number; readonly maxBytes: number }

export const describeKvRejection = (rejection: KvRejection): string => {
  switch (rejection._tag) {
    case "EmptyKey":
      return "the key is empty"
    case "KeyTooLong":
      return `the key is ${rejection.lengthBytes} bytes, over the limit of ${rejection.maxBytes}`
    case "ValueTooLong":
      return `the value is ${rejection.lengthBytes} bytes, over the limit of ${rejection.maxBytes}`
  }
}

const utf8LengthBytes = (text: string): number => {
  // Counts UTF-8 bytes without an encoder so that the pure core needs no platform API.
  let length = 0
  for (let position = 0; position < text.length; position += 1) {
    const code = text.charCodeAt(position)
    if (code < 0x80) length += 1
    else if (code < 0x800) length += 2
    else if (code >= 0xd800 && code <= 0xdbff) {
      length += 4
      position += 1
    } else length += 3
  }
  return length
}

/** Semantic checks after Schema decoding: keys non-empty and bounded, values bounded. */
export const validateKvCommand = (command: KvCommand): KvRejection | undefined => {
  if (command.key.length === 0) return { _tag: "EmptyKey" }
  const keyLengthBytes = utf8LengthBytes(command.key)
  if (keyLengthBytes > maxKeyLengthBytes) {
    return { _tag: "KeyTooLong", lengthBytes: keyLengthBytes, maxBytes: maxKeyLengthBytes }
  }
  if (command._tag === "Put" || command._tag === "Cas") {
    const valueLengthBytes = utf8LengthBytes(command.value)
    if (valueLengthBytes > maxValueLengthBytes) {
      return { _tag: "ValueTooLong", lengthBytes: valueLengthBytes, maxBytes: maxValueLengthBytes }
    }
  }
  return undefined
}
