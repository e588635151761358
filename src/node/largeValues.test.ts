/**
 * Issue 13, F2 on a real 3-node cluster: a follower restarted behind 30 values of 64 KiB of control bytes (about
 * 393 KB of JSON each, 11.8 MB together) catches up. With AppendEntries bounded by entry count only, every catch-up
 * batch was larger than the 8 MiB peer frame and was dropped on every retry, so the follower never caught up; now
 * batches are bounded by bytes as well, and the leader's link reports no oversized drop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fetchStatus, waitFor, waitForLeader } from "./localCluster.ts"
import { call, startTestCluster, type TestCluster } from "./testCluster.ts"

const largeValue = "\u0001".repeat(64 * 1024)
const largeWrites = 30

describe("a follower restarted behind large values", () => {
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

  it("catches up on 30 values of 64 KiB control bytes, with no frame dropped as oversized", async () => {
    // Arrange
    const follower = (leader + 1) % 3
    await test.cluster.stopNode(follower, "SIGKILL")
    let lastIndex = 0
    for (let write = 0; write < largeWrites; write += 1) {
      const answer = await call(`${urlOf(leader)}/kv/large-${write}`, { method: "PUT", body: largeValue }, 30_000)
      expect(answer.status).toBe(200)
      lastIndex = Math.max(lastIndex, answer.body.index as number)
    }
    // Act
    test.cluster.start(follower)
    // Assert
    await waitFor("the restarted follower to apply every large value", 150_000, async () => {
      const status = await fetchStatus(urlOf(follower))
      return status !== undefined && (status.lastApplied as number) >= lastIndex ? true : undefined
    })
    const leaderStatus = await fetchStatus(urlOf(leader), 10_000)
    const links = (leaderStatus?.peers ?? []) as ReadonlyArray<{ id: number; oversizedDrops: number }>
    expect(links.find((link) => link.id === follower)?.oversizedDrops).toBe(0)
    const read = await call(`${urlOf(leader)}/kv/large-${largeWrites - 1}`, {}, 30_000)
    expect(read.body.value).toBe(largeValue)
  }, 300_000)
})
