/**
 * Test-only fault settings of a node: per-peer loss, delay, duplication and reordering of outgoing messages, and
 * an offset on the node's clock. They exist so that the Docker replay can reproduce the simulator's faults
 * without netem; they are changed only through the admin endpoint, which exists only with --fault-injection.
 */
import { Schema } from "effect"

const Probability = Schema.Number.pipe(Schema.between(0, 1))
const Milliseconds = Schema.Number.pipe(Schema.between(0, 60_000))

export const LinkFaults = Schema.Struct({
  dropRate: Schema.optionalWith(Probability, { default: () => 0 }),
  duplicateRate: Schema.optionalWith(Probability, { default: () => 0 }),
  /** Probability that a message is held back by an extra random delay, so later ones overtake it. */
  reorderRate: Schema.optionalWith(Probability, { default: () => 0 }),
  delayMs: Schema.optionalWith(Milliseconds, { default: () => 0 }),
  delayJitterMs: Schema.optionalWith(Milliseconds, { default: () => 0 })
})
export type LinkFaults = typeof LinkFaults.Type

export const FaultSettings = Schema.Struct({
  /** Keyed by peer id (JSON object keys are strings). */
  peers: Schema.optionalWith(
    Schema.Record({ key: Schema.String.pipe(Schema.pattern(/^\d{1,4}$/)), value: LinkFaults }),
    {
      default: () => ({})
    }
  ),
  clockOffsetMs: Schema.optionalWith(Schema.Number.pipe(Schema.between(-3_600_000, 3_600_000)), { default: () => 0 })
})
export type FaultSettings = typeof FaultSettings.Type

export const noFaults: FaultSettings = { peers: {}, clockOffsetMs: 0 }

const noLinkFaults: LinkFaults = { dropRate: 0, duplicateRate: 0, reorderRate: 0, delayMs: 0, delayJitterMs: 0 }

export const linkFaultsFor = (settings: FaultSettings, peer: number): LinkFaults =>
  settings.peers[String(peer)] ?? noLinkFaults

/** The delays (ms) at which copies of one message go out: empty when it is dropped, two when duplicated. */
export const planDelivery = (faults: LinkFaults, random: () => number): ReadonlyArray<number> => {
  if (faults.dropRate > 0 && random() < faults.dropRate) return []
  const copies = faults.duplicateRate > 0 && random() < faults.duplicateRate ? 2 : 1
  const delays: Array<number> = []
  for (let copy = 0; copy < copies; copy += 1) {
    let delayMs = faults.delayMs + random() * faults.delayJitterMs
    if (faults.reorderRate > 0 && random() < faults.reorderRate) delayMs += random() * (2 * faults.delayMs + 20)
    delays.push(delayMs)
  }
  return delays
}
