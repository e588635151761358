import { describe, expect, it } from "vitest"
import { bugCatalog, bugNames, isBugName } from "./bugs.ts"
import { makeReplicaConfig } from "./config.ts"

describe("the bug zoo catalog", () => {
  it("names at least twenty distinct bugs, each with the invariant it should break and its origin", () => {
    expect(new Set(bugNames).size).toBe(bugCatalog.length)
    expect(bugCatalog.length).toBeGreaterThanOrEqual(20)
    for (const entry of bugCatalog) {
      expect(entry.description.length).toBeGreaterThan(10)
      expect(entry.invariant).toMatch(/^[a-z_]+$/)
      expect(entry.origin.length).toBeGreaterThan(3)
    }
  })

  it("is inert unless a test names a bug", () => {
    expect(makeReplicaConfig({ id: 1, voters: [1, 2, 3] }).bugs.size).toBe(0)
    expect(isBugName("commitOldTermByCounting")).toBe(true)
    expect(isBugName("notABug")).toBe(false)
  })
})
