/**
 * Regressions from issue #13's adversarial run, against a real 3-node cluster on loopback: a session key reused
 * across the two applications (F5), requests pipelined on one connection (F6), a value that begins with a byte
 * order mark (F7), JSON bodies naming a key twice, and numeric headers in forms other than plain decimal.
 */
import * as net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { waitForLeader } from "./localCluster.ts"
import { call, startTestCluster, type TestCluster } from "./testCluster.ts"

interface RawAnswer {
  readonly status: number
  readonly body: string
}

/** Sends `requests` back to back on one connection (HTTP/1.1 pipelining) and reads as many answers, in order. */
const pipeline = (port: number, requests: ReadonlyArray<string>, timeoutMs = 10_000): Promise<Array<RawAnswer>> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => socket.write(requests.join("")))
    let received = Buffer.alloc(0)
    const answers: Array<RawAnswer> = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`only ${answers.length} of ${requests.length} answers within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      // Bounded: each round takes one whole answer off `received`.
      for (let round = 0; round < requests.length; round += 1) {
        const headEnd = received.indexOf("\r\n\r\n")
        if (headEnd < 0) break
        const head = received.subarray(0, headEnd).toString("latin1")
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? "0")
        if (received.length < headEnd + 4 + length) break
        const body = received.subarray(headEnd + 4, headEnd + 4 + length).toString("utf8")
        answers.push({ status: Number(head.split(" ")[1]), body })
        received = received.subarray(headEnd + 4 + length)
      }
      if (answers.length === requests.length) {
        clearTimeout(timer)
        socket.end()
        resolve(answers)
      }
    })
    socket.on("error", reject)
  })

const rawRequest = (method: string, path: string, body = "", headers: Record<string, string> = {}): string => {
  const lines = [`${method} ${path} HTTP/1.1`, "host: 127.0.0.1", `content-length: ${Buffer.byteLength(body)}`]
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  return `${lines.join("\r\n")}\r\n\r\n${body}`
}

describe("hardened HTTP API on a 3-node cluster", () => {
  let test: TestCluster
  let leaderUrl: string

  beforeAll(async () => {
    test = await startTestCluster()
    leaderUrl = test.cluster.nodeAt(await waitForLeader(test.cluster, 20_000)).httpUrl
  })

  afterAll(async () => {
    await test?.[Symbol.asyncDispose]()
  })

  const portOf = (url: string): number => Number(new URL(url).port)

  it("F5: a ledger Idempotency-Key reused for a KV write (and the reverse) answers 422 with the first result", async () => {
    expect((await call(`${leaderUrl}/accounts/f5`, { method: "POST" })).status).toBe(201)
    const deposit = await call(`${leaderUrl}/accounts/f5/deposit`, {
      method: "POST",
      body: JSON.stringify({ amount: 100 }),
      headers: { "idempotency-key": "f5-ledger-first" }
    })
    expect(deposit.status).toBe(200)
    const reusedForKv = await call(`${leaderUrl}/kv/f5`, {
      method: "PUT",
      body: "v",
      headers: { "idempotency-key": "f5-ledger-first" }
    })
    expect(reusedForKv.status).toBe(422)
    expect(String(reusedForKv.body.error)).toContain("first used for a ledger request")
    expect(reusedForKv.body.firstResult).toMatchObject({ _tag: "AccountOk" })
    expect((await call(`${leaderUrl}/kv/f5`)).status).toBe(404)

    const put = await call(`${leaderUrl}/kv/f5`, { method: "PUT", body: "v", headers: { "idempotency-key": "f5-kv" } })
    expect(put.status).toBe(200)
    const reusedForLedger = await call(`${leaderUrl}/accounts/f5/withdraw`, {
      method: "POST",
      body: JSON.stringify({ amount: 50 }),
      headers: { "idempotency-key": "f5-kv" }
    })
    expect(reusedForLedger.status).toBe(422)
    expect(String(reusedForLedger.body.error)).toContain("first used for a key-value request")
    expect((await call(`${leaderUrl}/accounts/f5`)).body.balance).toBe(100)
  })

  it("F6: requests pipelined on one connection run and answer in order", async () => {
    const port = portOf(leaderUrl)
    for (let round = 0; round < 8; round += 1) {
      const key = `/kv/f6-${round}`
      expect((await call(`${leaderUrl}${key}`, { method: "PUT", body: "old" })).status).toBe(200)
      const answers = await pipeline(port, [
        rawRequest("PUT", key, "new"),
        rawRequest("GET", key),
        rawRequest("DELETE", key),
        rawRequest("GET", key)
      ])
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 404])
      expect(JSON.parse(answers[1]?.body ?? "{}").value).toBe("new")
    }
  })

  it("F7: a value that begins with a UTF-8 byte order mark is stored byte for byte", async () => {
    const value = "\uFEFFbom-first\uFEFF"
    const put = await fetch(`${leaderUrl}/kv/f7`, { method: "PUT", body: Buffer.from(value, "utf8") })
    expect(put.status).toBe(200)
    const read = await call(`${leaderUrl}/kv/f7`)
    expect(read.body.value).toBe(value)
    const cas = await call(`${leaderUrl}/kv/f7/cas`, {
      method: "POST",
      body: JSON.stringify({ expected: value, value: "\uFEFF" })
    })
    expect(cas.status).toBe(200)
    expect((await call(`${leaderUrl}/kv/f7`)).body.value).toBe("\uFEFF")
  })

  it("refuses a JSON body that names a key twice, and changes nothing", async () => {
    expect((await call(`${leaderUrl}/accounts/dup`, { method: "POST" })).status).toBe(201)
    const deposit = await call(`${leaderUrl}/accounts/dup/deposit`, {
      method: "POST",
      body: '{"amount": 1, "amount": 1000000}'
    })
    expect(deposit.status).toBe(400)
    expect(String(deposit.body.error)).toContain('"amount" twice')
    const cas = await call(`${leaderUrl}/kv/dup/cas`, {
      method: "POST",
      body: '{"expected": null, "value": "a", "value": "b"}'
    })
    expect(cas.status).toBe(400)
    expect((await call(`${leaderUrl}/accounts/dup`)).body.balance).toBe(0)
    expect((await call(`${leaderUrl}/kv/dup`)).status).toBe(404)
  })

  it("accepts X-Deadline-Ms and Sequence only in plain decimal", async () => {
    for (const form of ["0x10", "1e3", "00100", "+100", "100.0", "0b1", "1_000", "Infinity", ""]) {
      const answer = await call(`${leaderUrl}/kv/deadline`, { headers: { "x-deadline-ms": form } })
      expect({ form, status: answer.status }).toEqual({ form, status: 400 })
    }
    expect((await call(`${leaderUrl}/kv/deadline`, { headers: { "x-deadline-ms": "1000" } })).status).toBe(404)
    const sequence = await call(`${leaderUrl}/kv/seq`, {
      method: "PUT",
      body: "v",
      headers: { "client-id": "decimal", sequence: "01" }
    })
    expect(sequence.status).toBe(400)
  })
})
