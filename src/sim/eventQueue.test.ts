import { describe, expect, it } from "vitest"
import { EventQueue, QueueFull } from "./eventQueue.ts"

describe("the event queue", () => {
  it("pops by time, and by insertion order within a millisecond", () => {
    const queue = new EventQueue<string>(1000)
    // A deterministic shuffle of 300 events over 20 distinct times.
    const pushed: Array<{ atMs: number; name: string }> = []
    for (let position = 0; position < 300; position += 1) {
      const atMs = (position * 7919) % 20
      pushed.push({ atMs, name: `e${position}` })
      queue.push(atMs, `e${position}`)
    }
    const expected = [...pushed].sort((left, right) => left.atMs - right.atMs).map((event) => event.name)
    const popped: Array<string> = []
    while (queue.size > 0) {
      const atMs = queue.peekTimeMs()
      const event = queue.pop() as string
      expect(pushed.find((candidate) => candidate.name === event)?.atMs).toBe(atMs)
      popped.push(event)
    }
    expect(popped).toEqual(expected)
    expect(queue.pop()).toBeUndefined()
    expect(queue.peekTimeMs()).toBe(Number.POSITIVE_INFINITY)
  })

  it("interleaves pushes and pops in order", () => {
    const queue = new EventQueue<number>(100)
    queue.push(5, 1)
    queue.push(3, 2)
    expect(queue.pop()).toBe(2)
    queue.push(4, 3)
    queue.push(5, 4)
    expect([queue.pop(), queue.pop(), queue.pop()]).toEqual([3, 1, 4])
  })

  it("refuses events beyond its capacity and at fractional or negative times", () => {
    const queue = new EventQueue<number>(2)
    queue.push(0, 1)
    queue.push(0, 2)
    expect(() => queue.push(0, 3)).toThrow(QueueFull)
    expect(() => new EventQueue<number>(10).push(1.5, 1)).toThrow(/whole non-negative/)
    expect(() => new EventQueue<number>(10).push(-1, 1)).toThrow(/whole non-negative/)
  })
})
