/**
 * External validation: every Porcupine history kept in model/linearizability/testdata/porcupine (Porcupine's test
 * data and Jepsen etcd runs, copied into the repository with their licence) must get the verdict Porcupine's own
 * tests assert for it.
 */
import { existsSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Either } from "effect"
import { describe, expect, test } from "vitest"
import { parseHistory, parseManifest } from "./index.ts"

const testdata = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../linearizability/testdata")
const dataDirectory = path.join(testdata, "porcupine")
/** Crash-heavy histories recorded from a SIGKILLed cluster (see its README); Porcupine agrees on their verdicts. */
const crashDirectory = path.join(testdata, "crash")

const loadManifest = (directory = dataDirectory) => {
  const dataDirectory = directory
  if (!existsSync(path.join(dataDirectory, "manifest.tsv"))) {
    throw new Error(`the Porcupine histories are missing: expected ${dataDirectory}/manifest.tsv`)
  }
  const manifest = parseManifest(readFileSync(path.join(dataDirectory, "manifest.tsv"), "utf8"))
  if (Either.isLeft(manifest)) throw new Error(`manifest.tsv line ${manifest.left.line}: ${manifest.left.message}`)
  return manifest.right
}

describe("the Porcupine histories", () => {
  const manifest = loadManifest()

  test("the manifest lists both formats", () => {
    expect(manifest.some((row) => row.format === "jepsen-etcd")).toBe(true)
    expect(manifest.some((row) => row.format === "porcupine-kv")).toBe(true)
  })

  test.each(manifest)("$file is $expectedVerdict", (row) => {
    // Arrange
    const parsed = parseHistory(row.format, readFileSync(path.join(dataDirectory, row.file), "utf8"))
    if (Either.isLeft(parsed)) throw new Error(`${row.file} line ${parsed.left.line}: ${parsed.left.message}`)
    // Act: a generous step budget, so that a regression shows as "unknown" rather than a hung test.
    const result = parsed.right.check({ budget: { maxSteps: 20_000_000 } })
    // Assert
    expect(parsed.right.operations).toBe(row.operations)
    expect(result.verdict).toBe(row.expectedVerdict)
    expect(result.explanation === null).toBe(row.expectedVerdict !== "not linearizable")
  })
})

describe("the crash-heavy histories recorded from a real cluster", () => {
  test.each(loadManifest(crashDirectory))("$file is $expectedVerdict", (row) => {
    // Arrange
    const parsed = parseHistory(row.format, readFileSync(path.join(crashDirectory, row.file), "utf8"))
    if (Either.isLeft(parsed)) throw new Error(`${row.file} line ${parsed.left.line}: ${parsed.left.message}`)
    // Act
    const result = parsed.right.check({ budget: { maxSteps: 20_000_000 } })
    // Assert
    expect(parsed.right.operations).toBe(row.operations)
    expect(result.verdict).toBe(row.expectedVerdict)
  })
})
