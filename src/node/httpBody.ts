/**
 * Small pieces of the HTTP API: bounded body reading, JSON responses, and the request's deadline.
 */
import type * as http from "node:http"
import { Data } from "effect"

/** A request refused before it reached the replica: the status and a reason a person can act on. */
export class HttpRefusal extends Data.TaggedError("HttpRefusal")<{
  readonly status: number
  readonly reason: string
  readonly headers?: Readonly<Record<string, string>>
  /** The whole JSON body when it says more than `{ error: reason }` (see answers.ts). */
  readonly body?: Readonly<Record<string, unknown>>
}> {}

const textDecoder = new TextDecoder("utf-8", { fatal: true })

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

/** The request's deadline in milliseconds from now: the default, or the header's value within bounds. */
export const deadlineOf = (request: http.IncomingMessage): number => {
  const header = request.headers[deadlineHeader]
  if (header === undefined) return defaultDeadlineMs
  const value = Number(header)
  if (!Number.isInteger(value) || value < 1 || value > maxDeadlineMs) {
    throw new HttpRefusal({ status: 400, reason: `${deadlineHeader} should be an integer from 1 to ${maxDeadlineMs}` })
  }
  return value
}

export const sleep = (durationMs: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, durationMs))
