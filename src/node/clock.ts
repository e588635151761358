/**
 * The node's clock: monotonic milliseconds (performance.now never steps back with wall-clock adjustments) plus the
 * fault-injected offset. The replica sees time only through Tick inputs read from here.
 */
export class NodeClock {
  private offsetMs = 0

  nowMs(): number {
    return Math.floor(performance.now()) + this.offsetMs
  }

  setOffsetMs(offsetMs: number): void {
    this.offsetMs = offsetMs
  }

  /** Real milliseconds until the node's clock reads `atMs`. */
  delayUntilMs(atMs: number): number {
    return Math.max(0, atMs - this.nowMs())
  }
}
