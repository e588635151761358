/**
 * The peer port under attack by someone without the secret, on a real 3-node cluster on loopback (issue #13, F3):
 * idle and slow connections are cut at the handshake deadline, partial 8 MiB frames are refused before their length
 * is ever read, and a follower restarted while 64 strangers per node hold (and reopen) connections rejoins (the old limit was 64 connections in all).
 */
import * as net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fetchStatus, waitFor, waitForLeader } from "./localCluster.ts"
import { holdConnections, partialFrame, type HeldConnections } from "./rawPeer.ts"
import { call, startTestCluster, statusOf, type TestCluster } from "./testCluster.ts"

const counterOf = (status: Record<string, unknown>, name: string): number =>
  ((status.transport as Record<string, number> | undefined)?.[name] ?? 0) as number

describe("the peer port against strangers", () => {
  let test: TestCluster
  let leader: number

  beforeAll(async () => {
    test = await startTestCluster()
    leader = await waitForLeader(test.cluster, 20_000)
  })

  afterAll(async () => {
    await test?.[Symbol.asyncDispose]()
  })

  const urlOf = (id: number): string => test.cluster.nodeAt(id).httpUrl
  const portOf = (id: number): number => test.cluster.nodeAt(id).peerPort

  it("cuts idle and slow connections at the handshake deadline and counts them", async () => {
    const target = (leader + 1) % 3
    const idle = holdConnections(portOf(target), 12)
    // Slow: one byte of a plausible hello every 300 ms, so it is never idle and never finishes within the deadline.
    const slow = net.connect({ host: "127.0.0.1", port: portOf(target) })
    let slowClosed = false
    slow.on("error", () => undefined)
    slow.on("close", () => (slowClosed = true))
    const hello = Buffer.from("FLH1")
    let dripped = 0
    const drip = setInterval(() => {
      if (!slow.destroyed) slow.write(hello.subarray(dripped % 4, (dripped % 4) + 1))
      dripped += 1
    }, 300)
    try {
      await waitFor("the node to close every stranger", 15_000, async () =>
        idle.closedByNode() === 12 && slowClosed ? true : undefined
      )
    } finally {
      clearInterval(drip)
      slow.destroy()
      await idle.release()
    }
    expect(dripped).toBeGreaterThanOrEqual(5)
    const status = await statusOf(test.cluster, target)
    expect(counterOf(status, "handshakeTimeouts") + counterOf(status, "evictedUnauthenticated")).toBeGreaterThanOrEqual(
      13
    )
    expect(counterOf(status, "unauthenticatedConnections")).toBe(0)
    expect(counterOf(status, "authenticatedConnections")).toBe(2)
  })

  it("refuses 62 partial 8 MiB frames before reading their length, and keeps serving", async () => {
    const target = (leader + 2) % 3
    const before = await statusOf(test.cluster, target)
    const partial = holdConnections(portOf(target), 62, { payload: partialFrame(8 * 1024 * 1024 - 1, 60_000) })
    try {
      await waitFor("the node to close all 62", 15_000, async () => (partial.closedByNode() === 62 ? true : undefined))
    } finally {
      await partial.release()
    }
    const after = await statusOf(test.cluster, target)
    const refused =
      counterOf(after, "badHandshakes") -
      counterOf(before, "badHandshakes") +
      counterOf(after, "evictedUnauthenticated") -
      counterOf(before, "evictedUnauthenticated")
    expect(refused).toBe(62)
    expect((await call(`${urlOf(leader)}/kv/after-partial-frames`, { method: "PUT", body: "v" })).status).toBe(200)
  })

  it("a follower restarted while 64 strangers per node hold and reopen connections rejoins", async () => {
    const holders: Array<HeldConnections> = [0, 1, 2].map((id) =>
      holdConnections(portOf(id), 64, { reopen: true, reopenDelayMs: 20, maxOpens: 64 * 40 })
    )
    try {
      const follower = (leader + 1) % 3
      await test.cluster.stopNode(follower, "SIGKILL")
      let lastIndex = 0
      for (let write = 0; write < 10; write += 1) {
        const answer = await call(`${urlOf(leader)}/kv/under-attack-${write}`, { method: "PUT", body: `${write}` })
        expect(answer.status).toBe(200)
        lastIndex = answer.body.index as number
      }
      test.cluster.start(follower)
      await waitFor("the restarted follower to catch up", 120_000, async () => {
        const status = await fetchStatus(urlOf(follower))
        return status !== undefined && (status.lastApplied as number) >= lastIndex && status.leader === leader
          ? true
          : undefined
      })
      // Applying what the leader sends does not show that the leader hears the follower: with the third node
      // stopped, a write commits only if the restarted follower's acknowledgements reach the leader.
      const third = [0, 1, 2].find((id) => id !== leader && id !== follower) as number
      await test.cluster.stopNode(third, "SIGKILL")
      const withTwo = await call(
        `${urlOf(leader)}/kv/with-the-restarted-follower`,
        { method: "PUT", body: "v", headers: { "x-deadline-ms": "20000" } },
        30_000
      )
      expect(withTwo.status).toBe(200)
    } finally {
      await Promise.all(holders.map((holder) => holder.release()))
    }
  }, 180_000)
})
