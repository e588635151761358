/**
 * Minimal cores: for a history that is not linearizable, a small sub-history that still is not, found by delta
 * debugging (Zeller & Hildebrandt, ddmin) first over clients (every operation of a process goes or stays
 * together), then over single operations. The failing partition is the starting point, so keys are reduced
 * first. Every candidate is checked with a bounded search; a candidate whose check runs out of budget counts as
 * "not shown to fail" and is not taken, so the core is always a proven failure, at worst a larger one.
 */
import { BudgetMeter } from "./budget.ts"
import type { Operation } from "./history.ts"
import { searchPartition } from "./searchPartition.ts"
import type { LinearizabilitySpec } from "./spec.ts"

export interface CoreOptions {
  /** Search steps allowed for each candidate check. */
  readonly stepsPerCheck?: number
  /** Candidate checks allowed in all. */
  readonly maxChecks?: number
}

/** ddmin over `units`: the smallest sublist found for which `fails` holds (`fails(units)` must hold). */
const deltaDebug = <A>(units: ReadonlyArray<A>, fails: (candidate: ReadonlyArray<A>) => boolean): ReadonlyArray<A> => {
  let current = units
  let chunks = 2
  while (current.length >= 2) {
    const size = Math.ceil(current.length / chunks)
    let reduced = false
    for (let start = 0; start < current.length; start += size) {
      const complement = [...current.slice(0, start), ...current.slice(start + size)]
      if (complement.length > 0 && fails(complement)) {
        current = complement
        chunks = Math.max(chunks - 1, 2)
        reduced = true
        break
      }
    }
    if (reduced) continue
    if (chunks >= current.length) break
    chunks = Math.min(chunks * 2, current.length)
  }
  return current
}

export const minimalCore = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  options: CoreOptions = {}
): ReadonlyArray<Operation<Input, Output>> => {
  const stepsPerCheck = options.stepsPerCheck ?? 200_000
  let checksLeft = options.maxChecks ?? 5_000
  const fails = (candidate: ReadonlyArray<Operation<Input, Output>>): boolean => {
    if (checksLeft <= 0) return false
    checksLeft--
    return searchPartition(spec, candidate, new BudgetMeter({ maxSteps: stepsPerCheck }))._tag === "NotLinearizable"
  }
  const processes = [...new Set(operations.map((operation) => operation.process))]
  const keptProcesses = new Set(
    deltaDebug(processes, (kept) => {
      const set = new Set(kept)
      return fails(operations.filter((operation) => set.has(operation.process)))
    })
  )
  const byClient = operations.filter((operation) => keptProcesses.has(operation.process))
  return deltaDebug(byClient, fails)
}
