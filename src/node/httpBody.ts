/**
 * Small pieces of the HTTP API: bounded body reading, JSON responses, and the request's deadline.
 */
import type * as http from "node:http"
import { Data, Either, Schema } from "effect"
import { decodeUnknownEitherTotal, describeParseError } from "../schemaIssue.ts"
import { parseStrictJson } from "./strictJson.ts"

/** A request refused before it reached the replica: the status and a reason a person can act on. */
export class HttpRefusal extends Data.TaggedError("HttpRefusal")<{
  readonly status: number
  readonly reason: string
  readonly headers?: Readonly<Record<string, string>>
  /** The whole JSON body when it says more than `{ error: reason }` (see answers.ts). */
  readonly body?: Readonly<Record<string, unknown>>
}> {}

/**
 * `ignoreBOM`: by default a TextDecoder drops a leading U+FEFF, so a value that begins with a byte order mark was
 * stored without it (issue #13, F7). A body is data, stored byte for byte.
 */
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** Reads the body as UTF-8 text, refusing with 413 as soon as it passes `maxBytes` (without buffering the rest). */
export const readBodyText = (request: http.IncomingMessage, maxBytes: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? "0")
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new HttpRefusal({ status: 413, reason: `the body is ${declared} bytes, over the limit of ${maxBytes}` }))
      return
    }
    const chunks: Array<Buffer> = []
    let receivedBytes = 0
    request.on("data", (chunk: Buffer) => {
      receivedBytes += chunk.length
      if (receivedBytes > maxBytes) {
        request.removeAllListeners("data")
        reject(new HttpRefusal({ status: 413, reason: `the body is over the limit of ${maxBytes} bytes` }))
        return
      }
      chunks.push(chunk)
    })
    request.on("end", () => {
      try {
        resolve(textDecoder.decode(Buffer.concat(chunks)))
      } catch {
        reject(new HttpRefusal({ status: 400, reason: "the body is not valid UTF-8" }))
      }
    })
    request.on("error", (error) => reject(error))
  })

export const sendJson = (
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {}
): void => {
  if (response.headersSent) return
  const text = JSON.stringify(body)
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers
  })
  response.end(text)
}

export const defaultDeadlineMs = 5_000
export const maxDeadlineMs = 60_000
export const deadlineHeader = "x-deadline-ms"

/**
 * A numeric header in plain decimal: digits only, no sign, no leading zero, within [min, max]. `Number(text)` also
 * reads "0x10", "1e3", " 7", "0b1" and "00100" (issue #13), forms no client means as a plain number.
 */
export const decimalHeaderValue = (text: string, min: number, max: number): number | undefined => {
  if (!/^(?:0|[1-9][0-9]{0,14})$/.test(text)) return undefined
  const value = Number(text)
  return value >= min && value <= max ? value : undefined
}

/** The request's deadline in milliseconds from now: the default, or the header's value within bounds. */
export const deadlineOf = (request: http.IncomingMessage): number => {
  const header = request.headers[deadlineHeader]
  if (header === undefined) return defaultDeadlineMs
  const value = typeof header === "string" ? decimalHeaderValue(header, 1, maxDeadlineMs) : undefined
  if (value === undefined) {
    throw new HttpRefusal({
      status: 400,
      reason: `${deadlineHeader} should be a plain decimal integer from 1 to ${maxDeadlineMs}`
    })
  }
  return value
}

/**
 * Decodes a JSON body with its Schema after a strict parse (a key named twice in one object is refused, not
 * resolved to its last value). `shape` says in the 400's reason what the body should look like.
 */
export const decodeJsonBody = <A, I>(text: string, schema: Schema.Schema<A, I>, shape: string): A => {
  const parsed = parseStrictJson(text)
  if (parsed._tag === "Invalid")
    throw new HttpRefusal({ status: 400, reason: `the body should be ${shape}: ${parsed.reason}` })
  const decoded = decodeUnknownEitherTotal(schema)(parsed.value)
  if (Either.isLeft(decoded)) {
    throw new HttpRefusal({ status: 400, reason: `the body should be ${shape}: ${describeParseError(decoded.left)}` })
  }
  return decoded.right
}

export const sleep = (durationMs: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, durationMs))
