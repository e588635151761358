/** Helpers shared by the storage tests: building logs and locating records in them. */
import { genesisAnchor } from "./chain.ts"
import { encodeRecords, encodedLength } from "./record.ts"

export const payloadOf = (text: string): Uint8Array => new TextEncoder().encode(text)

export const encodeLog = (payloads: ReadonlyArray<Uint8Array>): Uint8Array =>
  encodeRecords(payloads, genesisAnchor).bytes

/** The offset where each record starts, plus the total length as the last element. */
export const recordBoundaries = (payloads: ReadonlyArray<Uint8Array>): ReadonlyArray<number> => {
  const boundaries = [0]
  let offset = 0
  for (const payload of payloads) {
    offset += encodedLength(payload)
    boundaries.push(offset)
  }
  return boundaries
}

/** The index of the record containing byte `offset`. */
export const recordIndexAt = (payloads: ReadonlyArray<Uint8Array>, offset: number): number => {
  const boundaries = recordBoundaries(payloads)
  for (let index = 0; index + 1 < boundaries.length; index += 1) {
    if (offset < (boundaries[index + 1] ?? 0)) return index
  }
  throw new RangeError(`offset ${offset} is past the log`)
}
