/**
 * Requests pipelined on one HTTP/1.1 connection run one after another, in the order they arrived. node:http
 * emits a `request` event for each pipelined request as soon as its headers are parsed and orders only the
 * responses, so a PUT and a DELETE sent back to back ran in parallel and a pipelined GET after a PUT could read
 * the old value (issue #13, F6). A client that pipelines means "in this order", as RFC 9112 §9.3.2 requires
 * for non-idempotent methods.
 *
 * Bounded: past `pauseDepth` queued requests the connection stops being read until the queue drains (node:http
 * parses the rest of a chunk it already has, so a queue can exceed it by one chunk's worth), and past `maxDepth`
 * the connection is closed.
 */
import type * as net from "node:net"

export interface ConnectionQueueCounters {
  /** Requests that waited behind an earlier request of the same connection. */
  pipelinedRequests: number
  /** Connections closed because they queued more than maxDepth requests. */
  pipelineOverflows: number
}

interface Pending {
  depth: number
  tail: Promise<void>
}

export class ConnectionQueue {
  readonly counters: ConnectionQueueCounters = { pipelinedRequests: 0, pipelineOverflows: 0 }
  private readonly pending = new WeakMap<net.Socket, Pending>()

  constructor(
    private readonly pauseDepth = 32,
    private readonly maxDepth = 4_096
  ) {}

  /** Runs `task` once every earlier task of `socket` has settled; `task` must not reject. */
  run(socket: net.Socket, task: () => Promise<void>): void {
    const existing = this.pending.get(socket)
    const state: Pending = existing ?? { depth: 0, tail: Promise.resolve() }
    if (existing === undefined) this.pending.set(socket, state)
    if (state.depth > 0) this.counters.pipelinedRequests += 1
    state.depth += 1
    if (state.depth > this.maxDepth) {
      this.counters.pipelineOverflows += 1
      socket.destroy()
    } else if (state.depth > this.pauseDepth) socket.pause()
    state.tail = state.tail.then(task).finally(() => {
      state.depth -= 1
      if (state.depth === this.pauseDepth && !socket.destroyed) socket.resume()
    })
  }
}
