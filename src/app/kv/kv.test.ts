import { describe, expect, it } from "vitest"
import { applyKv, emptyKvState, readKv, type KvState } from "./apply.ts"
import { maxKeyLengthBytes, validateKvCommand, type KvCommand, type KvResult } from "./command.ts"

const run = (commands: ReadonlyArray<KvCommand>): { state: KvState; results: Array<KvResult> } => {
  let state = emptyKvState
  const results: Array<KvResult> = []
  for (const command of commands) {
    const applied = applyKv(state, command)
    state = applied.state
    results.push(applied.result)
  }
  return { state, results }
}

describe("kv", () => {
  it("PUT, GET, DELETE and CAS follow the sequential specification", () => {
    const { state, results } = run([
      { _tag: "Get", key: "k" },
      { _tag: "Put", key: "k", value: "a" },
      { _tag: "Get", key: "k" },
      { _tag: "Cas", key: "k", expected: "b", value: "c" },
      { _tag: "Cas", key: "k", expected: "a", value: "c" },
      { _tag: "Delete", key: "k" },
      { _tag: "Delete", key: "k" },
      { _tag: "Cas", key: "k", expected: null, value: "d" }
    ])
    expect(results).toEqual([
      { _tag: "NotFound" },
      { _tag: "Ok", value: null },
      { _tag: "Ok", value: "a" },
      { _tag: "CasMismatch", current: "a" },
      { _tag: "Ok", value: null },
      { _tag: "Ok", value: null },
      { _tag: "NotFound" },
      { _tag: "Ok", value: null }
    ])
    expect(readKv(state, "k")).toEqual({ _tag: "Ok", value: "d" })
  })

  it("a CAS mismatch changes nothing and reports the current value", () => {
    const { state, results } = run([{ _tag: "Cas", key: "k", expected: "x", value: "y" }])
    expect(results[0]).toEqual({ _tag: "CasMismatch", current: null })
    expect(readKv(state, "k")).toEqual({ _tag: "NotFound" })
  })

  it("refuses empty keys and keys or values over their limits, with a reason", () => {
    expect(validateKvCommand({ _tag: "Put", key: "", value: "v" })).toEqual({ _tag: "EmptyKey" })
    expect(validateKvCommand({ _tag: "Get", key: "é".repeat(maxKeyLengthBytes) })?._tag).toBe("KeyTooLong")
    expect(validateKvCommand({ _tag: "Put", key: "k", value: "v".repeat(70_000) })?._tag).toBe("ValueTooLong")
    expect(validateKvCommand({ _tag: "Put", key: "k", value: "v" })).toBeUndefined()
  })
})
