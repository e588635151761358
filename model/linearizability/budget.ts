/**
 * How much search a check may spend. The clock is passed in so that model/ never reads one itself: the CLI and
 * the bench hand in `performance.now`, tests can hand in a fake.
 */
export interface Budget {
  readonly maxSteps?: number
  /**
   * The most the search's memo of explored configurations may hold, in bytes (the check's memory beyond the
   * history itself); past it the partition is left undecided and the verdict is "unknown".
   */
  readonly maxMemoBytes?: number
  readonly time?: { readonly clock: () => number; readonly maxMilliseconds: number }
}

/** Reading a clock costs more than a search step, so the deadline is looked at only this often. */
const stepsBetweenClockReadings = 1024

/** Counts steps across every partition of one check. */
export class BudgetMeter {
  steps = 0
  private readonly maxSteps: number
  private readonly deadline: number
  private readonly clock: (() => number) | undefined
  /** The memo of each partition's search may allocate at most this much (memo.ts stops short of it). */
  readonly maxMemoBytes: number

  constructor(budget: Budget) {
    if (budget.maxSteps !== undefined && !(budget.maxSteps >= 1)) throw new RangeError("maxSteps should be at least 1")
    if (budget.maxMemoBytes !== undefined && !(budget.maxMemoBytes >= 1))
      throw new RangeError("maxMemoBytes should be at least 1")
    this.maxSteps = budget.maxSteps ?? Infinity
    this.maxMemoBytes = budget.maxMemoBytes ?? Infinity
    this.clock = budget.time?.clock
    this.deadline = budget.time === undefined ? Infinity : budget.time.clock() + budget.time.maxMilliseconds
  }

  /** Counts one step; true when the budget is spent. */
  spend(): boolean {
    this.steps++
    if (this.steps >= this.maxSteps) return true
    if (this.clock !== undefined && (this.steps & (stepsBetweenClockReadings - 1)) === 0) {
      return this.clock() >= this.deadline
    }
    return false
  }
}
