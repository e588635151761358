/**
 * A step writes its next state in place (a draft copied from the input state), so it must never write through
 * to the input: every state a host keeps — the simulator's `before`, an observer's snapshot — stays what it
 * was. Each state the replicas produce is deep-frozen here before it is stepped again; a write into it throws
 * in strict mode, which the simulator reports as the replica's defect.
 */
import { isImmutable } from "immutable"
import { describe, expect, it } from "vitest"
import { allFaultKinds, generateSchedule, noisyProfile } from "../../properties/scenarios/generate.ts"
import type { ReplicaState } from "../protocol/state.ts"
import { runSchedule } from "./run.ts"

const deepFreeze = (value: unknown, seen: Set<object>): void => {
  if (typeof value !== "object" || value === null || seen.has(value)) return
  seen.add(value)
  // Persistent maps are immutable already; the log's backing array is shared on purpose (log.ts: an append
  // to the newest version extends it past every older version's view).
  if (isImmutable(value)) return
  for (const [key, field] of Object.entries(value))
    if (key !== "backing" && key !== "backingSizes") deepFreeze(field, seen)
  Object.freeze(value)
}

const frozenStates = {
  name: "freeze",
  afterStep: (observation: { readonly after: ReplicaState }) => (deepFreeze(observation.after, new Set()), [])
}

describe("a step never writes to its input state", () => {
  it("runs faulty schedules with every state frozen once produced", () => {
    for (let seed = 1; seed <= 12; seed += 1) {
      const schedule = generateSchedule({
        seed,
        replicas: 3 + (seed % 3),
        workload: { clients: 3, keys: 3, opsPerSecond: 40, startMs: 1500, durationMs: 3000 },
        faults: seed % 3 === 0 ? [] : allFaultKinds,
        profile: noisyProfile,
        faultEveryMs: 300
      })
      const plain = runSchedule(schedule, { checkLinearizability: false })
      const frozen = runSchedule(schedule, { checkLinearizability: false, observers: [frozenStates] })
      expect(frozen.violations, `seed ${seed}`).toEqual([])
      expect(frozen.traceHash, `seed ${seed}`).toBe(plain.traceHash)
      expect(frozen.counters.replicaSteps, `seed ${seed}`).toBeGreaterThan(100)
    }
  })
})
