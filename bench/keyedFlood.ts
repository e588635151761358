/**
 * Keyed against unkeyed write floods on a 3-node loopback cluster (fsync on, the server bundled as in the Docker
 * image): `--writes` PUTs over `--connections` keep-alive connections to the leader, first without a key (all
 * in the node's own session), then with a fresh `Idempotency-Key` per request (a new replica session each, so
 * past 4,096 every write evicts one), then the unkeyed flood again; each prints req/s, p50 and p99, and the ratio
 * of the keyed flood to the mean of the two unkeyed ones. Then keyed ledger deposits to one account past the
 * ledger's 100,000 remembered idempotency keys, req/s per slice of `--deposit-slice`. Issue 13, F4: before the
 * eviction order, keyed PUTs ran at 185 req/s against 2,503 unkeyed and keyed deposits fell to 5/s past 100,000.
 *
 * Usage: npm run bench:keyed-flood [-- --writes 20000 --connections 200 --deposits 110000 --deposit-slice 10000]
 */
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import { parseArgs } from "node:util"
import { bundledCluster } from "./bundledCluster.ts"
import { waitForLeader } from "../src/node/localCluster.ts"

const { values } = parseArgs({
  options: {
    writes: { type: "string", default: "20000" },
    connections: { type: "string", default: "200" },
    deposits: { type: "string", default: "110000" },
    "deposit-slice": { type: "string", default: "10000" }
  },
  strict: true
})
const writes = Number(values.writes)
const connections = Number(values.connections)
const deposits = Number(values.deposits)
const depositSlice = Number(values["deposit-slice"])

interface Spec {
  readonly method: string
  readonly path: string
  readonly body: string
  readonly headers: Record<string, string>
}

interface Flood {
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly failures: number
  readonly statuses: Map<number, number>
}

const percentile = (sorted: ReadonlyArray<number>, fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN

const send = (agent: http.Agent, port: number, spec: Spec): Promise<number> =>
  new Promise((resolve) => {
    const outgoing = http.request(
      {
        host: "127.0.0.1",
        port,
        agent,
        method: spec.method,
        path: spec.path,
        headers: { ...spec.headers, "content-length": Buffer.byteLength(spec.body) },
        timeout: 30_000
      },
      (response) => {
        response.resume()
        response.on("end", () => resolve(response.statusCode ?? 0))
      }
    )
    outgoing.on("timeout", () => outgoing.destroy())
    outgoing.on("error", () => resolve(0))
    outgoing.end(spec.body)
  })

/** `total` requests made by `make(n)` over `connections` closed-loop workers; each request sent exactly once. */
const flood = async (port: number, total: number, make: (n: number) => Spec): Promise<Flood> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const latenciesMs: Array<number> = []
  const statuses = new Map<number, number>()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < total) {
      const n = next
      next += 1
      const startedAt = performance.now()
      const status = await send(agent, port, make(n))
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
      if (status === 200) latenciesMs.push(performance.now() - startedAt)
    }
  }
  const startedAt = performance.now()
  await Promise.all(Array.from({ length: connections }, () => worker()))
  const elapsedMs = performance.now() - startedAt
  agent.destroy()
  const sorted = latenciesMs.sort((left, right) => left - right)
  return {
    requestsPerSecond: (sorted.length * 1000) / elapsedMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    failures: total - sorted.length,
    statuses
  }
}

const describe = (name: string, result: Flood): string =>
  `${name.padEnd(22)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(1)} ms  ` +
  `p99 ${result.p99Ms.toFixed(1)} ms  not 200: ${result.failures} (${[...result.statuses]
    .map(([status, count]) => `${status}×${count}`)
    .join(" ")})`

const put = (prefix: string, keyed: boolean) => (n: number) => ({
  method: "PUT",
  path: `/kv/key-${n % 1000}`,
  body: `${prefix}-${n}`,
  headers: keyed ? { "idempotency-key": `${prefix}-${n}` } : {}
})

const deposit = (n: number): Spec => ({
  method: "POST",
  path: "/accounts/bench/deposit",
  body: JSON.stringify({ amount: 1 }),
  headers: { "content-type": "application/json", "idempotency-key": `deposit-${n}` }
})

const main = async (): Promise<void> => {
  const { cluster, dataDirectory } = await bundledCluster("keyed-flood")
  const load = (): string =>
    os
      .loadavg()
      .map((value) => value.toFixed(1))
      .join(" ")
  console.log(`3 nodes on loopback, ${os.cpus().length} cores, load average ${load()}`)
  cluster.startAll()
  try {
    const leader = await waitForLeader(cluster, 120_000)
    const port = Number(new URL(cluster.nodeAt(leader).httpUrl).port)
    // Unmeasured: a cold process spends its first seconds compiling its hot paths.
    await flood(port, Math.min(writes, 5_000), put("warm-up", false))
    console.log(`${writes} PUTs over ${connections} connections per flood`)
    const unkeyedBefore = await flood(port, writes, put("plain-a", false))
    console.log(describe("unkeyed", unkeyedBefore))
    const keyed = await flood(port, writes, put("keyed", true))
    console.log(describe("keyed (new key each)", keyed))
    const unkeyedAfter = await flood(port, writes, put("plain-b", false))
    console.log(describe("unkeyed again", unkeyedAfter))
    const unkeyedMean = (unkeyedBefore.requestsPerSecond + unkeyedAfter.requestsPerSecond) / 2
    console.log(
      `keyed/unkeyed throughput ${(keyed.requestsPerSecond / unkeyedMean).toFixed(2)}x; unkeyed/keyed ` +
        `${(unkeyedMean / keyed.requestsPerSecond).toFixed(2)}x (load average ${load()})`
    )
    if (deposits <= 0) return
    const created = await send(new http.Agent(), port, {
      method: "POST",
      path: "/accounts/bench",
      body: "",
      headers: {}
    })
    if (created !== 201) throw new Error(`creating the account answered ${created}`)
    console.log(`${deposits} keyed deposits over ${connections} connections, in slices of ${depositSlice}`)
    for (let sliceStart = 0; sliceStart < deposits; sliceStart += depositSlice) {
      const size = Math.min(depositSlice, deposits - sliceStart)
      const slice = await flood(port, size, (n) => deposit(sliceStart + n))
      console.log(describe(`deposits ${sliceStart + size}`, slice))
    }
    console.log(`load average ${load()}`)
  } finally {
    await cluster.stopAll()
    fs.rmSync(dataDirectory, { recursive: true, force: true })
  }
}

await main()
