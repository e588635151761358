import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const directory = import.meta.dirname
// The simulator runs record.ts, decode.ts, memoryDisk.ts and memoryLog.ts, so a trace must not depend on when or
// where it ran. The WAL files do I/O, which is their job, but they too take no time or randomness.
const forbidden = [
  /\bDate\b/,
  /\bperformance\b/,
  /Math\.random/,
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
  /globalThis/,
  /src\/protocol|\.\.\/protocol/
]

describe("storage determinism", () => {
  it("reads no clock, no randomness, no global state, and does not depend on the protocol", async () => {
    // Arrange
    const sources = (await readdir(directory)).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    // Act
    const offenders: Array<string> = []
    for (const name of sources) {
      const text = await readFile(join(directory, name), "utf8")
      for (const pattern of forbidden) if (pattern.test(text)) offenders.push(`${name}: ${pattern}`)
    }
    // Assert
    expect(sources.length).toBeGreaterThanOrEqual(10)
    expect(offenders).toEqual([])
  })
})
