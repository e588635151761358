/**
 * A peer link's backoff starts again only after a completed handshake: against a listener that accepts and drops
 * every connection (or answers without the secret) it backs off exponentially instead of redialling every 25-50 ms
 * (issue #13: about 200 connections a second).
 */
import * as net from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { encodeChallenge, newNonce } from "./handshake.ts"
import { freePorts } from "./localCluster.ts"
import { PeerLink } from "./peerLink.ts"

const observeMs = 3_000

const linkOptions = (port: number) => ({
  selfId: 0,
  peerId: 1,
  address: { host: "127.0.0.1", port },
  secret: "the-cluster-secret",
  httpUrl: "http://127.0.0.1:1",
  maxQueueMessages: 16,
  maxFrameBytes: 1 << 20
})

describe("a peer link's reconnection backoff", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  const listen = async (
    onConnection: (socket: net.Socket) => void
  ): Promise<{ port: number; accepted: () => number }> => {
    const [port] = await freePorts(1)
    let accepted = 0
    const server = net.createServer((socket) => {
      accepted += 1
      socket.on("error", () => undefined)
      onConnection(socket)
    })
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()))
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())))
    return { port: port as number, accepted: () => accepted }
  }

  it("is not reset by a TCP connect that a listener drops at once", async () => {
    const listener = await listen((socket) => socket.destroy())
    const link = new PeerLink(linkOptions(listener.port))
    cleanups.push(async () => link.close())
    await new Promise((resolve) => setTimeout(resolve, observeMs))
    // Backoff of 25-50, 50-100, 100-200, ... ms: at most 8 dials fit in 3 s; without it, 60 or more.
    expect(listener.accepted()).toBeLessThanOrEqual(10)
    expect(link.counters.connects).toBe(0)
    expect(link.counters.connectFailures).toBe(listener.accepted())
  })

  it("is not reset by a listener that challenges but cannot prove the secret", async () => {
    const listener = await listen((socket) => {
      socket.write(encodeChallenge(newNonce()))
      socket.on("data", () => socket.write(Buffer.alloc(32)))
    })
    const link = new PeerLink(linkOptions(listener.port))
    cleanups.push(async () => link.close())
    await new Promise((resolve) => setTimeout(resolve, observeMs))
    expect(listener.accepted()).toBeLessThanOrEqual(10)
    expect(link.counters.handshakeFailures).toBeGreaterThanOrEqual(1)
    expect(link.counters.connects).toBe(0)
  })
})
