/**
 * A replica's own clock: an offset from simulated time and a drift rate in parts per million. Ticks carry the
 * replica's local reading; a WakeAt (in local time) is converted back to simulated time. Changing the clock is
 * continuous from "now": the local reading jumps by the new offset, then runs at the new rate.
 */
import { assert } from "../assert.ts"
export class ReplicaClock {
  private anchorSimulatedMs = 0
  private anchorLocalMs = 0
  private rate = 1

  /** The local reading at simulated time `simulatedMs` (whole milliseconds, rounded down). */
  localAt(simulatedMs: number): number {
    return Math.floor(this.anchorLocalMs + (simulatedMs - this.anchorSimulatedMs) * this.rate)
  }

  /** The earliest simulated millisecond at which the local reading is at least `localMs`. */
  simulatedAt(localMs: number): number {
    // A clock that runs at the simulator's rate is an exact offset: no rounding to correct.
    if (this.rate === 1) return Math.max(this.anchorSimulatedMs, this.anchorSimulatedMs + localMs - this.anchorLocalMs)
    const simulated = Math.ceil(this.anchorSimulatedMs + (localMs - this.anchorLocalMs) / this.rate)
    // Rounding can leave the reading one short; step forward until it is reached (at most a couple of steps).
    let result = Math.max(this.anchorSimulatedMs, simulated)
    for (let attempt = 0; attempt < 4 && this.localAt(result) < localMs; attempt += 1) result += 1
    return result
  }

  /** From `nowMs` on, the clock reads `offsetMs` away from simulated time and runs at 1 + driftPpm/10^6. */
  set(nowMs: number, offsetMs: number, driftPpm: number): void {
    assert(driftPpm > -1_000_000, () => `a clock runs forwards: driftPpm above -1000000, got ${driftPpm}`)
    this.anchorSimulatedMs = nowMs
    // A clock set backwards below zero would be a negative reading; the replica keeps its own time monotonic.
    this.anchorLocalMs = Math.max(0, nowMs + offsetMs)
    this.rate = 1 + driftPpm / 1_000_000
  }
}
