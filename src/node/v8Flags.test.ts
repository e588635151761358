import { execFileSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { serveV8Flags, servingV8Flags } from "./v8Flags.ts"

describe("the V8 flags serve starts with", () => {
  it("returns a node started with the start-up budget to V8's own once it serves, and leaves others alone", () => {
    // Arrange
    const started = ["--max-old-space-size=512", ...serveV8Flags, "--snapshot-blob", "dist/serve.blob"]
    // Act
    const serving = servingV8Flags(started)
    // Assert
    expect(serveV8Flags.some((flag) => flag.startsWith("--interrupt-budget="))).toBe(true)
    expect(serving).toMatch(/^--interrupt-budget=\d+$/)
    expect(serveV8Flags).not.toContain(serving)
    expect(servingV8Flags([])).toBeUndefined()
    expect(servingV8Flags(["--interrupt-budget=1000"])).toBeUndefined()
  })

  it("restores exactly the budget this Node's V8 has by default", () => {
    // Arrange
    const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8", maxBuffer: 16 << 20 })
    // Act
    const byDefault = /default: (--interrupt-budget=\d+)/.exec(options)?.[1]
    // Assert
    expect(byDefault).toBeDefined()
    expect(servingV8Flags(serveV8Flags)).toBe(byDefault)
  })
})
