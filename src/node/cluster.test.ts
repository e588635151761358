/**
 * A 3-node cluster of real `faultline serve` processes on loopback: election, replication, CAS, refusals of bad
 * input, and the peer port's refusals (a stranger's handshake, a bad HMAC, a malformed message, a replayed frame).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { encodeFrame } from "./frame.ts"
import { decodeChallenge, encodeHello, newNonce } from "./handshake.ts"
import { fetchStatus, waitFor, waitForLeader } from "./localCluster.ts"
import { connectAsPeer, connectRaw } from "./rawPeer.ts"
import { call, startTestCluster, statusOf, type TestCluster } from "./testCluster.ts"

describe("a 3-node cluster on loopback", () => {
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
  const followerOf = (): number => (leader + 1) % 3

  it("elects exactly one leader that every node follows", async () => {
    const statuses = await Promise.all([0, 1, 2].map((id) => statusOf(test.cluster, id)))
    expect(statuses.filter((status) => status.role === "leader")).toHaveLength(1)
    expect(new Set(statuses.map((status) => status.leader))).toEqual(new Set([leader]))
    expect(new Set(statuses.map((status) => status.term)).size).toBe(1)
    const health = await call(`${urlOf(followerOf())}/health`)
    expect(health.status).toBe(200)
  })

  it("replicates writes: every node advances lastApplied, and a follower redirects to the leader", async () => {
    let lastIndex = 0
    for (let write = 0; write < 20; write += 1) {
      const answer = await call(`${urlOf(leader)}/kv/replicated-${write}`, { method: "PUT", body: `value-${write}` })
      expect(answer.status).toBe(200)
      lastIndex = answer.body.index as number
    }
    await waitFor("every node to apply the writes", 10_000, async () => {
      const statuses = await Promise.all([0, 1, 2].map((id) => fetchStatus(urlOf(id))))
      return statuses.every((status) => (status?.lastApplied as number) >= lastIndex) ? true : undefined
    })
    const redirected = await fetch(`${urlOf(followerOf())}/kv/replicated-7`, { redirect: "manual" })
    expect(redirected.status).toBe(307)
    expect(redirected.headers.get("location")).toBe(`${urlOf(leader)}/kv/replicated-7`)
    const read = await call(`${urlOf(followerOf())}/kv/replicated-7`)
    expect(read).toMatchObject({ status: 200, body: { key: "replicated-7", value: "value-7" } })
  })

  it("CAS gives 200, then 409 with the current value, and 404 for a missing key", async () => {
    const cas = (key: string, expected: string | null, value: string) =>
      call(`${urlOf(leader)}/kv/${key}/cas`, { method: "POST", body: JSON.stringify({ expected, value }) })
    expect((await cas("cas-key", null, "first")).status).toBe(200)
    const mismatch = await cas("cas-key", null, "second")
    expect(mismatch).toMatchObject({ status: 409, body: { current: "first" } })
    expect((await cas("cas-key", "first", "second")).status).toBe(200)
    expect((await cas("cas-missing", "anything", "x")).status).toBe(404)
    expect((await call(`${urlOf(leader)}/kv/cas-key`)).body.value).toBe("second")
  })

  it("applies a retried write with the same Idempotency-Key once", async () => {
    const init = {
      method: "POST",
      body: JSON.stringify({ expected: null, value: "once" }),
      headers: { "idempotency-key": "retry-1" }
    }
    expect((await call(`${urlOf(leader)}/kv/idempotent/cas`, init)).status).toBe(200)
    // Executed again, this CAS would find "once" and answer 409; the session returns the first result instead.
    expect((await call(`${urlOf(leader)}/kv/idempotent/cas`, init)).status).toBe(200)
  })

  it("refuses malformed and oversized requests with the right 4xx and changes nothing", async () => {
    const base = urlOf(leader)
    const refusals: Array<[Promise<{ status: number; body: Record<string, unknown> }>, number]> = [
      [call(`${base}/kv/bad/cas`, { method: "POST", body: "{not json" }), 400],
      [call(`${base}/kv/bad/cas`, { method: "POST", body: JSON.stringify({ value: "v" }) }), 400],
      [call(`${base}/kv/${"k".repeat(300)}`, { method: "PUT", body: "v" }), 400],
      [call(`${base}/kv/bad`, { method: "PUT", body: "x".repeat(70 * 1024) }), 413],
      [call(`${base}/nowhere`), 404],
      [call(`${base}/admin/faults`, { method: "POST", body: "{}" }), 404],
      [call(`${base}/kv/bad`, { method: "POST", body: "v" }), 405],
      [call(`${base}/status`, { method: "DELETE" }), 405],
      [call(`${base}/kv/bad`, { method: "PUT", body: "v", headers: { "client-id": "c" } }), 400]
    ]
    for (const [answer, status] of refusals) {
      const { status: actual, body } = await answer
      expect(actual).toBe(status)
      expect(typeof body.error).toBe("string")
    }
    expect((await call(`${base}/kv/bad`)).status).toBe(404)
  })

  it("refuses a stranger's handshake; from a peer with the secret counts a bad HMAC, a malformed message and a replay", async () => {
    const target = followerOf()
    const other = 3 - leader - target
    const port = test.cluster.nodeAt(target).peerPort
    const before = await statusOf(test.cluster, target)
    const stranger = await connectRaw(port)
    const acceptorNonce = decodeChallenge(stranger.challenge) as Buffer
    stranger.socket.write(
      encodeHello("not-the-cluster-secret", { from: other, to: target, acceptorNonce, diallerNonce: newNonce() })
    )
    await new Promise((resolve) => stranger.socket.once("close", resolve))

    // The real node `other` is stopped meanwhile: its own link would otherwise redial and replace this
    // connection (the transport keeps one authenticated connection per peer) before the frames are read.
    const otherProcess = test.cluster.nodeAt(other).process
    otherProcess?.kill("SIGSTOP")
    const peer = await connectAsPeer(port, test.cluster.clusterSecret, other, target)
    const forged = encodeFrame(Buffer.alloc(32, 1), 0, { from: other, to: target }, [
      JSON.stringify({ _tag: "RequestVote", term: 1_000, lastLogIndex: 1_000, lastLogTerm: 1_000, preVote: false })
    ])
    peer.socket.write(forged)
    const malformed = peer.send([{ _tag: "RequestVote", term: -1 }], 0)
    peer.socket.write(malformed)
    const after = await waitFor("the refusals to be counted", 5_000, async () => {
      const status = await statusOf(test.cluster, target)
      const transport = status.transport as Record<string, number>
      return transport.replayedFrames === 1 ? status : undefined
    })
    peer.socket.destroy()
    otherProcess?.kill("SIGCONT")
    const counters = after.transport as Record<string, number>
    const earlier = before.transport as Record<string, number>
    expect(counters.badHandshakes).toBe((earlier.badHandshakes ?? 0) + 1)
    expect(counters.badHmacFrames).toBe(1)
    expect((after.rejectedMessages as Record<string, number>).Malformed).toBe(1)
    expect(after.term).toBe(before.term)
  })
})
