/**
 * Faults on a real 3-node cluster: SIGKILL of the leader during acknowledged writes, a restarted node catching
 * up, a WAL corrupted in the middle while its node was stopped, and the fault-injection admin endpoint.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fetchStatus, waitFor, waitForLeader } from "./localCluster.ts"
import { call, startTestCluster, statusOf, type TestCluster } from "./testCluster.ts"

const adminToken = "test-admin-token"

describe("a 3-node cluster under crashes and disk corruption", () => {
  let test: TestCluster
  let killed: number

  beforeAll(async () => {
    test = await startTestCluster({ adminToken })
    await waitForLeader(test.cluster, 20_000)
  })

  afterAll(async () => {
    await test?.[Symbol.asyncDispose]()
  })

  const urlOf = (id: number): string => test.cluster.nodeAt(id).httpUrl
  const running = (): Array<number> =>
    test.cluster.nodes.filter((node) => node.process !== undefined).map((node) => node.id)

  /** Writes until acknowledged, retrying on any node: the Idempotency-Key makes every retry safe. */
  const writeAcknowledged = async (key: string, value: string): Promise<void> => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const target = running()[attempt % Math.max(1, running().length)] ?? 0
      try {
        const answer = await call(
          `${urlOf(target)}/kv/${key}`,
          { method: "PUT", body: value, headers: { "idempotency-key": key } },
          3_000
        )
        if (answer.status === 200) return
      } catch {
        // A killed node refuses connections; try another.
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`write ${key} was never acknowledged`)
  }

  it("loses none of 100 acknowledged writes when the leader is SIGKILLed in the middle", async () => {
    const leader = await waitForLeader(test.cluster, 10_000)
    // Five clients write concurrently, so the kill lands while writes are in flight, not between them.
    let acknowledged = 0
    let kill: Promise<void> | undefined
    const nextWrite = { value: 0 }
    const client = async (): Promise<void> => {
      for (let write = nextWrite.value++; write < 100; write = nextWrite.value++) {
        await writeAcknowledged(`chaos-${write}`, `value-${write}`)
        acknowledged += 1
        if (acknowledged === 50) {
          killed = leader
          kill = test.cluster.stopNode(leader, "SIGKILL")
        }
      }
    }
    await Promise.all([client(), client(), client(), client(), client()])
    await kill
    expect(killed).toBe(leader)
    const survivors = running()
    const newLeader = await waitForLeader(test.cluster, 10_000, survivors)
    expect(newLeader).not.toBe(killed)
    for (let write = 0; write < 100; write += 1) {
      const read = await call(`${urlOf(newLeader)}/kv/chaos-${write}`)
      expect(read).toMatchObject({ status: 200, body: { value: `value-${write}` } })
    }
  })

  it("catches up a restarted node", async () => {
    test.cluster.start(killed)
    const leader = await waitForLeader(test.cluster, 20_000)
    const leaderStatus = await statusOf(test.cluster, leader)
    await waitFor("the restarted node to catch up", 20_000, async () => {
      const status = await fetchStatus(urlOf(killed))
      return (status?.lastApplied as number) >= (leaderStatus.commitIndex as number) ? true : undefined
    })
    // Once in service it says where its start went (bench:restart reads this line).
    const log = fs.readFileSync(path.join(test.cluster.nodeAt(killed).dataDirectory, "node.log"), "utf8")
    expect(log).toMatch(
      /in service \d+ ms after the process started \(ms since then, and CPU ms: peer port open \d+ \(CPU \d+\), HTTP listening \d+ \(CPU \d+\), WAL read \d+ \(CPU \d+\), replica rebuilt \d+ \(CPU \d+\), (leader known|serving) \d+ \(CPU \d+\), (leader known|serving) \d+ \(CPU \d+\)\)/
    )
  })

  it("detects a WAL corrupted in the middle, reports it, and recovers the data from peers", async () => {
    const leader = await waitForLeader(test.cluster, 10_000)
    const victim = (leader + 1) % 3
    await test.cluster.stopNode(victim, "SIGTERM")
    const walPath = path.join(test.cluster.nodeAt(victim).dataDirectory, "wal.log")
    const bytes = fs.readFileSync(walPath)
    const middle = Math.floor(bytes.length / 2)
    for (let offset = middle; offset < middle + 8; offset += 1) bytes[offset] = (bytes[offset] ?? 0) ^ 0xff
    fs.writeFileSync(walPath, bytes)
    const leaderCommit = (await statusOf(test.cluster, leader)).commitIndex as number
    test.cluster.start(victim)
    const reported = await waitFor("the restarted node's status", 20_000, () => fetchStatus(urlOf(victim)))
    const wal = reported.wal as Record<string, unknown>
    expect(wal.corruptionDetected).toBe(true)
    expect(wal.finding).not.toBe("Clean")
    expect(wal.discardedBytes as number).toBeGreaterThan(0)
    await waitFor("the corrupted node to recover from its peers", 20_000, async () => {
      const status = await fetchStatus(urlOf(victim))
      return status?.recovering === false && (status.lastApplied as number) >= leaderCommit ? true : undefined
    })
    expect((await call(`${urlOf(victim)}/health`)).status).toBe(200)
  })

  it("changes fault settings only through the admin endpoint with its token", async () => {
    const target = urlOf(running()[0] ?? 0)
    const settings = { peers: { "1": { dropRate: 0.1, delayMs: 5 } }, clockOffsetMs: 250 }
    const refused = await call(`${target}/admin/faults`, { method: "POST", body: JSON.stringify(settings) })
    expect(refused.status).toBe(401)
    const headers = { authorization: `Bearer ${adminToken}` }
    const accepted = await call(`${target}/admin/faults`, { method: "POST", body: JSON.stringify(settings), headers })
    expect(accepted).toMatchObject({ status: 200, body: { clockOffsetMs: 250 } })
    const invalid = await call(`${target}/admin/faults`, {
      method: "POST",
      body: JSON.stringify({ clockOffsetMs: "soon" }),
      headers
    })
    expect(invalid.status).toBe(400)
    const healed = await call(`${target}/admin/faults`, { method: "POST", body: "{}", headers })
    expect(healed).toMatchObject({ status: 200, body: { clockOffsetMs: 0, peers: {} } })
  })
})
