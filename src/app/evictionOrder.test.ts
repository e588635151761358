/**
 * The eviction order against a naive model (an array, oldest first) under random touches and removals, including
 * that every older version stays exactly what it was (the replica holds these in its state).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  emptyEvictionOrder,
  keysOldestFirst,
  oldestKey,
  removeKey,
  touchKey,
  type EvictionOrder
} from "./evictionOrder.ts"

type Operation = { readonly _tag: "Touch"; readonly key: string } | { readonly _tag: "Remove"; readonly key: string }

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ _tag: fc.constant("Touch" as const), key: fc.constantFrom("a", "b", "c", "d", "e", "f") }),
  fc.record({ _tag: fc.constant("Remove" as const), key: fc.constantFrom("a", "b", "c", "d", "e", "f") })
)

/** The reference: the keys in an array, least recently touched first; every operation copies it. */
const modelStep = (keys: ReadonlyArray<string>, next: Operation): ReadonlyArray<string> => {
  const without = keys.filter((key) => key !== next.key)
  return next._tag === "Touch" ? [...without, next.key] : without
}

const orderStep = (order: EvictionOrder<string>, next: Operation): EvictionOrder<string> =>
  next._tag === "Touch" ? touchKey(order, next.key) : removeKey(order, next.key)

describe("EvictionOrder, a persistent least-recently-touched order", () => {
  it("equals the naive model after every operation, and older versions never change", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        // Arrange
        const versions: Array<{ order: EvictionOrder<string>; model: ReadonlyArray<string> }> = [
          { order: emptyEvictionOrder(), model: [] }
        ]
        // Act
        for (const next of operations) {
          const last = versions[versions.length - 1] as (typeof versions)[number]
          versions.push({ order: orderStep(last.order, next), model: modelStep(last.model, next) })
        }
        // Assert
        for (const version of versions) {
          expect(keysOldestFirst(version.order)).toEqual(version.model)
          expect(oldestKey(version.order)).toBe(version.model[0])
          expect(version.order.newest).toBe(version.model[version.model.length - 1])
          expect(version.order.links.size).toBe(version.model.length)
        }
      }),
      { numRuns: 300 }
    )
  })

  it("keeps a queue of 10,000 keys in first-touched-first-out order", () => {
    // Arrange
    let order = emptyEvictionOrder<number>()
    const evicted: Array<number> = []
    // Act
    for (let key = 0; key < 10_000; key += 1) {
      order = touchKey(order, key)
      if (order.links.size > 100) {
        const oldest = oldestKey(order) as number
        evicted.push(oldest)
        order = removeKey(order, oldest)
      }
    }
    // Assert
    expect(evicted).toEqual(Array.from({ length: 9_900 }, (_, key) => key))
    expect(keysOldestFirst(order)).toEqual(Array.from({ length: 100 }, (_, key) => 9_900 + key))
  })
})
