/**
 * The simulator's one event queue: a binary min-heap ordered by (time, sequence). The sequence number breaks
 * ties in insertion order, so two events at the same millisecond always run in the same order.
 */
export interface Queued<Event> {
  readonly atMs: number
  readonly sequence: number
  readonly event: Event
}

export class QueueFull extends Error {
  override readonly name = "QueueFull"
}

const before = <Event>(left: Queued<Event>, right: Queued<Event>): boolean =>
  left.atMs < right.atMs || (left.atMs === right.atMs && left.sequence < right.sequence)

export class EventQueue<Event> {
  private readonly heap: Array<Queued<Event>> = []
  private nextSequence = 0

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error("the event queue's capacity should be at least 1")
  }

  get size(): number {
    return this.heap.length
  }

  push(atMs: number, event: Event): void {
    if (this.heap.length >= this.capacity) throw new QueueFull(`the event queue is full (${this.capacity} events)`)
    if (!Number.isInteger(atMs) || atMs < 0) throw new Error(`events happen at whole non-negative milliseconds, got ${atMs}`)
    const item: Queued<Event> = { atMs, sequence: this.nextSequence, event }
    this.nextSequence += 1
    const heap = this.heap
    let position = heap.length
    heap.push(item)
    while (position > 0) {
      const parent = (position - 1) >> 1
      const parentItem = heap[parent] as Queued<Event>
      if (!before(item, parentItem)) break
      heap[position] = parentItem
      position = parent
    }
    heap[position] = item
  }

  peekTimeMs(): number {
    const top = this.heap[0]
    return top === undefined ? Number.POSITIVE_INFINITY : top.atMs
  }

  pop(): Queued<Event> | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    const length = heap.length
    let position = 0
    for (;;) {
      const left = 2 * position + 1
      if (left >= length) break
      const right = left + 1
      const smaller = right < length && before(heap[right] as Queued<Event>, heap[left] as Queued<Event>) ? right : left
      const child = heap[smaller] as Queued<Event>
      if (!before(child, last)) break
      heap[position] = child
      position = smaller
    }
    heap[position] = last
    return top
  }
}
