/**
 * Issue 13 on a real 3-node cluster.
 * F1: a Client-Id one character too long for the log used to be accepted, appended by the leader, refused by every
 * follower, and left every later write at 503; after a restart the leader could not read its own WAL. Now the HTTP
 * limits follow from the entry Schema: the request is refused with 400, the boundary length is accepted and
 * replicated, and later writes succeed.
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
})
