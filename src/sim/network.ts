/**
 * The network between replicas, per directed link: a delay distribution, loss, duplication, reordering, a long
 * tail of messages held back for seconds, temporary clogging (messages held until the clog clears) and
 * partitions of any shape (a set of cut directed links: isolate, majority/minority, one-way, bridge). It only decides; the simulator queues the deliveries.
 */
import type { SimRandom } from "../schedule/random.ts"
import type { NetworkProfile } from "../schedule/index.ts"
import { assert } from "../assert.ts"

/** Why a message did not arrive, for the trace. */
export type DropReason = "loss" | "partition"

export interface Route {
  /** Simulated times at which copies arrive: none when dropped, two when duplicated. */
  readonly arrivalsMs: ReadonlyArray<number>
  readonly dropped: DropReason | undefined
  /** How long a clogged link held the message before it left (0 when the link was clear). */
  readonly heldMs: number
}

const dropped = (reason: DropReason): Route => ({ arrivalsMs: [], dropped: reason, heldMs: 0 })

export class Network {
  private readonly cut: Array<boolean>
  private readonly clogUntilMs: Array<number>

  constructor(
    readonly replicas: number,
    private readonly profile: NetworkProfile,
    private readonly random: SimRandom
  ) {
    this.cut = new Array<boolean>(replicas * replicas).fill(false)
    this.clogUntilMs = new Array<number>(replicas * replicas).fill(0)
  }

  private link(from: number, to: number): number {
    assert(
      from >= 0 && to >= 0 && from < this.replicas && to < this.replicas,
      () => `a link joins two replicas of the cluster: n${from}→n${to} in a cluster of ${this.replicas}`
    )
    return from * this.replicas + to
  }

  isCut(from: number, to: number): boolean {
    return this.cut[this.link(from, to)] === true
  }

  partition(cut: ReadonlyArray<readonly [number, number]>): void {
    for (const [from, to] of cut) if (from !== to) this.cut[this.link(from, to)] = true
  }

  /** Restores every link to and from one replica (undoes an isolation of it). */
  rejoin(node: number): void {
    for (let other = 0; other < this.replicas; other += 1) {
      this.cut[this.link(node, other)] = false
      this.cut[this.link(other, node)] = false
    }
  }

  heal(): void {
    this.cut.fill(false)
    this.clogUntilMs.fill(0)
  }

  clog(from: number, to: number, untilMs: number): void {
    const link = this.link(from, to)
    this.clogUntilMs[link] = Math.max(this.clogUntilMs[link] ?? 0, untilMs)
  }

  private delayMs(): number {
    const profile = this.profile
    const base = this.random.integer(profile.delayMinMs, profile.delayMaxMs)
    const reordered = this.random.chance(profile.reorderProbability)
      ? this.random.integer(1, Math.max(1, profile.reorderDelayMaxMs))
      : 0
    return base + reordered + this.holdBackMs()
  }

  /**
   * The long tail: a message stuck in a retransmission queue or a slow middlebox for seconds, so that it lands
   * after an election (a vote or an append response of an earlier term). Draws nothing when the profile has none.
   */
  private holdBackMs(): number {
    const probability = this.profile.holdBackProbability ?? 0
    if (!this.random.chance(probability)) return 0
    return this.random.integer(1, Math.max(1, this.profile.holdBackMaxMs ?? 0))
  }

  /** Decides the fate of one message sent at `nowMs`. */
  route(from: number, to: number, nowMs: number): Route {
    const link = this.link(from, to)
    if (this.cut[link] === true) return dropped("partition")
    if (this.random.chance(this.profile.lossProbability)) return dropped("loss")
    // A clogged link holds messages and releases them when it clears, like a stalled TCP connection.
    const departMs = Math.max(nowMs, this.clogUntilMs[link] ?? 0)
    const first = departMs + this.delayMs()
    const heldMs = departMs - nowMs
    if (!this.random.chance(this.profile.duplicateProbability))
      return { arrivalsMs: [first], dropped: undefined, heldMs }
    return { arrivalsMs: [first, departMs + this.delayMs()], dropped: undefined, heldMs }
  }
}
