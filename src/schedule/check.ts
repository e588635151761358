/**
 * What a schedule's Schema cannot say: ranges that depend on each other and steps that name replicas the
 * schedule does not have. Both interpreters run it before they start.
 */
import { describeStep } from "./describe.ts"
import type { Schedule, Step } from "./schedule.ts"

/** A reason a person can act on, or undefined when the schedule can run (beyond what the Schema checks). */
export const checkSchedule = (schedule: Schedule): string | undefined => {
  const { network, disk } = schedule.profile
  if (network.delayMaxMs < network.delayMinMs) return "profile.network.delayMaxMs should be at least delayMinMs"
  if (disk.fsyncMaxMs < disk.fsyncMinMs) return "profile.disk.fsyncMaxMs should be at least fsyncMinMs"
  const knobs = schedule.replicaConfig
  if (knobs !== undefined) {
    const heartbeatMs = knobs.heartbeatIntervalMs ?? 100
    const electionMinMs = knobs.electionTimeoutMinMs ?? 1000
    if (electionMinMs <= heartbeatMs)
      return "replicaConfig.electionTimeoutMinMs should be greater than heartbeatIntervalMs"
    if ((knobs.electionTimeoutMaxMs ?? 2000) < electionMinMs)
      return "replicaConfig.electionTimeoutMaxMs should be at least electionTimeoutMinMs"
  }
  for (const [position, step] of schedule.steps.entries()) {
    const nodes = nodesOf(step)
    const outside = nodes.find((node) => node >= schedule.replicas)
    if (outside !== undefined)
      return `step ${position} (${describeStep(step)}) names n${outside}, but there are ${schedule.replicas} replicas`
  }
  return undefined
}

const nodesOf = (step: Step): ReadonlyArray<number> => {
  switch (step._tag) {
    case "Crash":
    case "Restart":
    case "Pause":
    case "Isolate":
      return typeof step.node === "number" ? [step.node] : []
    case "Corrupt":
    case "Clock":
      return [step.node]
    case "Clog":
      return [step.from, step.to]
    case "Partition":
      return step.cut.flat()
    case "Forge":
      return [step.to]
    case "Client":
      return step.replica === undefined ? [] : [step.replica]
    case "Heal":
    case "OnLeader":
      return []
  }
}
