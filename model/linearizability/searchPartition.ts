/**
 * Wing–Gong–Lowe search for one partition, iterative, with memoization of (linearized set, state): two paths
 * that linearized the same operations and reached the same state have the same future, so the second is cut.
 * The shape follows Porcupine's checkSingle (github.com/anishathalye/porcupine, checker.go); unknown-outcome
 * operations are kept apart, grouped by input (unknownGroups.ts), and tried only when no definite operation can
 * go next.
 */
import type { BudgetMeter } from "./budget.ts"
import { Bitset } from "./bitset.ts"
import { DeadEndTracker } from "./deadEndTracker.ts"
import { buildEntryLists, type Entry, lift, unlift } from "./entries.ts"
import type { Operation } from "./history.ts"
import { Memo } from "./memo.ts"
import type { LinearizabilitySpec } from "./spec.ts"
import { UnknownGroups } from "./unknownGroups.ts"

/** Where the search got furthest before being forced back: the material of a failure explanation. */
export interface DeadEnd<State> {
  /** Operation indexes (within the partition) of the longest linearizable prefix found (most operations that
   *  returned, then most in all: deadEndTracker.ts), in order. */
  readonly prefix: ReadonlyArray<number>
  readonly stateAfterPrefix: State
  /** The remaining operation that returned first: it must take effect before anything called after it returned. */
  readonly blocking: number
  /** Operations that could go next; `accepted` says whether the spec allowed its result in that state. */
  readonly candidates: ReadonlyArray<{ readonly operation: number; readonly accepted: boolean }>
}

export type PartitionOutcome<State> =
  | { readonly _tag: "Linearizable"; readonly order: ReadonlyArray<number> }
  | { readonly _tag: "NotLinearizable"; readonly deadEnd: DeadEnd<State> }
  | { readonly _tag: "Exhausted"; readonly longestPrefix: number }

/**
 * Searches one partition. Inside, the operations are renumbered (known outcomes first, in call order, then the
 * unknown ones) so that linearized sets have compact memo keys (bitset.ts); the outcome speaks of the caller's
 * indexes.
 */
export const searchPartition = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  meter: BudgetMeter
): PartitionOutcome<State> => {
  const byCall = (left: number, right: number) =>
    operations[left]!.callTime - operations[right]!.callTime || left - right
  const indexes = operations.map((_, index) => index)
  const definite = indexes.filter((index) => operations[index]!.returnTime !== Infinity).sort(byCall)
  const unknown = indexes.filter((index) => operations[index]!.returnTime === Infinity).sort(byCall)
  const original = [...definite, ...unknown]
  const outcome = searchNumbered(
    spec,
    original.map((index) => operations[index]!),
    definite.length,
    meter
  )
  const back = (index: number) => original[index]!
  switch (outcome._tag) {
    case "Linearizable":
      return { _tag: "Linearizable", order: outcome.order.map(back) }
    case "Exhausted":
      return outcome
    case "NotLinearizable": {
      const { deadEnd } = outcome
      return {
        _tag: "NotLinearizable",
        deadEnd: {
          ...deadEnd,
          prefix: deadEnd.prefix.map(back),
          blocking: back(deadEnd.blocking),
          candidates: deadEnd.candidates.map(({ operation, accepted }) => ({ operation: back(operation), accepted }))
        }
      }
    }
  }
}

const searchNumbered = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  definiteCount: number,
  meter: BudgetMeter
): PartitionOutcome<State> => {
  // Unknown-outcome calls sit in the main list at their call times (they never return), so they are tried in
  // time order like the rest: in a real run such an operation most often took effect soon after its call.
  const lists = buildEntryLists(operations, true)
  const { head } = lists
  const groups = new UnknownGroups(spec, operations, lists.unknownEntries)
  const linearized = new Bitset(operations.length, definiteCount)
  const memo = new Memo<State>(linearized, spec.statesEqual, spec.hashState, meter.maxMemoBytes)
  const tracker = new DeadEndTracker<State>()
  const stackEntries: Array<Entry> = []
  const stackStates: Array<State> = []
  let definiteLeft = definiteCount
  let state = spec.initialState
  let entry: Entry = head.next ?? head
  while (definiteLeft > 0) {
    if (meter.spend() || memo.full) {
      return { _tag: "Exhausted", longestPrefix: Math.max(tracker.longest, stackEntries.length) }
    }
    if (entry.isCall) {
      const operation = operations[entry.operation]!
      const next = spec.step(state, operation.input, operation.output)
      // An unknown-outcome operation that leaves the state as it is can always be moved to the end (or dropped),
      // so placing it here never helps (a failed cas that timed out, a write of the current value); of
      // interchangeable ones only the earliest called unused one may go (unknownGroups.ts).
      const allowed =
        next !== undefined && (!entry.isUnknown || (!spec.statesEqual(next, state) && groups.isNext(entry.operation)))
      if (allowed && memo.insert(linearized, entry.operation, next)) {
        stackEntries.push(entry)
        stackStates.push(state)
        linearized.push(entry.operation)
        lift(entry)
        if (entry.isUnknown) groups.take(entry.operation)
        else definiteLeft--
        state = next
        entry = head.next!
      } else {
        entry = entry.next!
      }
      continue
    }
    // `entry` is the first remaining return: nothing before it can go next, so back up one operation.
    tracker.deadEnd(stackEntries, definiteCount - definiteLeft, () =>
      describeDeadEnd(spec, operations, head, entry, state)
    )
    const top = stackEntries.pop()
    if (top === undefined) return { _tag: "NotLinearizable", deadEnd: tracker.finish() }
    state = stackStates.pop()!
    linearized.pop(top.operation)
    if (top.isUnknown) groups.untake(top.operation)
    else definiteLeft++
    unlift(top)
    entry = top.next!
  }
  return { _tag: "Linearizable", order: stackEntries.map((linearizedEntry) => linearizedEntry.operation) }
}

const describeDeadEnd = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  head: Entry,
  blocking: Entry,
  state: State
): Omit<DeadEnd<State>, "prefix"> => {
  const candidates: Array<{ operation: number; accepted: boolean }> = []
  for (let cursor = head.next; cursor !== null && cursor !== blocking; cursor = cursor.next) {
    const operation = operations[cursor.operation]!
    const accepted = spec.step(state, operation.input, operation.output) !== undefined
    candidates.push({ operation: cursor.operation, accepted })
  }
  return { stateAfterPrefix: state, blocking: blocking.operation, candidates }
}
