/**
 * Swarm testing, as TigerBeetle's VOPR does it: before a schedule is drawn, draw which fault kinds are on
 * and how hard they hit. Most runs then stress a few faults hard instead of all faults a little. Every knob
 * shrinks towards "off": fewer kinds, lower probabilities, shorter delays.
 */
import fc from "fast-check"
import type { FaultKind } from "../scenarios/generate.ts"

export interface SwarmProfile {
  /** The fault kinds this run may use: a subset of the scenario's. */
  readonly enabled: ReadonlyArray<FaultKind>
  readonly lossPercent: number
  readonly duplicatePercent: number
  readonly reorderPercent: number
  readonly delayMaxMs: number
  readonly tornWritePercent: number
  readonly fsyncMaxMs: number
  /** The long tail (0 unless the scenario asks for it): how many messages in a thousand wait seconds. */
  readonly holdBackPerMille: number
  readonly holdBackMaxMs: number
}

/**
 * Upper bounds of the knobs, for scenarios aimed at one bug class (the bug zoo): many duplicates for a vote
 * counter, slow fsyncs for an early acknowledgement. Each defaults to the general suite's bound.
 */
export interface SwarmLimits {
  readonly lossPercentMax?: number
  readonly duplicatePercentMax?: number
  readonly reorderPercentMax?: number
  readonly delayMaxMsMax?: number
  readonly fsyncMaxMsMax?: number
  /** A long tail of held-back messages, per mille of all messages, and how long they wait at most. */
  readonly holdBackPerMilleMax?: number
  readonly holdBackMaxMsMax?: number
}

/** Draws a swarm profile over the kinds a scenario allows; `noisy` turns on network misbehaviour. */
export const swarmProfile = (
  allowed: ReadonlyArray<FaultKind>,
  noisy: boolean,
  limits: SwarmLimits = {}
): fc.Arbitrary<SwarmProfile> =>
  fc
    .record({
      // One flag per allowed kind; a flag shrinks to false, which removes that kind's faults from the run.
      enabledFlags: fc.array(fc.boolean(), { minLength: allowed.length, maxLength: allowed.length }),
      lossPercent: noisy ? fc.integer({ min: 0, max: limits.lossPercentMax ?? 10 }) : fc.constant(0),
      duplicatePercent: noisy ? fc.integer({ min: 0, max: limits.duplicatePercentMax ?? 10 }) : fc.constant(0),
      reorderPercent: noisy ? fc.integer({ min: 0, max: limits.reorderPercentMax ?? 20 }) : fc.constant(0),
      delayMaxMs: fc.integer({ min: 1, max: limits.delayMaxMsMax ?? (noisy ? 50 : 10) }),
      tornWritePercent: fc.integer({ min: 0, max: 50 }),
      fsyncMaxMs: fc.integer({ min: 1, max: limits.fsyncMaxMsMax ?? 20 }),
      // Constants draw nothing, so scenarios without a long tail keep the schedules their seeds always meant.
      holdBackPerMille:
        limits.holdBackPerMilleMax === undefined
          ? fc.constant(0)
          : fc.integer({ min: 0, max: limits.holdBackPerMilleMax }),
      holdBackMaxMs:
        limits.holdBackMaxMsMax === undefined ? fc.constant(0) : fc.integer({ min: 1, max: limits.holdBackMaxMsMax })
    })
    .map(({ enabledFlags, ...rest }) => ({
      ...rest,
      enabled: allowed.filter((_, position) => enabledFlags[position] === true)
    }))
