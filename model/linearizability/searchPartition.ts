/**
 * Wing–Gong–Lowe search for one partition, iterative, with memoization of (linearized set, state): two paths
 * that linearized the same operations and reached the same state have the same future, so the second is cut.
 * The shape follows Porcupine's checkSingle (github.com/anishathalye/porcupine, checker.go); unknown-outcome
 * operations are kept apart (see entries.ts).
 */
import type { BudgetMeter } from "./budget.ts"
import { Bitset } from "./bitset.ts"
import { buildEntryLists, type Entry, type EntryLists, lift, unlift } from "./entries.ts"
import type { Operation } from "./history.ts"
import { Memo } from "./memo.ts"
import type { LinearizabilitySpec } from "./spec.ts"

/** Where the search got furthest before being forced back: the material of a failure explanation. */
export interface DeadEnd<State> {
  /** Operation indexes (within the partition) of the longest linearizable prefix found, in order. */
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

export const searchPartition = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  meter: BudgetMeter
): PartitionOutcome<State> => {
  const lists = buildEntryLists(operations)
  const { head, unknownHead } = lists
  const twins = earlierTwins(spec, operations, unknownHead)
  const linearized = new Bitset(operations.length)
  const memo = new Memo<State>(operations.length, spec.statesEqual, spec.hashState)
  const stackEntries: Array<Entry> = []
  const stackStates: Array<State> = []
  // For each stacked unknown-outcome entry, the return entry that bounded the scan it was chosen in.
  const stackBlocking: Array<Entry | null> = []
  let deadEnd: DeadEnd<State> | undefined
  let state = spec.initialState
  let entry: Entry | null = head.next
  // Null while scanning the main list; the first remaining return entry while scanning the unknown list.
  let blocking: Entry | null = null
  while (head.next !== null) {
    if (meter.spend()) return { _tag: "Exhausted", longestPrefix: deadEnd?.prefix.length ?? stackEntries.length }
    if (blocking === null && entry!.match === null) {
      // Every definite call before this return failed; the unknown-outcome operations invoked before it may go.
      blocking = entry
      entry = unknownHead.next
      continue
    }
    if (entry !== null && (blocking === null || entry.time <= blocking.time)) {
      const operation = operations[entry.operation]!
      const next = spec.step(state, operation.input, operation.output)
      // An unknown-outcome operation that leaves the state as it is can always be moved to the end (or dropped),
      // so placing it here never helps: skip it (a failed cas that timed out, a write of the current value).
      const useless = blocking !== null && next !== undefined && spec.statesEqual(next, state)
      // Of interchangeable unknown-outcome operations, the earliest called goes first (see earlierTwins).
      const twin = blocking === null ? -1 : twins[entry.operation]!
      const outOfTurn = twin !== -1 && !linearized.has(twin)
      if (next !== undefined && !useless && !outOfTurn && memo.insert(linearized, entry.operation, next)) {
        stackEntries.push(entry)
        stackStates.push(state)
        stackBlocking.push(blocking)
        linearized.set(entry.operation)
        lift(entry)
        state = next
        entry = head.next
        blocking = null
      } else {
        entry = entry.next
      }
      continue
    }
    // No candidate is left before `blocking` returns: back up one operation.
    if (deadEnd === undefined || stackEntries.length > deadEnd.prefix.length) {
      deadEnd = describeDeadEnd(spec, operations, lists, blocking!, stackEntries, state)
    }
    const top = stackEntries.pop()
    if (top === undefined) return { _tag: "NotLinearizable", deadEnd }
    state = stackStates.pop()!
    blocking = stackBlocking.pop()!
    linearized.clear(top.operation)
    unlift(top)
    entry = top.next
  }
  return { _tag: "Linearizable", order: stackEntries.map((linearizedEntry) => linearizedEntry.operation) }
}

/**
 * For each unknown-outcome operation, the one with the same input called just before it (-1 if none). Two such
 * operations are interchangeable: both may take effect at any time after their calls, and the earlier-called one
 * may go wherever the later one can (every operation that returned before the later call returned before the
 * earlier one too). So some linearization, if any exists, uses each group in call order, and the search only
 * places an operation after its earlier twin. Without this, a history with hundreds of timed-out writes of five
 * values explores every subset of them that leads to the same state, each a separate memo entry.
 */
const earlierTwins = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  unknownHead: Entry
): Int32Array => {
  const twins = new Int32Array(operations.length).fill(-1)
  const inputKey = spec.inputKey
  if (inputKey === undefined) return twins
  const lastOfInput = new Map<string, number>()
  // The unknown list is sorted by call time, ties by index: the order the search must use each group in.
  for (let cursor = unknownHead.next; cursor !== null; cursor = cursor.next) {
    const key = inputKey(operations[cursor.operation]!.input)
    const previous = lastOfInput.get(key)
    if (previous !== undefined) twins[cursor.operation] = previous
    lastOfInput.set(key, cursor.operation)
  }
  return twins
}

const describeDeadEnd = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  { head, unknownHead }: EntryLists,
  blocking: Entry,
  stackEntries: ReadonlyArray<Entry>,
  state: State
): DeadEnd<State> => {
  const candidates: Array<{ operation: number; accepted: boolean }> = []
  const consider = (index: number) => {
    const operation = operations[index]!
    candidates.push({ operation: index, accepted: spec.step(state, operation.input, operation.output) !== undefined })
  }
  for (let cursor = head.next; cursor !== null && cursor !== blocking; cursor = cursor.next) {
    if (cursor.match !== null) consider(cursor.operation)
  }
  for (let cursor = unknownHead.next; cursor !== null && cursor.time <= blocking.time; cursor = cursor.next) {
    consider(cursor.operation)
  }
  return {
    prefix: stackEntries.map((linearizedEntry) => linearizedEntry.operation),
    stateAfterPrefix: state,
    blocking: blocking.operation,
    candidates
  }
}
