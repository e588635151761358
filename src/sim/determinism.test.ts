/**
 * Same schedule, same trace hash, byte for byte; a changed step changes it.
 */
import { describe, expect, it } from "vitest"
import { allFaultKinds, generateSchedule, noisyProfile } from "../../properties/scenarios/generate.ts"
import { runSchedule } from "./run.ts"
import type { Schedule } from "../schedule/index.ts"

const shortWorkload = { clients: 2, keys: 3, opsPerSecond: 20, startMs: 2000, durationMs: 2000 }

const generated = (seed: number): Schedule =>
  generateSchedule({
    seed,
    replicas: 1 + (seed % 5),
    workload: shortWorkload,
    faults: seed % 2 === 0 ? allFaultKinds : [],
    profile: noisyProfile,
    faultEveryMs: 400
  })

describe("determinism", () => {
  it("runs 50 generated schedules twice each with identical trace hashes", () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const schedule = generated(seed)
      const first = runSchedule(schedule, { checkLinearizability: false })
      const second = runSchedule(schedule, { checkLinearizability: false })
      expect(second.traceHash, `seed ${seed}`).toBe(first.traceHash)
      expect(second.counters, `seed ${seed}`).toEqual(first.counters)
      expect(first.violations, `seed ${seed}`).toEqual([])
      expect(first.traceLines).toBeGreaterThan(0)
    }
  })

  it("changes the hash when one step changes", () => {
    const schedule = generated(7)
    const steps = [...schedule.steps]
    const position = steps.findIndex((step) => step._tag === "Client")
    const original = steps[position]
    if (original?._tag !== "Client") throw new Error("the generated schedule has a client step")
    steps[position] = { ...original, op: { _tag: "Put", key: "k0", value: "changed" } }
    const changed = runSchedule({ ...schedule, steps }, { checkLinearizability: false })
    const same = runSchedule(schedule, { checkLinearizability: false })
    expect(changed.traceHash).not.toBe(same.traceHash)
    const moved = [...schedule.steps]
    moved[position] = { ...original, at: original.at + 1 }
    expect(runSchedule({ ...schedule, steps: moved }, { checkLinearizability: false }).traceHash).not.toBe(
      same.traceHash
    )
  })
})
