/**
 * Schedules as fast-check values. A raw schedule is a list of fault windows and client operations with node
 * numbers taken modulo the cluster size, so every knob shrinks on its own: fewer steps, earlier steps,
 * shorter windows, lower probabilities, a smaller cluster. `buildSchedule` turns it into the simulator's
 * Schedule with a safety phase (faults, never more than a minority crashed or corrupted at once) followed by
 * a liveness phase (everything healed, clients go on, the cluster must make progress and converge).
 */
import fc from "fast-check"
import { attackKinds, type AttackKind } from "../../src/sim/adversary.ts"
import type {
  ClientOperation,
  DiskFault,
  NetworkProfile,
  ReplicaKnobs,
  Schedule,
  Step,
  Target
} from "../../src/schedule/index.ts"
import type { FaultKind } from "../scenarios/generate.ts"
import { swarmProfile, type SwarmLimits, type SwarmProfile } from "./swarm.ts"
import { forgedMessage } from "./forgery.ts"

export interface RawFault {
  readonly kind: FaultKind
  readonly atMs: number
  /** 0..6 name a replica (modulo the cluster size); 7 and above aim at whoever leads when the fault starts. */
  readonly node: number
  readonly other: number
  readonly lengthMs: number
  readonly variant: number
}

export interface RawOperation {
  readonly atMs: number
  readonly client: number
  readonly key: number
  readonly verb: number
  readonly value: number
}

export interface RawSchedule {
  readonly replicas: number
  readonly seed: number
  readonly swarm: SwarmProfile
  readonly faults: ReadonlyArray<RawFault>
  readonly operations: ReadonlyArray<RawOperation>
  /**
   * Where the operation at the same position is sent, when the shape aims reads (`aimedReads`): 0 or absent, the
   * client's own routing; k ≥ 1, replica (k - 1) modulo the cluster size. Drawn after everything else, so a
   * seed's faults and operations are the same with or without it, and shrinking leans towards unaimed reads.
   */
  readonly aims?: ReadonlyArray<number>
}

export interface ScheduleShape {
  readonly faults: ReadonlyArray<FaultKind>
  readonly attacks?: ReadonlyArray<AttackKind>
  readonly noisyNetwork?: boolean
  readonly replicasMin?: number
  readonly replicasMax?: number
  readonly clients?: number
  readonly keys?: number
  readonly maxFaults?: number
  readonly maxOperations?: number
  /** The safety phase's length; faults and most operations fall inside it. */
  readonly safetyMs?: number
  /** Replica knobs beyond the defaults, e.g. one entry per AppendEntries or a small session table. */
  readonly replicaConfig?: ReplicaKnobs
  /** The liveness phase's client traffic and the settling time after it (shorter runs shrink faster). */
  readonly livenessTrafficMs?: number
  readonly settleMs?: number
  /** The longest fault window (default 2500 ms); a stale leader shows only when a cut outlasts CheckQuorum. */
  readonly faultLengthMsMax?: number
  /** Which disk faults a "corrupt" window may inject (default: all of them). */
  readonly diskFaults?: ReadonlyArray<DiskFault>
  /** Upper bounds of the swarm's knobs, for scenarios that aim at one bug class (swarm.ts has the defaults). */
  readonly swarm?: SwarmLimits
  /** Reads may name the replica they are sent to, so a follower is asked (the Schedule's ClientStep.replica). */
  readonly aimedReads?: boolean
}

/** When client traffic begins: after the first election has had time to settle. */
export const trafficStartMs = 2500
/** The liveness phase: operations keep coming for this long after the heal, then the run settles. */
export const livenessTrafficMs = 3000
export const settleMs = 5000
/** A leader must exist within this long after the heal (several election timeouts). */
export const leaderWithinMs = 8000

const rawFault = (kinds: ReadonlyArray<FaultKind>, safetyMs: number, lengthMsMax: number): fc.Arbitrary<RawFault> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    atMs: fc.integer({ min: 0, max: safetyMs }),
    node: fc.integer({ min: 0, max: 9 }),
    other: fc.integer({ min: 1, max: 6 }),
    lengthMs: fc.integer({ min: 100, max: lengthMsMax }),
    variant: fc.nat({ max: 1000 })
  })

const rawOperation = (clients: number, keys: number, trafficMs: number): fc.Arbitrary<RawOperation> =>
  fc.record({
    atMs: fc.integer({ min: 0, max: trafficMs }),
    client: fc.integer({ min: 0, max: clients - 1 }),
    key: fc.integer({ min: 0, max: keys - 1 }),
    verb: fc.nat({ max: 99 }),
    value: fc.nat({ max: 999 })
  })

export const rawSchedule = (shape: ScheduleShape): fc.Arbitrary<RawSchedule> => {
  const safetyMs = shape.safetyMs ?? 6000
  const kinds = shape.faults.length > 0 ? shape.faults : (["crash"] as const)
  return fc.record({
    replicas: fc.integer({ min: shape.replicasMin ?? 3, max: shape.replicasMax ?? 5 }),
    // A seed has no "smaller": shrinking it only reruns the same story under other timings, at a run per try.
    seed: fc.noShrink(fc.nat({ max: 2 ** 31 - 1 })),
    swarm: swarmProfile(shape.faults, shape.noisyNetwork ?? false, shape.swarm),
    faults:
      shape.faults.length === 0
        ? fc.constant([])
        : fc.array(rawFault(kinds, safetyMs, shape.faultLengthMsMax ?? 2500), {
            maxLength: shape.maxFaults ?? 12,
            size: "max"
          }),
    operations: fc.array(
      rawOperation(shape.clients ?? 3, shape.keys ?? 2, safetyMs + (shape.livenessTrafficMs ?? livenessTrafficMs)),
      {
        minLength: 1,
        maxLength: shape.maxOperations ?? 60,
        // Generate across the whole range (fast-check's default favours short arrays); shrinking still shortens.
        size: "max"
      }
    ),
    ...(shape.aimedReads === true
      ? { aims: fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: shape.maxOperations ?? 60, size: "max" }) }
      : {})
  })
}

/** The replica an operation is aimed at: only reads are, so that a follower read is asked for. */
const aimOf = (raw: RawSchedule, position: number, op: ClientOperation): { replica?: number } => {
  const aim = raw.aims?.[position] ?? 0
  return aim === 0 || op._tag !== "Read" ? {} : { replica: (aim - 1) % raw.replicas }
}

const operationOf = (raw: RawOperation): ClientOperation => {
  const key = `k${raw.key}`
  const value = `v${raw.value}`
  if (raw.verb < 40) return { _tag: "Put", key, value }
  if (raw.verb < 70) return { _tag: "Read", key }
  if (raw.verb < 80) return { _tag: "Get", key }
  if (raw.verb < 88) return { _tag: "Delete", key }
  return { _tag: "Cas", key, expected: raw.value % 3 === 0 ? null : `v${raw.value % 7}`, value }
}

const diskFaults: ReadonlyArray<DiskFault> = ["bitflip", "misdirected", "latent", "torn", "slow"]

/** How long after winning an OnLeader trigger strikes: often at once, else within a few round trips. */
const leaderFaultDelaysMs: ReadonlyArray<number> = [0, 0, 0, 5, 10, 20, 30, 50, 80, 120, 200]

/** The leader is the most interesting replica to hurt; fast-check shrinks towards numbered replicas. */
const aimsAtLeader = (fault: RawFault): boolean => fault.node >= 7

/**
 * The steps of one fault window, and what it impairs (crashes or corrupts) while it lasts: a replica number,
 * or a key of its own when it aims at the leader (who that is is known only when it runs).
 */
const windowSteps = (
  fault: RawFault,
  at: number,
  replicas: number,
  attacks: ReadonlyArray<AttackKind>,
  allowedDiskFaults: ReadonlyArray<DiskFault>
): { steps: Array<Step>; impairs: string | undefined } => {
  const node = fault.node % replicas
  const target: Target = aimsAtLeader(fault) ? "leader" : node
  const impairs = aimsAtLeader(fault) ? `leader@${at}` : `n${node}`
  const end = at + fault.lengthMs
  switch (fault.kind) {
    case "powerFailure": {
      const nodes = Array.from({ length: replicas }, (_, each) => each)
      const crashes: Array<Step> = nodes.map((each) => ({ _tag: "Crash", at, node: each }))
      // Replicas come back a few milliseconds apart, so the first to time out differs from run to run.
      const restarts: Array<Step> = nodes.map((each) => ({
        _tag: "Restart",
        at: end + ((each * (fault.variant + 1)) % 50),
        node: each
      }))
      return { steps: [...crashes, ...restarts], impairs: "power" }
    }
    case "crash":
      return {
        steps: [
          { _tag: "Crash", at, node: target },
          { _tag: "Restart", at: end, node: aimsAtLeader(fault) ? "crashed" : node }
        ],
        impairs
      }
    case "corrupt": {
      const kind = allowedDiskFaults[fault.variant % allowedDiskFaults.length] as DiskFault
      if (kind === "slow") return { steps: [{ _tag: "Corrupt", at, node, kind }], impairs: undefined }
      const steps: Array<Step> = [
        { _tag: "Crash", at, node },
        { _tag: "Corrupt", at: at + 1, node, kind },
        { _tag: "Restart", at: end, node }
      ]
      return { steps, impairs: `n${node}` }
    }
    case "pause":
      return { steps: [{ _tag: "Pause", at, node: target, forMs: fault.lengthMs }], impairs }
    case "partition": {
      if (aimsAtLeader(fault))
        return {
          steps: [
            { _tag: "Isolate", at, node: "leader" },
            { _tag: "Heal", at: end }
          ],
          impairs: undefined
        }
      const oneWay = fault.variant % 4 === 0
      const others = Array.from({ length: replicas }, (_, other) => other).filter((other) => other !== node)
      const cut: Array<[number, number]> = others.flatMap(
        (other) =>
          (oneWay
            ? [[node, other]]
            : [
                [node, other],
                [other, node]
              ]) as Array<[number, number]>
      )
      return {
        steps: [
          { _tag: "Partition", at, cut },
          { _tag: "Heal", at: end }
        ],
        impairs: undefined
      }
    }
    case "clog": {
      const to = (node + fault.other) % replicas
      return {
        steps: to === node ? [] : [{ _tag: "Clog", at, from: node, to, forMs: fault.lengthMs }],
        impairs: undefined
      }
    }
    case "clock": {
      const offsetMs = (fault.variant % 11) * 500 - 2500
      const driftPpm = ((fault.variant * 7) % 21) * 10_000 - 100_000
      return {
        steps: [
          { _tag: "Clock", at, node, offsetMs, driftPpm },
          { _tag: "Clock", at: end, node, offsetMs: 0, driftPpm: 0 }
        ],
        impairs: undefined
      }
    }
    case "onLeader": {
      // Shrinks towards "isolate the moment it wins, once": what Raft Figure 8 needs of its middle leader.
      const afterMs = leaderFaultDelaysMs[Math.floor(fault.variant / 2) % leaderFaultDelaysMs.length] as number
      const step: Step = {
        _tag: "OnLeader",
        at,
        until: at + fault.lengthMs * 4,
        action: fault.variant % 2 === 0 ? "isolate" : "crash",
        afterMs,
        forMs: fault.lengthMs,
        times: 1 + ((fault.other - 1) % 3)
      }
      return { steps: [step], impairs: undefined }
    }
    case "forge": {
      const kind = attacks[fault.variant % attacks.length] as AttackKind
      const forged = forgedMessage(kind, fault.variant, replicas, node)
      return {
        steps: [{ _tag: "Forge", at, from: forged.from, to: node, message: forged.message }],
        impairs: undefined
      }
    }
  }
}

/** Keeps the safety phase within Raft's fault tolerance: at most a minority impaired at any instant. */
const safetyPhase = (raw: RawSchedule, shape: ScheduleShape, safetyMs: number): Array<Step> => {
  const minority = Math.floor((raw.replicas - 1) / 2)
  const impaired = new Map<string, number>()
  const steps: Array<Step> = []
  const faults = raw.faults.filter((fault) => raw.swarm.enabled.includes(fault.kind))
  const ordered = [...faults].sort((left, right) => left.atMs - right.atMs)
  for (const fault of ordered) {
    const at = trafficStartMs + fault.atMs
    const clipped = { ...fault, lengthMs: Math.min(fault.lengthMs, safetyMs - fault.atMs + 1) }
    const window = windowSteps(clipped, at, raw.replicas, shape.attacks ?? attackKinds, shape.diskFaults ?? diskFaults)
    for (const [node, untilMs] of impaired) if (untilMs <= at) impaired.delete(node)
    if (window.impairs === "power") {
      // Everything goes down together: only when nothing else is down, and nothing else until it is back.
      if (impaired.size > 0) continue
      impaired.set("power", at + fault.lengthMs + 51)
      for (let slot = 0; slot < minority; slot += 1) impaired.set(`power#${slot}`, at + fault.lengthMs + 51)
    } else if (window.impairs !== undefined) {
      if (impaired.has(window.impairs) || impaired.size >= minority) continue
      // A replica whose disk was damaged refuses to vote until a leader repairs it, which may take until
      // the heal: it counts against the minority for the rest of the safety phase.
      const damagesDisk = fault.kind === "corrupt"
      impaired.set(window.impairs, damagesDisk ? Number.POSITIVE_INFINITY : at + fault.lengthMs + 1)
    }
    steps.push(...window.steps)
  }
  return steps
}

/**
 * What is still broken when the safety phase ends. Every fault window closes itself (a crash has its restart,
 * a partition its heal, a clock its reset, clamped to the heal), so only one thing can be left over: a
 * "restart the replica crashed last" that ran while a later crash was still down and restarted that one
 * instead. One such restart per leader-aimed crash, at the heal, brings every replica back. Emitting only
 * these keeps a shrunk counterexample to the steps that matter (a blanket heal cost 2n + 1 steps).
 */
const healSteps = (faults: ReadonlyArray<Step>, healedAtMs: number): Array<Step> =>
  faults
    .filter((step) => step._tag === "Restart" && step.node === "crashed")
    .map((): Step => ({ _tag: "Restart", at: healedAtMs, node: "crashed" }))

export interface BuiltSchedule {
  readonly schedule: Schedule
  readonly healedAtMs: number
}

const holdBackOf = (swarm: SwarmProfile): Pick<NetworkProfile, "holdBackProbability" | "holdBackMaxMs"> =>
  swarm.holdBackPerMille === 0
    ? {}
    : { holdBackProbability: swarm.holdBackPerMille / 1000, holdBackMaxMs: swarm.holdBackMaxMs }

export const buildSchedule = (raw: RawSchedule, shape: ScheduleShape): BuiltSchedule => {
  const safetyMs = shape.safetyMs ?? 6000
  const healedAtMs = trafficStartMs + safetyMs + 1
  const liveMs = shape.livenessTrafficMs ?? livenessTrafficMs
  const quietMs = shape.settleMs ?? settleMs
  // Windows end by the heal; a power failure's staggered restarts may spill a few ms past it.
  // An OnLeader trigger is disarmed by the heal too.
  const faults = safetyPhase(raw, shape, safetyMs)
    .map((step): Step => (step.at > healedAtMs ? { ...step, at: healedAtMs } : step))
    .map((step): Step => (step._tag === "OnLeader" && step.until > healedAtMs ? { ...step, until: healedAtMs } : step))
  const operations: Array<Step> = raw.operations.map((operation, position) => {
    const op = operationOf(operation)
    return {
      _tag: "Client",
      at: trafficStartMs + operation.atMs,
      client: operation.client,
      op,
      ...aimOf(raw, position, op)
    }
  })
  const end: Step = { _tag: "Heal", at: healedAtMs + liveMs + quietMs }
  const steps = [...faults, ...operations, ...healSteps(faults, healedAtMs), end].sort(
    (left, right) => left.at - right.at
  )
  const swarm = raw.swarm
  const schedule: Schedule = {
    version: 1,
    replicas: raw.replicas,
    seed: raw.seed,
    profile: {
      network: {
        delayMinMs: 1,
        delayMaxMs: swarm.delayMaxMs,
        lossProbability: swarm.lossPercent / 100,
        duplicateProbability: swarm.duplicatePercent / 100,
        reorderProbability: swarm.reorderPercent / 100,
        reorderDelayMaxMs: swarm.reorderPercent > 0 ? 50 : 0,
        ...holdBackOf(swarm)
      },
      disk: { fsyncMinMs: 1, fsyncMaxMs: swarm.fsyncMaxMs, tornWriteProbability: swarm.tornWritePercent / 100 },
      clients: { timeoutMs: 2000, attemptsMax: 30 }
    },
    ...(shape.replicaConfig === undefined ? {} : { replicaConfig: shape.replicaConfig }),
    limits: { simulatedMs: healedAtMs + liveMs + quietMs + 60_000, events: 3_000_000 },
    steps
  }
  return { schedule, healedAtMs }
}

export const scheduleArbitrary = (shape: ScheduleShape): fc.Arbitrary<BuiltSchedule> =>
  rawSchedule(shape).map((raw) => buildSchedule(raw, shape))

export type { SwarmProfile }
