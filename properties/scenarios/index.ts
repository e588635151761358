/**
 * The scenario catalog: named schedule generators that `faultline sim --scenario` and the property suite run.
 * Each entry says which phase it belongs to, what it does, and whether it runs yet. The property-suite work
 * grows this catalog (every scenario of the seed documents); this is its first page.
 */
import type { Schedule } from "../../src/sim/schedule.ts"
import { allFaultKinds, defaultWorkload, generateSchedule, noisyProfile } from "./generate.ts"

export type ScenarioStatus = "runs" | `needs ${string}`

export interface Scenario {
  readonly name: string
  readonly phase: "safety" | "liveness" | "byzantine"
  readonly description: string
  readonly status: ScenarioStatus
  readonly schedule: (seed: number, replicas: number) => Schedule
}

export const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "baseline",
    phase: "safety",
    description: "No faults: three clients over five keys on a quiet network; every operation must complete and linearize.",
    status: "runs",
    schedule: (seed, replicas) => generateSchedule({ seed, replicas, workload: defaultWorkload, faults: [] })
  },
  {
    name: "combined",
    phase: "safety",
    description:
      "Every fault at once: a lossy, duplicating, reordering network, torn writes, and windows of crash/restart, pause, " +
      "partitions (isolate, minority, one-way), clogging, disk corruption (bit flip, misdirected, latent, torn, slow), " +
      "clock offset and drift, and forged peer messages — one faulty replica at a time.",
    status: "runs",
    schedule: (seed, replicas) =>
      generateSchedule({ seed, replicas, workload: defaultWorkload, faults: allFaultKinds, profile: noisyProfile, faultEveryMs: 1000 })
  },
  {
    name: "byzantine_forged_messages",
    phase: "byzantine",
    description:
      "Forged and malformed peer messages (inflated commit indexes, inconsistent or out-of-order batches, oversized " +
      "batches, invalid ranges, wrong terms, unknown senders, undecodable junk): all rejected and counted, invariants green.",
    status: "runs",
    schedule: (seed, replicas) =>
      generateSchedule({ seed, replicas, workload: defaultWorkload, faults: ["forge"], faultEveryMs: 200 })
  }
]

export const findScenario = (name: string): Scenario | undefined => scenarios.find((scenario) => scenario.name === name)
