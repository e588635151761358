/**
 * Keeps the deepest dead end of a search: the linearized prefix after which nothing could go next that holds the
 * most operations that returned, and of those the longest. Returned operations first: an unknown-outcome operation
 * may or may not have taken effect, so a prefix that is longer only by one of those is no further along the
 * history, and the dead end after it can miss the result that no order explains (a history with a read of a
 * value nobody wrote was reported stuck on an earlier, innocent delete after a timed-out delete of the same key).
 * Copying the whole stack at each new deepest point made a long linearizable history quadratic (a 5,000-operation
 * history reaches a new depth thousands of times); instead the copy keeps the part of the stack that has not been
 * popped since the last record and copies only what was pushed after it.
 */
import type { Entry } from "./entries.ts"
import type { DeadEnd } from "./searchPartition.ts"

export class DeadEndTracker<State> {
  private readonly prefix: Array<number> = []
  /** How many operations of `prefix` returned. */
  private prefixReturned = 0
  private recorded: Omit<DeadEnd<State>, "prefix"> | undefined
  /** How much of `prefix` is still the bottom of the live stack. */
  private valid = 0

  get longest(): number {
    return this.prefix.length
  }

  /**
   * Called at every dead end, with the live stack and how many of its operations returned; `describe` runs only
   * for a new deepest one.
   */
  deadEnd(stack: ReadonlyArray<Entry>, returned: number, describe: () => Omit<DeadEnd<State>, "prefix">): void {
    const deeper =
      returned > this.prefixReturned || (returned === this.prefixReturned && stack.length > this.prefix.length)
    if (this.recorded !== undefined && !deeper) {
      // The stack is about to lose its top: the record stays valid only below it.
      this.valid = Math.min(this.valid, stack.length - 1)
      return
    }
    this.prefix.length = stack.length
    for (let index = Math.max(0, this.valid); index < stack.length; index++)
      this.prefix[index] = stack[index]!.operation
    this.prefixReturned = returned
    this.recorded = describe()
    this.valid = stack.length - 1
  }

  finish(): DeadEnd<State> {
    return { prefix: [...this.prefix], ...this.recorded! }
  }
}
