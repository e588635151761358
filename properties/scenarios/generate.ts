/**
 * Schedule generation from a seed, swarm style: a scenario picks which fault kinds are on and how hard, and the
 * seeded PRNG draws the timed steps. Faults stay within what Raft must tolerate in the safety phase: one faulty
 * replica at a time (crash, pause, clock, disk), each fault window closed (restart, heal) before the next.
 */
import { attackKinds, forge } from "../../src/sim/adversary.ts"
import { SimRandom } from "../../src/schedule/random.ts"
import {
  defaultProfile,
  type ClientOperation,
  type DiskFault,
  type FaultProfile,
  type Schedule,
  type Step
} from "../../src/schedule/index.ts"

/**
 * "powerFailure" crashes every replica at once (a rack losing power): beyond the minority rule, but Raft
 * must survive it since everything acknowledged is on disk. The property suite's crash scenarios use it.
 */
export type FaultKind =
  | "crash"
  | "pause"
  | "partition"
  | "clog"
  | "corrupt"
  | "clock"
  | "forge"
  | "powerFailure"
  | "onLeader"
export const allFaultKinds: ReadonlyArray<FaultKind> = [
  "crash",
  "pause",
  "partition",
  "clog",
  "corrupt",
  "clock",
  "forge"
]

export interface Workload {
  readonly clients: number
  readonly keys: number
  readonly opsPerSecond: number
  /** When client operations start: after the first election settles. */
  readonly startMs: number
  readonly durationMs: number
}

export interface GeneratorOptions {
  readonly seed: number
  readonly replicas: number
  readonly workload: Workload
  readonly faults: ReadonlyArray<FaultKind>
  readonly profile?: FaultProfile
  /** Average gap between fault windows. */
  readonly faultEveryMs?: number
}

export const defaultWorkload: Workload = { clients: 3, keys: 5, opsPerSecond: 50, startMs: 2500, durationMs: 10_000 }

const operation = (random: SimRandom, keys: number, serial: number): ClientOperation => {
  const key = `k${random.integer(0, keys - 1)}`
  const roll = random.integer(0, 99)
  if (roll < 40) return { _tag: "Put", key, value: `v${serial}` }
  if (roll < 70) return { _tag: "Read", key }
  if (roll < 80) return { _tag: "Get", key }
  if (roll < 90) return { _tag: "Delete", key }
  return {
    _tag: "Cas",
    key,
    expected: random.chance(0.5) ? null : `v${random.integer(0, serial)}`,
    value: `v${serial}`
  }
}

export const clientSteps = (seed: number, workload: Workload): Array<Step> => {
  const random = new SimRandom(seed, "workload")
  const steps: Array<Step> = []
  const count = Math.floor((workload.durationMs * workload.opsPerSecond) / 1000)
  const gapMs = 1000 / workload.opsPerSecond
  for (let serial = 0; serial < count; serial += 1) {
    const at = workload.startMs + Math.floor(serial * gapMs)
    steps.push({ _tag: "Client", at, client: serial % workload.clients, op: operation(random, workload.keys, serial) })
  }
  return steps
}

const majorityCut = (random: SimRandom, replicas: number): Array<[number, number]> => {
  const nodes = Array.from({ length: replicas }, (_, node) => node)
  const minority = nodes.filter(() => random.chance(0.4)).slice(0, Math.floor((replicas - 1) / 2))
  const isolated = minority.length > 0 ? minority : [random.integer(0, replicas - 1)]
  const oneWay = random.chance(0.25)
  const cut: Array<[number, number]> = []
  for (const inside of isolated) {
    for (const outside of nodes.filter((node) => !isolated.includes(node))) {
      cut.push([inside, outside])
      if (!oneWay) cut.push([outside, inside])
    }
  }
  return cut
}

const faultWindow = (
  random: SimRandom,
  kind: FaultKind,
  at: number,
  replicas: number
): { steps: Array<Step>; endMs: number } => {
  const node = random.integer(0, replicas - 1)
  const lengthMs = random.integer(300, 3000)
  switch (kind) {
    case "crash":
      return {
        steps: [
          { _tag: "Crash", at, node },
          { _tag: "Restart", at: at + lengthMs, node }
        ],
        endMs: at + lengthMs
      }
    case "corrupt": {
      const fault: DiskFault = random.pick(["bitflip", "misdirected", "latent", "torn", "slow"] as const)
      const steps: Array<Step> =
        fault === "slow"
          ? [{ _tag: "Corrupt", at, node, kind: fault }]
          : [
              { _tag: "Corrupt", at, node, kind: "torn" },
              { _tag: "Crash", at: at + 1, node },
              { _tag: "Corrupt", at: at + 2, node, kind: fault },
              { _tag: "Restart", at: at + lengthMs, node }
            ]
      return { steps, endMs: at + lengthMs }
    }
    case "pause":
      return { steps: [{ _tag: "Pause", at, node, forMs: lengthMs }], endMs: at + lengthMs }
    case "partition":
      return {
        steps: [
          { _tag: "Partition", at, cut: majorityCut(random, replicas) },
          { _tag: "Heal", at: at + lengthMs }
        ],
        endMs: at + lengthMs
      }
    case "clog": {
      const to = (node + random.integer(1, Math.max(1, replicas - 1))) % replicas
      return { steps: to === node ? [] : [{ _tag: "Clog", at, from: node, to, forMs: lengthMs }], endMs: at + lengthMs }
    }
    case "clock": {
      const step: Step = {
        _tag: "Clock",
        at,
        node,
        offsetMs: random.integer(-5000, 5000),
        driftPpm: random.integer(-100_000, 100_000)
      }
      return {
        steps: [step, { _tag: "Clock", at: at + lengthMs, node, offsetMs: 0, driftPpm: 0 }],
        endMs: at + lengthMs
      }
    }
    case "powerFailure": {
      const nodes = Array.from({ length: replicas }, (_, each) => each)
      const steps: Array<Step> = [
        ...nodes.map((each): Step => ({ _tag: "Crash", at, node: each })),
        ...nodes.map((each): Step => ({ _tag: "Restart", at: at + lengthMs + each, node: each }))
      ]
      return { steps, endMs: at + lengthMs + replicas }
    }
    case "onLeader": {
      const step: Step = {
        _tag: "OnLeader",
        at,
        until: at + lengthMs,
        action: random.chance(0.5) ? "crash" : "isolate",
        afterMs: random.integer(0, 50),
        forMs: lengthMs,
        times: random.integer(1, 3)
      }
      return { steps: [step], endMs: at + lengthMs * 2 }
    }
    case "forge": {
      const steps: Array<Step> = []
      for (let count = random.integer(1, 5); count > 0; count -= 1) {
        const forgery = forge(random.pick(attackKinds), random, node, replicas, 64)
        steps.push({ _tag: "Forge", at: at + count, from: forgery.from, to: node, message: forgery.message })
      }
      return { steps, endMs: at + 10 }
    }
  }
}

export const faultSteps = (options: GeneratorOptions): Array<Step> => {
  if (options.faults.length === 0) return []
  const random = new SimRandom(options.seed, "faults")
  const steps: Array<Step> = []
  const everyMs = options.faultEveryMs ?? 1500
  const endMs = options.workload.startMs + options.workload.durationMs
  let at = options.workload.startMs + random.integer(0, everyMs)
  // Bounded: each window moves time forward by at least a millisecond.
  for (let window = 0; window < 10_000 && at < endMs; window += 1) {
    const fault = faultWindow(random, random.pick(options.faults), at, options.replicas)
    steps.push(...fault.steps)
    at = fault.endMs + random.integer(1, everyMs)
  }
  return steps
}

export const generateSchedule = (options: GeneratorOptions): Schedule => {
  const steps = [...clientSteps(options.seed, options.workload), ...faultSteps(options)]
  steps.sort((left, right) => left.at - right.at)
  return {
    version: 1,
    replicas: options.replicas,
    seed: options.seed,
    profile: options.profile ?? defaultProfile,
    limits: { simulatedMs: options.workload.startMs + options.workload.durationMs + 60_000, events: 5_000_000 },
    steps
  }
}

export const noisyProfile: FaultProfile = {
  network: {
    delayMinMs: 1,
    delayMaxMs: 20,
    lossProbability: 0.02,
    duplicateProbability: 0.02,
    reorderProbability: 0.05,
    reorderDelayMaxMs: 50
  },
  disk: { fsyncMinMs: 1, fsyncMaxMs: 10, tornWriteProbability: 0.3 },
  clients: defaultProfile.clients
}
