/**
 * Seeded randomness, split per component: the network, each disk, the clients, the adversary each draw from
 * their own generator, derived from the run's seed and the component's name. Adding a client, or a fault that
 * draws, therefore never shifts the network's draws: a schedule changed in one place changes the run there.
 *
 * It lives with the schedule because both interpreters derive from a schedule's seed: the simulator every
 * component's generator, the Docker replay each replica's PRNG seed (replicaSeedOf), so that the nodes draw the
 * election timeouts the simulator's replicas drew.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64"
import { uniformInt } from "pure-rand/distribution/uniformInt"
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus"
import type { RandomGenerator } from "pure-rand/types/RandomGenerator"
import { assert } from "../assert.ts"

/** FNV-1a over the component name, mixed with the seed: a stable 32-bit seed per (seed, component). */
const componentSeed = (seed: number, component: string): number => {
  let hash = 0x811c9dc5 ^ (seed | 0)
  for (let position = 0; position < component.length; position += 1) {
    hash ^= component.charCodeAt(position)
    hash = Math.imul(hash, 0x01000193)
  }
  hash ^= Math.floor(seed / 2 ** 32) | 0
  return Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) | 0
}

export class SimRandom {
  private readonly generator: RandomGenerator

  constructor(seed: number, component: string) {
    this.generator = xoroshiro128plus(componentSeed(seed, component))
  }

  /** A uniform integer in [fromInclusive, toInclusive]. */
  integer(fromInclusive: number, toInclusive: number): number {
    if (toInclusive <= fromInclusive) return fromInclusive
    return uniformInt(this.generator, fromInclusive, toInclusive)
  }

  /** True with `probability`; draws nothing when the probability is 0 or 1, so an off fault costs nothing. */
  chance(probability: number): boolean {
    if (probability <= 0) return false
    if (probability >= 1) return true
    return uniformFloat64(this.generator) < probability
  }

  pick<Item>(items: ReadonlyArray<Item>): Item {
    assert(items.length > 0, "pick is given at least one item")
    return items[this.integer(0, items.length - 1)] as Item
  }
}

/** The seed of replica `node`'s own PRNG (ReplicaConfig.randomSeed) in a run of a schedule with this seed. */
export const replicaSeedOf = (scheduleSeed: number, node: number): number =>
  new SimRandom(scheduleSeed, `replica:${node}`).integer(0, 2 ** 31 - 1)
