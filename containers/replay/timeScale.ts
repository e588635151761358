/**
 * A replay at a time scale other than 1 compresses (or stretches) the schedule's steps; with `scaleTimers` it
 * compresses the world alike: the replicas' heartbeat and election timeouts and the profile's network delays
 * are scaled by the same factor, so that a pause of 3 s against an election timeout of 1–2 s stays a pause
 * longer than an election at any scale. Each knob is kept within the bounds `faultline serve` accepts.
 */
import { makeReplicaConfig } from "../../src/protocol/config.ts"
import type { FaultProfile, ReplicaKnobs } from "../../src/schedule/index.ts"

const clamp = (value: number, minimum: number, maximum: number): number =>
  Math.min(maximum, Math.max(minimum, Math.round(value)))

/** The knobs the replica would run with, every timer multiplied by `scale`. */
export const scaledKnobs = (knobs: ReplicaKnobs, scale: number): ReplicaKnobs => {
  if (scale === 1) return knobs
  const defaults = makeReplicaConfig({ id: 0, voters: [0] })
  const heartbeatIntervalMs = clamp((knobs.heartbeatIntervalMs ?? defaults.heartbeatIntervalMs) * scale, 10, 1000)
  const electionTimeoutMinMs = clamp(
    (knobs.electionTimeoutMinMs ?? defaults.electionTimeoutMinMs) * scale,
    Math.max(100, heartbeatIntervalMs + 1),
    10_000
  )
  const electionTimeoutMaxMs = clamp(
    (knobs.electionTimeoutMaxMs ?? defaults.electionTimeoutMaxMs) * scale,
    electionTimeoutMinMs,
    20_000
  )
  return { ...knobs, heartbeatIntervalMs, electionTimeoutMinMs, electionTimeoutMaxMs }
}

/** The profile with its network delays multiplied by `scale` (probabilities are not times and stay). */
export const scaledProfile = (profile: FaultProfile, scale: number): FaultProfile => {
  if (scale === 1) return profile
  const network = profile.network
  const scaled = (ms: number): number => Math.round(ms * scale)
  return {
    ...profile,
    network: {
      ...network,
      delayMinMs: scaled(network.delayMinMs),
      delayMaxMs: scaled(network.delayMaxMs),
      reorderDelayMaxMs: scaled(network.reorderDelayMaxMs),
      ...(network.holdBackMaxMs === undefined ? {} : { holdBackMaxMs: scaled(network.holdBackMaxMs) })
    }
  }
}
