/**
 * The doubly linked lists of entries the search walks (Lowe's formulation of Wing & Gong, as in Porcupine).
 * Linearizing an operation lifts its entries out of its list; backtracking puts them back in place, which works
 * because entries are restored in the reverse order of their removal.
 *
 * Operations with a known return time live in the main list as a call entry and a return entry, sorted by
 * time. Operations whose outcome is unknown never return (their return time is +∞), so they live in a second
 * list of call entries only: the search tries them after the definite operations, and stops as soon as every
 * definite operation is placed, since the rest may take effect at the end or never.
 */
export interface Entry {
  readonly isCall: boolean
  /** True for the call entry of an operation whose outcome is unknown (it is in the second list). */
  readonly isUnknown: boolean
  /** Index of the operation within its partition. */
  readonly operation: number
  readonly time: number
  previous: Entry | null
  next: Entry | null
  /** For a call in the main list, its return entry; null otherwise. */
  match: Entry | null
}

export interface TimedOperation {
  readonly callTime: number
  readonly returnTime: number
}

export interface EntryLists {
  /** Sentinel of the main list (definite operations). */
  readonly head: Entry
  /** Sentinel of the list of unknown-outcome operations, sorted by call time. */
  readonly unknownHead: Entry
}

const sentinel = (): Entry => ({
  isCall: false,
  isUnknown: false,
  operation: -1,
  time: -Infinity,
  previous: null,
  next: null,
  match: null
})

const link = (head: Entry, entries: ReadonlyArray<Entry>): void => {
  let last = head
  for (const entry of entries) {
    last.next = entry
    entry.previous = last
    last = entry
  }
}

/** At equal times calls come before returns, so operations that touch the same instant count as concurrent. */
const byTime = (left: Entry, right: Entry): number => {
  if (left.time !== right.time) return left.time - right.time
  if (left.isCall !== right.isCall) return left.isCall ? -1 : 1
  return left.operation - right.operation
}

/**
 * With `unknownInMain`, the unknown-outcome call entries are also linked into the main list at their call times
 * (and `unknownHead` still lists them, through `unknownEntries`); the search then tries them in time order.
 */
export const buildEntryLists = (
  operations: ReadonlyArray<TimedOperation>,
  unknownInMain = false
): EntryLists & { readonly unknownEntries: ReadonlyArray<Entry> } => {
  const definite: Array<Entry> = []
  const unknown: Array<Entry> = []
  operations.forEach((operation, index) => {
    // Callers build operations from histories that were validated; a bad time here is a programming error.
    if (!Number.isFinite(operation.callTime) || !(operation.returnTime >= operation.callTime)) {
      throw new RangeError(
        `operation ${index} has call time ${operation.callTime} and return time ${operation.returnTime}`
      )
    }
    if (operation.returnTime === Infinity) {
      unknown.push({
        isCall: true,
        isUnknown: true,
        operation: index,
        time: operation.callTime,
        previous: null,
        next: null,
        match: null
      })
      return
    }
    const returnEntry: Entry = {
      isCall: false,
      isUnknown: false,
      operation: index,
      time: operation.returnTime,
      previous: null,
      next: null,
      match: null
    }
    definite.push({
      isCall: true,
      isUnknown: false,
      operation: index,
      time: operation.callTime,
      previous: null,
      next: null,
      match: returnEntry
    })
    definite.push(returnEntry)
  })
  unknown.sort(byTime)
  if (unknownInMain) definite.push(...unknown)
  definite.sort(byTime)
  const lists = { head: sentinel(), unknownHead: sentinel(), unknownEntries: unknown }
  link(lists.head, definite)
  if (!unknownInMain) link(lists.unknownHead, unknown)
  return lists
}

/** Removes an entry from its list, and for a definite call its return entry too. */
export const lift = (call: Entry): void => {
  call.previous!.next = call.next
  if (call.next !== null) call.next.previous = call.previous
  const match = call.match
  if (match === null) return
  match.previous!.next = match.next
  if (match.next !== null) match.next.previous = match.previous
}

/** Undoes `lift`; the neighbours recorded in the entries are still the right ones. */
export const unlift = (call: Entry): void => {
  const match = call.match
  if (match !== null) {
    match.previous!.next = match
    if (match.next !== null) match.next.previous = match
  }
  call.previous!.next = call
  if (call.next !== null) call.next.previous = call
}
