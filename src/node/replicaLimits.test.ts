/**
 * Issue 13 on a real 3-node cluster.
 * F1: a Client-Id one character too long for the log used to be accepted, appended by the leader, refused by every
 * follower, and left every later write at 503; after a restart the leader could not read its own WAL. Now the HTTP
 * limits follow from the entry Schema: the request is refused with 400, the boundary length is accepted and
 * replicated, and the cluster keeps writing across a restart of its leader.
 * F2: a follower restarted behind a log of 64 KiB control-byte values (393 KB of JSON each) was sent catch-up
 * batches of 64 entries, 25 MB, over the 8 MiB frame bound and dropped on every retry. Batches are now bounded by
 * bytes: it catches up, and no frame is dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fetchStatus, waitFor, waitForLeader } from "./localCluster.ts"
import { call, startTestCluster, type TestCluster } from "./testCluster.ts"

describe("requests at the log's bounds on a 3-node cluster", () => {
  let test: TestCluster
  let leader: number

  beforeAll(async () => {
    // Generous: three nodes compile their sources at start, slowly on a loaded machine.
    test = await startTestCluster({ startupTimeoutMs: 120_000 })
    leader = await waitForLeader(test.cluster, 60_000)
  }, 200_000)

  afterAll(async () => {
    await test?.[Symbol.asyncDispose]()
  })

  const urlOf = (id: number): string => test.cluster.nodeAt(id).httpUrl
  /** Retries through leader changes (bounded): the request carries its own session, so it runs at most once. */
  const putOnce = async (key: string, body: string, headers: Record<string, string>) => {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const answer = await call(
        `${urlOf(leader)}/kv/${key}`,
        { method: "PUT", body, headers: { ...headers, "x-deadline-ms": "20000" } },
        30_000
      ).catch(() => undefined)
      if (answer?.status === 200) return answer
      const running = test.cluster.nodes.filter((node) => node.process !== undefined).map((node) => node.id)
      leader = await waitForLeader(test.cluster, 60_000, running)
    }
    throw new Error(`PUT ${key} did not succeed in 10 attempts`)
  }
  const put = (key: string, headers: Record<string, string> = {}) =>
    call(`${urlOf(leader)}/kv/${key}`, { method: "PUT", body: "v", headers })

  it("refuses the 122-character Client-Id of the reproduction with 400, and every later write succeeds", async () => {
    const refused = await put("x", { "client-id": "c".repeat(122), sequence: "1" })
    expect(refused.status).toBe(400)
    expect(String(refused.body.error)).toContain("1 to 121")
    const boundary = await put("y", { "client-id": "d".repeat(121), sequence: "1" })
    expect(boundary.status).toBe(200)
    const keyed = await put("z", { "idempotency-key": "k".repeat(116) })
    expect(keyed.status).toBe(200)
    expect((await put("z", { "idempotency-key": "k".repeat(117) })).status).toBe(400)
    const after = await put("after")
    expect(after.status).toBe(200)
    const lastIndex = after.body.index as number
    await waitFor("every node to apply the writes", 10_000, async () => {
      const statuses = await Promise.all([0, 1, 2].map((id) => fetchStatus(urlOf(id))))
      return statuses.every((status) => (status?.lastApplied as number) >= lastIndex) ? true : undefined
    })
  })

  it("brings a restarted follower up to date over a log of 64 KiB control-byte values", async () => {
    const follower = (leader + 1) % 3
    await test.cluster.stopNode(follower, "SIGKILL")
    const value = "\u0001".repeat(64 * 1024)
    let lastIndex = 0
    try {
      for (let write = 0; write < 30; write += 1) {
        // One session, numbered writes: a retry after a lost leadership (a loaded machine) is applied once.
        const written = await putOnce(`large-${write}`, value, { "client-id": "large", sequence: String(write + 1) })
        lastIndex = Math.max(lastIndex, written.body.index as number)
      }
    } finally {
      test.cluster.start(follower)
    }
    await waitFor("the restarted follower to apply every large value", 150_000, async () => {
      const status = await fetchStatus(urlOf(follower))
      return (status?.lastApplied as number) >= lastIndex ? true : undefined
    })
    const peers = (await fetchStatus(urlOf(leader)))?.peers as ReadonlyArray<{ oversizedDrops: number }>
    expect(peers.map((peer) => peer.oversizedDrops)).toEqual([0, 0])
  }, 400_000)

  it("restarts the leader from its WAL and keeps writing", async () => {
    const previous = leader
    await test.cluster.stopNode(previous, "SIGKILL")
    test.cluster.start(previous)
    await waitFor("the restarted node to answer", 120_000, async () => fetchStatus(urlOf(previous)))
    leader = await waitForLeader(test.cluster, 20_000)
    const written = await putOnce("after-restart", "v", { "client-id": "restart", sequence: "1" })
    await waitFor("the restarted node to apply it", 20_000, async () => {
      const status = await fetchStatus(urlOf(previous))
      return (status?.lastApplied as number) >= (written.body.index as number) ? true : undefined
    })
  }, 300_000)
})
