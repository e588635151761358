/**
 * The simulator's one event queue: a binary min-heap ordered by (time, sequence). The sequence number breaks
 * ties in insertion order, so two events at the same millisecond always run in the same order. The heap keeps
 * times, sequences and events in three parallel arrays, so queueing an event allocates nothing of its own.
 */
import { Data } from "effect"
import { assert } from "../assert.ts"

/** The queue holds its capacity: a bound of the run, which the simulator reports as a cap hit. */
export class QueueFull extends Data.TaggedError("QueueFull")<{ readonly capacity: number }> {
  override get message(): string {
    return `the event queue is full (${this.capacity} events)`
  }
}

export class EventQueue<Event> {
  private readonly times: Array<number> = []
  private readonly sequences: Array<number> = []
  private readonly events: Array<Event> = []
  private nextSequence = 0

  constructor(readonly capacity: number) {
    assert(capacity >= 1, "the event queue holds at least one event")
  }

  get size(): number {
    return this.events.length
  }

  push(atMs: number, event: Event): void {
    if (this.events.length >= this.capacity) throw new QueueFull({ capacity: this.capacity })
    assert(Number.isInteger(atMs) && atMs >= 0, () => `events happen at whole non-negative milliseconds, got ${atMs}`)
    const sequence = this.nextSequence
    this.nextSequence += 1
    const { times, sequences, events } = this
    let position = events.length
    times.push(atMs)
    sequences.push(sequence)
    events.push(event)
    while (position > 0) {
      const parent = (position - 1) >> 1
      const parentTime = times[parent] as number
      if (parentTime < atMs || (parentTime === atMs && (sequences[parent] as number) < sequence)) break
      this.move(parent, position)
      position = parent
    }
    times[position] = atMs
    sequences[position] = sequence
    events[position] = event
  }

  peekTimeMs(): number {
    return this.events.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number)
  }

  /** Removes and returns the earliest event (the first queued among those at the earliest time). */
  pop(): Event | undefined {
    const { times, sequences, events } = this
    if (events.length === 0) return undefined
    const top = events[0] as Event
    const lastTime = times.pop() as number
    const lastSequence = sequences.pop() as number
    const lastEvent = events.pop() as Event
    const length = events.length
    if (length === 0) return top
    let position = 0
    for (;;) {
      const left = 2 * position + 1
      if (left >= length) break
      const right = left + 1
      const smaller = right < length && this.before(right, left) ? right : left
      const childTime = times[smaller] as number
      if (childTime > lastTime || (childTime === lastTime && (sequences[smaller] as number) > lastSequence)) break
      this.move(smaller, position)
      position = smaller
    }
    times[position] = lastTime
    sequences[position] = lastSequence
    events[position] = lastEvent
    return top
  }

  private before(left: number, right: number): boolean {
    const leftTime = this.times[left] as number
    const rightTime = this.times[right] as number
    return (
      leftTime < rightTime ||
      (leftTime === rightTime && (this.sequences[left] as number) < (this.sequences[right] as number))
    )
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number
    this.sequences[to] = this.sequences[from] as number
    this.events[to] = this.events[from] as Event
  }
}
