/**
 * The simulator runs the node's host (src/host): simulated clients' requests that arrive together reach the
 * leader as one ClientRequests input, commands wait while the leader's own write is in flight, and the leader
 * writes a batch's entries in one Persist and one storage write (group commit). Counted from every step the
 * simulator observed, in a run with no faults and a disk slow enough that writes overlap requests.
 */
import { describe, expect, it } from "vitest"
import type { Input, Output } from "../protocol/io.ts"
import { defaultProfile, scheduleVersion, type Schedule, type Step } from "../schedule/index.ts"
import type { SimObserver } from "./observer.ts"
import { runSchedule } from "./run.ts"

const clients = 12

/** Twelve clients each writing at the same instant, three times, once a leader has been elected. */
const burstSchedule = (seed: number): Schedule => {
  const steps: Array<Step> = []
  for (let round = 0; round < 3; round += 1)
    for (let client = 0; client < clients; client += 1)
      steps.push({
        _tag: "Client",
        at: 2_000 + round * 500,
        client,
        op: { _tag: "Put", key: `k${client % 3}`, value: `v${round}-${client}` }
      })
  return {
    version: scheduleVersion,
    replicas: 3,
    seed,
    profile: { ...defaultProfile, disk: { fsyncMinMs: 5, fsyncMaxMs: 8, tornWriteProbability: 0 } },
    limits: { simulatedMs: 60_000, events: 1_000_000 },
    steps
  }
}

interface Seen {
  readonly batches: Array<number>
  readonly leaderPersistEntries: Array<number>
}

const watch = (seen: Seen): SimObserver => ({
  name: "batches",
  afterStep: ({ input, after, outputs }) => {
    const requests = (input: Input): number =>
      input._tag === "ClientRequests" ? input.requests.length : input._tag === "ClientRequest" ? 1 : 0
    if (requests(input) > 0) seen.batches.push(requests(input))
    if (after.role === "leader")
      for (const output of outputs as ReadonlyArray<Output>)
        if (output._tag === "Persist" && output.append.length > 0 && requests(input) > 0)
          seen.leaderPersistEntries.push(output.append.length)
    return []
  }
})

describe("the simulator runs the node's host", () => {
  it("hands concurrent client requests to the leader as one ClientRequests input, written in one Persist", () => {
    const seen: Seen = { batches: [], leaderPersistEntries: [] }
    const result = runSchedule(burstSchedule(11), { observers: [watch(seen)] })
    expect(result.violations).toEqual([])
    const acknowledged = result.history.filter((event) => event._tag === "Ok").length
    expect(acknowledged).toBe(3 * clients)
    // Every write was handed over in batches: more requests than inputs, and some input carried several.
    const handed = seen.batches.reduce((sum, size) => sum + size, 0)
    expect(handed).toBeGreaterThanOrEqual(3 * clients)
    expect(seen.batches.length).toBeLessThan(handed)
    expect(Math.max(...seen.batches)).toBeGreaterThan(1)
    // The leader appended a batch's commands in one Persist.
    expect(Math.max(...seen.leaderPersistEntries)).toBeGreaterThan(1)
  })

  it("is deterministic with the host in the loop: same schedule, same hash and counters", () => {
    const first = runSchedule(burstSchedule(5))
    const second = runSchedule(burstSchedule(5))
    expect(second.traceHash).toBe(first.traceHash)
    expect(second.counters).toEqual(first.counters)
  })
})
