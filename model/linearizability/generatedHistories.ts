/**
 * Histories made by running the sequential kv spec under a random interleaving: every operation takes effect at
 * one instant between its invocation and its completion, so the history is linearizable by construction. Used
 * by the checker's property tests.
 */
import { applyKv, emptyKvStore, type KvCommand, type KvResult, type KvStore } from "../kv/kv.ts"
import type { HistoryEvent } from "./history.ts"
import type { Settlement } from "./settle.ts"

/** What happens to an operation after it is invoked. */
export type Fate = "completes" | "times-out-after-effect" | "times-out-before-effect" | "fails"

export interface PlannedOperation {
  readonly process: number
  readonly command: KvCommand
  readonly fate: Fate
}

interface InFlight {
  /** The operation's id: the position of its invocation among the history's invocations. */
  readonly id: number
  readonly command: KvCommand
  readonly fate: Fate
  result: KvResult | undefined
}

export interface GeneratedHistory {
  readonly events: ReadonlyArray<HistoryEvent<KvCommand, KvResult>>
  readonly finalStore: KvStore
  /**
   * The ground truth for every operation that timed out, by operation id: applied (with its result and the time
   * it took effect) or not — what a simulator learns from the replicas' applied logs.
   */
  readonly truth: ReadonlyMap<number, Settlement<KvResult>>
}

/**
 * `schedule` is a list of process numbers: each names the process that moves next (invoke its next planned
 * operation, make its pending operation take effect, or complete it). Leftovers are finished in order.
 */
export const runPlannedHistory = (
  plan: ReadonlyArray<PlannedOperation>,
  schedule: ReadonlyArray<number>
): GeneratedHistory => {
  const queues = new Map<number, Array<PlannedOperation>>()
  for (const operation of plan) queues.set(operation.process, [...(queues.get(operation.process) ?? []), operation])
  const inFlight = new Map<number, InFlight>()
  const events: Array<HistoryEvent<KvCommand, KvResult>> = []
  const truth = new Map<number, Settlement<KvResult>>()
  let invocations = 0
  let store = emptyKvStore
  const advance = (process: number): void => {
    const current = inFlight.get(process)
    if (current === undefined) {
      const next = queues.get(process)?.shift()
      if (next === undefined) return
      inFlight.set(process, { id: invocations++, command: next.command, fate: next.fate, result: undefined })
      events.push({ _tag: "Invoke", process, atTime: events.length, input: next.command })
      return
    }
    const takesEffect = current.fate === "completes" || current.fate === "times-out-after-effect"
    if (current.result === undefined && takesEffect) {
      const step = applyKv(store, current.command)
      store = step.store
      current.result = step.result
      if (current.fate === "times-out-after-effect")
        truth.set(current.id, { _tag: "Applied", output: step.result, atTime: events.length })
      return
    }
    inFlight.delete(process)
    if (current.fate === "completes")
      events.push({ _tag: "Ok", process, atTime: events.length, output: current.result! })
    else if (current.fate === "fails") events.push({ _tag: "Fail", process, atTime: events.length })
    else {
      if (current.fate === "times-out-before-effect") truth.set(current.id, { _tag: "NotApplied" })
      events.push({ _tag: "Unknown", process, atTime: events.length })
    }
  }
  for (const process of schedule) advance(process)
  // Drain: every process finishes its plan, one step at a time.
  for (let moved = true; moved; ) {
    moved = false
    for (const process of [...new Set(plan.map((operation) => operation.process))]) {
      if (inFlight.has(process) || (queues.get(process)?.length ?? 0) > 0) {
        advance(process)
        moved = true
      }
    }
  }
  return { events, finalStore: store, truth }
}
