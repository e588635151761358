/**
 * The bug zoo's catalog lives in src/protocol, which may not import model/, so its invariant names are plain
 * strings there; this test holds them to model/'s closed union, as the compiler holds every judge to it.
 */
import { describe, expect, it } from "vitest"
import { invariantNames } from "../model/invariants/names.ts"
import { bugCatalog } from "../src/protocol/bugs.ts"

describe("one set of invariant names", () => {
  it("every planted bug names an invariant of model/invariants/names.ts", () => {
    // Arrange
    const known = new Set<string>(invariantNames)
    // Act
    const unknown = bugCatalog.flatMap((bug) => (known.has(bug.invariant) ? [] : [`${bug.name}: ${bug.invariant}`]))
    // Assert
    expect(unknown).toEqual([])
  })
})
