/**
 * Scenarios whose shape aims reads (zoo_stale_reads, where followerReads hides) name the replica some reads are
 * sent to, so a follower is asked; the aims are drawn after everything else, so a seed's faults and operations are
 * the schedule they were before, and scenarios that do not aim are untouched.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Step } from "../src/schedule/index.ts"
import { scheduleArbitrary } from "./arbitraries/schedule.ts"
import { findCatalogScenario, sampleSchedule, type CatalogScenario } from "./catalog.ts"

const scenario = (name: string): CatalogScenario => {
  const found = findCatalogScenario(name)
  if (found === undefined) throw new Error(`no scenario ${name}`)
  return found
}

const aimed = (steps: ReadonlyArray<Step>): ReadonlyArray<Extract<Step, { _tag: "Client" }>> =>
  steps.filter((step): step is Extract<Step, { _tag: "Client" }> => step._tag === "Client" && "replica" in step)

const withoutAims = (steps: ReadonlyArray<Step>): ReadonlyArray<Step> =>
  steps.map((step) => {
    if (step._tag !== "Client" || step.replica === undefined) return step
    const { replica: _replica, ...unaimed } = step
    return unaimed
  })

describe("aimed reads in the generated schedules", () => {
  const staleReads = scenario("zoo_stale_reads")
  const seeds = Array.from({ length: 20 }, (_, index) => index + 1)

  it("zoo_stale_reads aims some of its reads, and only reads, at replicas of the cluster", () => {
    // Act
    const schedules = seeds.map((seed) => sampleSchedule(staleReads, seed).schedule)
    // Assert
    const steps = schedules.flatMap((schedule) => aimed(schedule.steps).map((step) => ({ step, schedule })))
    expect(steps.length).toBeGreaterThan(20)
    for (const { step, schedule } of steps) {
      expect(step.op._tag).toBe("Read")
      expect(step.replica).toBeLessThan(schedule.replicas)
    }
    const reads = schedules.flatMap((schedule) =>
      schedule.steps.filter((step) => step._tag === "Client" && step.op._tag === "Read")
    )
    expect(steps.length).toBeLessThan(reads.length)
  })

  it("draws the aims last: without them a seed's schedule is the one the unaimed shape gives", () => {
    // Arrange
    const unaimedShape = { ...staleReads.shape, aimedReads: false }
    for (const seed of seeds.slice(0, 5)) {
      // Act
      const withAims = sampleSchedule(staleReads, seed).schedule
      const [plain] = fc.sample(scheduleArbitrary(unaimedShape), { seed, numRuns: 1 })
      // Assert
      expect(withoutAims(withAims.steps), `seed ${seed}`).toEqual(plain?.schedule.steps)
    }
  })

  it("aims nothing in a scenario whose shape does not ask for it", () => {
    // Act
    const schedules = seeds.map((seed) => sampleSchedule(scenario("zoo_client_retries"), seed).schedule)
    // Assert
    expect(schedules.flatMap((schedule) => aimed(schedule.steps))).toEqual([])
  })
})
