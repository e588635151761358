/** Pipelined requests of one connection run one at a time in arrival order, and a deep queue stops reading. */
import type * as net from "node:net"
import { describe, expect, it } from "vitest"
import { ConnectionQueue } from "./connectionQueue.ts"

const fakeSocket = () => {
  const calls: Array<string> = []
  const socket = {
    destroyed: false,
    pause: () => calls.push("pause"),
    resume: () => calls.push("resume"),
    destroy: () => {
      calls.push("destroy")
      socket.destroyed = true
    }
  }
  return { socket: socket as unknown as net.Socket, calls }
}

describe("the per-connection queue", () => {
  it("runs each connection's tasks in order, one at a time, and connections independently", async () => {
    const queue = new ConnectionQueue()
    const first = fakeSocket()
    const second = fakeSocket()
    const log: Array<string> = []
    const task = (name: string, delayMs: number) => async () => {
      log.push(`start ${name}`)
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      log.push(`end ${name}`)
    }
    queue.run(first.socket, task("put", 30))
    queue.run(first.socket, task("delete", 0))
    queue.run(second.socket, task("other", 5))
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(log).toEqual(["start put", "start other", "end other", "end put", "start delete", "end delete"])
    expect(queue.counters.pipelinedRequests).toBe(1)
  })

  it("pauses reading past its depth, resumes once drained, and closes a connection past the maximum", async () => {
    const queue = new ConnectionQueue(2, 4)
    const { socket, calls } = fakeSocket()
    let release: () => void = () => undefined
    const blocked = new Promise<void>((resolve) => (release = resolve))
    queue.run(socket, () => blocked)
    for (let index = 0; index < 2; index += 1) queue.run(socket, async () => undefined)
    expect(calls).toEqual(["pause"])
    queue.run(socket, async () => undefined)
    queue.run(socket, async () => undefined)
    expect(calls).toEqual(["pause", "pause", "destroy"])
    expect(queue.counters.pipelineOverflows).toBe(1)
    release()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(calls).toEqual(["pause", "pause", "destroy"])
  })
})
