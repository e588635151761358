/**
 * The HTTP layer's parsers: bodies decoded byte for byte (a leading byte order mark kept, issue #13 F7) and every
 * numeric header read in plain decimal only (issue #13: `X-Deadline-Ms: 0x10`, `1e3`, `00100` were accepted).
 */
import * as fs from "node:fs"
import type * as http from "node:http"
import * as path from "node:path"
import { Readable } from "node:stream"
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { sessionSourceOf } from "./clientSessions.ts"
import { deadlineOf, decimalHeaderValue, HttpRefusal, maxDeadlineMs, readBodyText } from "./httpBody.ts"

const requestOf = (headers: Record<string, string>, body: Uint8Array = new Uint8Array()): http.IncomingMessage =>
  Object.assign(Readable.from([Buffer.from(body)]), { headers }) as unknown as http.IncomingMessage

/** Spellings of a number that `Number()` reads but that are not plain decimal. */
const nonDecimalForm = fc.oneof(
  fc.integer({ min: 0, max: 70_000 }).map((value) => `0x${value.toString(16)}`),
  fc.integer({ min: 0, max: 70_000 }).map((value) => `0o${value.toString(8)}`),
  fc.integer({ min: 0, max: 70_000 }).map((value) => `0b${value.toString(2)}`),
  fc.integer({ min: 1, max: 60 }).map((value) => `${value}e3`),
  fc.integer({ min: 1, max: 60_000 }).map((value) => `0${value}`),
  fc.integer({ min: 1, max: 60_000 }).map((value) => `+${value}`),
  fc.integer({ min: 1, max: 60_000 }).map((value) => `${value}.0`),
  fc.integer({ min: 1, max: 60_000 }).map((value) => `${value}\t`),
  fc.constantFrom("Infinity", "-0", "", "1_000", "١٢٣")
)

const refused = (run: () => unknown): boolean => {
  try {
    run()
    return false
  } catch (error) {
    return error instanceof HttpRefusal && error.status === 400
  }
}

describe("numeric headers", () => {
  test.prop([fc.oneof(fc.string({ maxLength: 8 }), nonDecimalForm)], { numRuns: 500 })(
    "a value is accepted exactly when it is the canonical decimal spelling of an integer in range",
    (text) => {
      const value = decimalHeaderValue(text, 1, maxDeadlineMs)
      const canonical = /^[0-9]+$/.test(text) && String(Number(text)) === text
      const inRange = Number(text) >= 1 && Number(text) <= maxDeadlineMs
      expect(value).toBe(canonical && inRange ? Number(text) : undefined)
    }
  )

  test.prop([nonDecimalForm], { numRuns: 200 })("every header parser refuses non-decimal forms", (form) => {
    expect(refused(() => deadlineOf(requestOf({ "x-deadline-ms": form })))).toBe(true)
    expect(refused(() => sessionSourceOf(requestOf({ "client-id": "c", sequence: form })))).toBe(true)
  })

  it("reads plain decimal", () => {
    expect(deadlineOf(requestOf({ "x-deadline-ms": "250" }))).toBe(250)
    expect(sessionSourceOf(requestOf({ "client-id": "c", sequence: "12" }))).toEqual({
      _tag: "Given",
      session: { clientId: "client:c", sequence: 12 }
    })
  })
})

describe("request bodies", () => {
  test.prop([fc.string({ unit: "binary", maxLength: 64 }), fc.boolean()], { numRuns: 200 })(
    "are decoded byte for byte, a leading byte order mark included",
    async (text, withBom) => {
      const bytes = Buffer.from(withBom ? `\uFEFF${text}` : text, "utf8")
      const decoded = await readBodyText(requestOf({}, bytes), 1024)
      expect(Buffer.from(decoded, "utf8")).toEqual(bytes)
    }
  )

  it("no TextDecoder in the sources (tests aside) drops a byte order mark", () => {
    const sourceRoot = path.resolve(import.meta.dirname, "../..")
    const offenders: Array<string> = []
    for (const directory of ["src", "containers", "model", "bench"]) {
      for (const file of fs.readdirSync(path.join(sourceRoot, directory), { recursive: true, encoding: "utf8" })) {
        if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue
        const text = fs.readFileSync(path.join(sourceRoot, directory, file), "utf8")
        for (const match of text.matchAll(/new TextDecoder\(([^)]*)\)/g)) {
          if (!/ignoreBOM:\s*true/.test(match[1] ?? "")) offenders.push(`${directory}/${file}: ${match[0]}`)
        }
      }
    }
    expect(offenders).toEqual([])
  })
})
