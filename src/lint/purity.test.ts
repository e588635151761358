import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { scanSource } from "./purity.ts"

const root = join(import.meta.dirname, "..", "..")

const sourcesUnder = (directory: string): ReadonlyArray<string> => {
  const absolute = join(root, directory)
  let entries: ReadonlyArray<string>
  try {
    entries = readdirSync(absolute)
  } catch {
    return []
  }
  return entries.flatMap((name) => {
    const path = join(absolute, name)
    if (statSync(path).isDirectory()) return sourcesUnder(relative(root, path))
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : []
  })
}

const violations = (directories: ReadonlyArray<string>, strictness: "pure" | "deterministic") =>
  directories
    .flatMap(sourcesUnder)
    .flatMap((path) =>
      scanSource(readFileSync(path, "utf8"), strictness).map(
        (finding) => `${relative(root, path)}:${finding.line} uses ${finding.rule}: ${finding.text}`
      )
    )

describe("purity", () => {
  it("src/protocol and src/app touch no clock, randomness, timers, process or I/O", () => {
    // Arrange / Act
    const found = violations(["src/protocol", "src/app"], "pure")
    // Assert
    expect(found).toEqual([])
  })

  it("src/sim, src/storage, model and properties never read the clock or Math.random", () => {
    expect(violations(["src/sim", "model", "properties"], "deterministic")).toEqual([])
  })

  it("flags a planted clock read, random draw and I/O import", () => {
    const planted = [
      'import { readFileSync } from "node:fs"',
      "const now = Date.now()",
      "const coin = Math.random() < 0.5",
      "setTimeout(() => {}, 10)",
      "// Date.now() in a comment is fine",
      'const label = "Math.random in a string is fine"'
    ].join("\n")
    const found = scanSource(planted, "pure")
    expect(found.map((finding) => finding.line)).toEqual([1, 2, 3, 4])
  })

  it("lets a line opt out of one rule only with a reason", () => {
    const source = [
      "await new Promise((resolve) => setImmediate(resolve)) // purity: allow setImmediate — yields, changes no result",
      "await new Promise((resolve) => setImmediate(resolve)) // purity: allow setImmediate",
      "const now = Date.now() // purity: allow setImmediate — the wrong rule"
    ].join("\n")
    expect(scanSource(source, "deterministic").map((finding) => finding.line)).toEqual([2, 3])
  })
})
