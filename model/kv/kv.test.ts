import { describe, expect, test } from "vitest"
import { applyKv, emptyKvStore, type KvCommand, type KvResult, type KvStore } from "./kv.ts"

const run = (commands: ReadonlyArray<KvCommand>): { store: KvStore; results: Array<KvResult> } => {
  let store = emptyKvStore
  const results: Array<KvResult> = []
  for (const command of commands) {
    const step = applyKv(store, command)
    store = step.store
    results.push(step.result)
  }
  return { store, results }
}

describe("the sequential kv store", () => {
  test("put then get returns the value; put itself answers ok with no value", () => {
    const { results } = run([
      { _tag: "Put", key: "a", value: "1" },
      { _tag: "Get", key: "a" }
    ])
    expect(results).toEqual([
      { _tag: "Ok", value: null },
      { _tag: "Ok", value: "1" }
    ])
  })

  test("get and delete of an absent key are not found", () => {
    const { results } = run([
      { _tag: "Get", key: "a" },
      { _tag: "Delete", key: "a" }
    ])
    expect(results).toEqual([{ _tag: "NotFound" }, { _tag: "NotFound" }])
  })

  test("delete removes a present key", () => {
    const { store, results } = run([
      { _tag: "Put", key: "a", value: "1" },
      { _tag: "Delete", key: "a" },
      { _tag: "Get", key: "a" }
    ])
    expect(results).toEqual([{ _tag: "Ok", value: null }, { _tag: "Ok", value: null }, { _tag: "NotFound" }])
    expect(store.size).toBe(0)
  })

  test("cas with expected null succeeds only on an absent key", () => {
    const { store, results } = run([
      { _tag: "Cas", key: "a", expected: null, value: "1" },
      { _tag: "Cas", key: "a", expected: null, value: "2" }
    ])
    expect(results).toEqual([
      { _tag: "Ok", value: null },
      { _tag: "CasMismatch", current: "1" }
    ])
    expect(store.get("a")).toBe("1")
  })

  test("cas swaps when the current value matches and reports the current value when not", () => {
    const { store, results } = run([
      { _tag: "Put", key: "a", value: "1" },
      { _tag: "Cas", key: "a", expected: "1", value: "2" },
      { _tag: "Cas", key: "a", expected: "1", value: "3" }
    ])
    expect(results.slice(1)).toEqual([
      { _tag: "Ok", value: null },
      { _tag: "CasMismatch", current: "2" }
    ])
    expect(store.get("a")).toBe("2")
  })

  test("commands never mutate the store they are given", () => {
    const before = applyKv(emptyKvStore, { _tag: "Put", key: "a", value: "1" }).store
    applyKv(before, { _tag: "Put", key: "a", value: "2" })
    applyKv(before, { _tag: "Delete", key: "a" })
    expect(before.get("a")).toBe("1")
  })
})
