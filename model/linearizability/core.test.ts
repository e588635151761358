/**
 * Minimal cores on the Porcupine histories that are not linearizable: the core is a sub-history of the failing
 * partition, is itself not linearizable, and is 1-minimal (without any one of its operations it is linearizable).
 */
import { readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Either } from "effect"
import { describe, expect, test } from "vitest"
import { jepsenEtcdSpec, parseJepsenEtcd, parsePorcupineKv, porcupineKvSpec } from "../formats/index.ts"
import { BudgetMeter } from "./budget.ts"
import { checkOperations } from "./check.ts"
import { minimalCore } from "./core.ts"
import type { Operation } from "./history.ts"
import { searchPartition } from "./searchPartition.ts"
import type { LinearizabilitySpec } from "./spec.ts"

const dataDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "testdata/porcupine")
const read = (file: string) => readFileSync(path.join(dataDirectory, file), "utf8")

const verdictOf = <S, I, O>(spec: LinearizabilitySpec<S, I, O>, operations: ReadonlyArray<Operation<I, O>>) =>
  searchPartition(spec, operations, new BudgetMeter({ maxSteps: 1_000_000 }))._tag

const expectMinimalCore = <S, I, O>(spec: LinearizabilitySpec<S, I, O>, operations: ReadonlyArray<Operation<I, O>>) => {
  // Act
  const result = checkOperations(spec, operations, { core: true })
  // Assert
  expect(result.verdict).toBe("not linearizable")
  const ids = new Set(result.core!.map((summary) => summary.id))
  const core = operations.filter((operation) => ids.has(operation.id))
  expect(core.length).toBe(result.core!.length)
  expect(verdictOf(spec, core)).toBe("NotLinearizable")
  for (const left of core)
    expect(
      verdictOf(
        spec,
        core.filter((operation) => operation !== left)
      )
    ).toBe("Linearizable")
  expect(result.explanation!.text).toContain("A minimal core")
  return core.length
}

describe("minimal cores", () => {
  test.each(["jepsen/etcd_000.log", "jepsen/etcd_040.log", "jepsen/etcd_060.log"])("%s", (file) => {
    const parsed = parseJepsenEtcd(read(file))
    if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
    expect(expectMinimalCore(jepsenEtcdSpec, parsed.right)).toBeLessThan(10)
  })

  test.each(["kv/c01-bad.txt", "kv/c10-bad.txt"])("%s", (file) => {
    const parsed = parsePorcupineKv(read(file))
    if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
    // A key's partition only: cores never mix keys.
    const core = expectMinimalCore(porcupineKvSpec, parsed.right)
    expect(core).toBeLessThan(10)
  })

  test("a core is only taken from candidates proven to fail", () => {
    // Arrange: one impossible read among writes; with no budget for the candidate checks nothing can be removed.
    const parsed = parseJepsenEtcd(read("jepsen/etcd_000.log"))
    if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
    // Act
    const core = minimalCore(jepsenEtcdSpec, parsed.right, { maxChecks: 0 })
    // Assert
    expect(core.length).toBe(parsed.right.length)
  })
})
