/**
 * The unknown-outcome operations of a partition, grouped by input. Two of them with the same input are
 * interchangeable: both may take effect at any time after their calls, and the earlier-called one may go
 * wherever the later one can (every operation that returned before the later call returned before the earlier
 * one too). So if any linearization exists, one exists that uses each group in call order, and the search only
 * ever considers the next unused operation of each group. A crash-heavy register history has hundreds of
 * timed-out writes but only a few dozen distinct inputs (5 writes and 25 cas over values 0–4): without the
 * groups every blocked point scanned all of them, and every subset that reaches the same state was a separate
 * memo entry. Specs without `inputKey` get one group per operation (the plain search).
 */
import type { Entry } from "./entries.ts"
import type { Operation } from "./history.ts"
import type { LinearizabilitySpec } from "./spec.ts"

export class UnknownGroups<Input = unknown, Output = unknown> {
  /** Per group, its call entries in call order. */
  private readonly members: Array<Array<Entry>> = []
  /** Per group, how many of its members are linearized (always the first ones). */
  private readonly used: Array<number> = []
  private readonly groupOfOperation = new Map<number, number>()

  constructor(
    spec: Pick<LinearizabilitySpec<unknown, Input, Output>, "inputKey">,
    operations: ReadonlyArray<Operation<Input, Output>>,
    unknownEntries: ReadonlyArray<Entry>
  ) {
    const groupOfKey = new Map<string, number>()
    // The entries are sorted by call time (ties by index), so members are appended in call order.
    for (const cursor of unknownEntries) {
      const key = spec.inputKey?.(operations[cursor.operation]!.input)
      let group = key === undefined ? undefined : groupOfKey.get(key)
      if (group === undefined) {
        group = this.members.length
        this.members.push([])
        this.used.push(0)
        if (key !== undefined) groupOfKey.set(key, group)
      }
      this.members[group]!.push(cursor)
      this.groupOfOperation.set(cursor.operation, group)
    }
  }

  get count(): number {
    return this.members.length
  }

  groupOf(operation: number): number {
    return this.groupOfOperation.get(operation)!
  }

  /** The first group from `group` on whose next unused operation was called by `before`, or `count`. */
  nextCandidateGroup(group: number, before: number): number {
    let at = group
    while (at < this.members.length && this.candidate(at, before) === null) at++
    return at
  }

  /** The group's next unused operation, if it was called by `before` (the first remaining return). */
  candidate(group: number, before: number): Entry | null {
    const next = this.members[group]![this.used[group]!]
    return next !== undefined && next.time <= before ? next : null
  }

  /** True when `operation` is the next unused member of its group: the only one of the group that may go now. */
  isNext(operation: number): boolean {
    const group = this.groupOf(operation)
    return this.members[group]![this.used[group]!]!.operation === operation
  }

  /** Marks the group's next operation (which must be `operation`) linearized. */
  take(operation: number): void {
    this.used[this.groupOf(operation)]!++
  }

  /** Undoes the last `take` of the operation's group. */
  untake(operation: number): void {
    this.used[this.groupOf(operation)]!--
  }
}
