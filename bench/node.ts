/**
 * The real node under load: a 3-node loopback cluster of `faultline serve` processes (fsync on), N concurrent
 * HTTP clients on keep-alive agents against the leader, writes per second with p50/p99 latency, then
 * linearizable reads per second. `--compare-etcd` runs Debian's etcd 3.4 (`apt-get install -y etcd-server`) on
 * loopback under the same load generator and prints the ratios.
 *
 * Each phase (writes, then reads) first runs the same load for `--warmup-seconds` (default 2) unmeasured, for
 * both systems alike: a cold Node.js process spends its first second compiling its hot paths, and without a
 * warm-up the first 0.7 s of a 10-second write phase held 572 of its 832 slowest 1% of requests.
 *
 * Usage: npm run bench:node [-- --clients 64 --seconds 10 --warmup-seconds 2 --compare-etcd]
 */
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { fetchStatus, freePorts, LocalCluster, waitFor, waitForLeader } from "../src/node/localCluster.ts"

interface Target {
  readonly port: number
  /** The server processes, leader first: their CPU time per operation is printed (less sensitive to load). */
  readonly pids: () => ReadonlyArray<number>
  /** Counters worth printing after the run (group commit and batching factors). */
  readonly report?: () => Promise<string>
  readonly write: (worker: number, sequence: number) => { method: string; path: string; body: string }
  readonly read: (worker: number, sequence: number) => { method: string; path: string; body: string }
}

interface LoadResult {
  readonly operationsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly errors: number
  /** CPU microseconds per completed operation: each server process (leader first), then the load generator. */
  readonly cpuMicrosecondsPerOperation: ReadonlyArray<number>
}

const clockTicksPerSecond = 100

/** User + system CPU time of a process in milliseconds, from /proc (0 when it is gone or not on Linux). */
const cpuTimeMs = (pid: number): number => {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond
  } catch {
    return 0
  }
}

const cpuSnapshotMs = (pids: ReadonlyArray<number>): Array<number> => {
  const own = process.cpuUsage()
  return [...pids.map(cpuTimeMs), (own.user + own.system) / 1000]
}

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "64" },
    seconds: { type: "string", default: "10" },
    "warmup-seconds": { type: "string", default: "2" },
    "compare-etcd": { type: "boolean", default: false },
    /** Writes a CPU profile of every node process here (they are stopped gracefully, so the profiles land). */
    "profile-dir": { type: "string" }
  }
})
const clients = Number(values.clients)
const durationMs = Number(values.seconds) * 1000
const warmupMs = Number(values["warmup-seconds"]) * 1000
const keySpace = 1000

const percentile = (sorted: ReadonlyArray<number>, fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN

const request = (
  agent: http.Agent,
  port: number,
  spec: { method: string; path: string; body: string }
): Promise<number> =>
  new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: "127.0.0.1",
        port,
        agent,
        method: spec.method,
        path: spec.path,
        headers: { "content-length": Buffer.byteLength(spec.body) }
      },
      (response) => {
        response.resume()
        response.on("end", () => resolve(response.statusCode ?? 0))
      }
    )
    outgoing.on("error", reject)
    outgoing.end(spec.body)
  })

/** N closed-loop clients for `durationMs`: each sends its next request when the previous one answered. */
const runLoad = async (target: Target, make: Target["write"], durationMs: number): Promise<LoadResult> => {
  const port = target.port
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients })
  const latenciesMs: Array<number> = []
  let errors = 0
  const endAt = performance.now() + durationMs
  const client = async (worker: number): Promise<void> => {
    for (let sequence = 0; performance.now() < endAt; sequence += 1) {
      const startedAt = performance.now()
      const status = await request(agent, port, make(worker, sequence)).catch(() => 0)
      if (status === 200) latenciesMs.push(performance.now() - startedAt)
      else errors += 1
    }
  }
  const startedAt = performance.now()
  const cpuBeforeMs = cpuSnapshotMs(target.pids())
  await Promise.all(Array.from({ length: clients }, (_, worker) => client(worker)))
  const elapsedMs = performance.now() - startedAt
  const cpuAfterMs = cpuSnapshotMs(target.pids())
  agent.destroy()
  const sorted = latenciesMs.sort((left, right) => left - right)
  const operations = Math.max(1, sorted.length)
  const cpuMicrosecondsPerOperation = cpuAfterMs.map(
    (afterMs, position) => ((afterMs - (cpuBeforeMs[position] ?? 0)) * 1000) / operations
  )
  return {
    operationsPerSecond: (sorted.length * 1000) / elapsedMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors,
    cpuMicrosecondsPerOperation
  }
}

const measure = async (name: string, target: Target): Promise<{ writes: LoadResult; reads: LoadResult }> => {
  if (warmupMs > 0) await runLoad(target, target.write, warmupMs)
  const writes = await runLoad(target, target.write, durationMs)
  const afterWrites = target.report !== undefined ? await target.report() : undefined
  if (warmupMs > 0) await runLoad(target, target.read, warmupMs)
  const reads = await runLoad(target, target.read, durationMs)
  const cpu = (result: LoadResult): string => {
    const servers = result.cpuMicrosecondsPerOperation
      .slice(0, -1)
      .map((value) => value.toFixed(0))
      .join("+")
    const client = result.cpuMicrosecondsPerOperation.at(-1) ?? 0
    return `CPU µs/op: servers ${servers}, client ${client.toFixed(0)}`
  }
  const line = (kind: string, result: LoadResult): string =>
    `${name.padEnd(9)} ${kind.padEnd(6)} ${result.operationsPerSecond.toFixed(0).padStart(7)}/s  p50 ${result.p50Ms.toFixed(1).padStart(6)} ms  p99 ${result.p99Ms.toFixed(1).padStart(6)} ms  errors ${result.errors}  ${cpu(result)}`
  console.log(line("writes", writes))
  console.log(line("reads", reads))
  if (afterWrites !== undefined) console.log(`after writes: ${afterWrites}`)
  if (target.report !== undefined) console.log(`after reads: ${await target.report()}`)
  return { writes, reads }
}

const faultlineTarget = async (dataDirectory: string): Promise<{ target: Target; stop: () => Promise<void> }> => {
  const ports = await freePorts(6)
  const profileDirectory = values["profile-dir"]
  const cluster = new LocalCluster({
    nodes: 3,
    httpPorts: ports.slice(0, 3),
    peerPorts: ports.slice(3),
    dataDirectory,
    ...(profileDirectory !== undefined ? { runtimeArgs: ["--cpu-prof", `--cpu-prof-dir=${profileDirectory}`] } : {})
  })
  cluster.startAll()
  const stop = (): Promise<void> => cluster.stopAll("SIGTERM")
  try {
    const leader = await waitForLeader(cluster, 30_000)
    const port = ports[leader] as number
    const target: Target = {
      port,
      pids: () =>
        [leader, ...cluster.nodes.map((node) => node.id).filter((id) => id !== leader)].map(
          (id) => cluster.nodeAt(id).process?.pid ?? 0
        ),
      report: async () => {
        const status = await fetchStatus(`http://127.0.0.1:${port}`)
        const wal = (status?.wal ?? {}) as { records?: number; syncs?: number }
        const records = wal.records ?? 0
        const syncs = Math.max(1, wal.syncs ?? 0)
        const peers = (status?.peers ?? []) as Array<Record<string, number>>
        const frames = peers.reduce((sum, peer) => sum + (peer.framesSent ?? 0), 0)
        const messages = peers.reduce((sum, peer) => sum + (peer.messagesSent ?? 0), 0)
        return `leader: ${status?.commitIndex} entries committed, WAL ${records} records in ${syncs} syncs (${(records / syncs).toFixed(1)} per sync), ${messages} peer messages in ${frames} frames`
      },
      write: (worker, sequence) => ({
        method: "PUT",
        path: `/kv/key-${(worker * 7919 + sequence) % keySpace}`,
        body: `value-${worker}-${sequence}`
      }),
      read: (worker, sequence) => ({
        method: "GET",
        path: `/kv/key-${(worker * 7919 + sequence) % keySpace}`,
        body: ""
      })
    }
    return { target, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

const base64 = (text: string): string => Buffer.from(text).toString("base64")

const etcdTarget = async (dataDirectory: string): Promise<{ target: Target; stop: () => Promise<void> }> => {
  const ports = await freePorts(6)
  const names = [0, 1, 2].map((id) => `etcd-${id}`)
  const initialCluster = names.map((name, id) => `${name}=http://127.0.0.1:${ports[3 + id]}`).join(",")
  const children: Array<ChildProcess> = names.map((name, id) =>
    spawn(
      "etcd",
      [
        "--name",
        name,
        "--data-dir",
        path.join(dataDirectory, name),
        "--listen-client-urls",
        `http://127.0.0.1:${ports[id]}`,
        "--advertise-client-urls",
        `http://127.0.0.1:${ports[id]}`,
        "--listen-peer-urls",
        `http://127.0.0.1:${ports[3 + id]}`,
        "--initial-advertise-peer-urls",
        `http://127.0.0.1:${ports[3 + id]}`,
        "--initial-cluster",
        initialCluster,
        "--initial-cluster-state",
        "new",
        "--log-level",
        "error"
      ],
      { stdio: ["ignore", "ignore", "ignore"] }
    )
  )
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve()
            child.once("exit", () => resolve())
            // Its data directory is thrown away: no need for a graceful stop (which waits on leadership transfer).
            child.kill("SIGKILL")
          })
      )
    )
  }
  const statusOf = async (port: number): Promise<{ leader: string; member: string } | undefined> => {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v3/maintenance/status`, {
        method: "POST",
        body: "{}",
        signal: AbortSignal.timeout(1000)
      })
      const body = (await response.json()) as { leader?: string; header?: { member_id?: string } }
      return body.leader !== undefined && body.header?.member_id !== undefined
        ? { leader: body.leader, member: body.header.member_id }
        : undefined
    } catch {
      return undefined
    }
  }
  const port = await waitFor("an etcd leader", 30_000, async () => {
    for (const candidate of ports.slice(0, 3)) {
      const status = await statusOf(candidate)
      if (status !== undefined && status.leader === status.member) return candidate
    }
    return undefined
  }).catch(async (error: unknown) => {
    await stop()
    throw error
  })
  const key = (worker: number, sequence: number): string => base64(`key-${(worker * 7919 + sequence) % keySpace}`)
  const leaderPosition = ports.indexOf(port)
  const target: Target = {
    port,
    pids: () =>
      [leaderPosition, ...[0, 1, 2].filter((id) => id !== leaderPosition)].map((id) => children[id]?.pid ?? 0),
    write: (worker, sequence) => ({
      method: "POST",
      path: "/v3/kv/put",
      body: JSON.stringify({ key: key(worker, sequence), value: base64(`value-${worker}-${sequence}`) })
    }),
    read: (worker, sequence) => ({
      method: "POST",
      path: "/v3/kv/range",
      body: JSON.stringify({ key: key(worker, sequence) })
    })
  }
  return { target, stop }
}

const main = async (): Promise<void> => {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-bench-"))
  console.log(
    `${clients} clients, ${durationMs / 1000} s per phase after ${warmupMs / 1000} s of warm-up, 3 nodes on loopback, fsync on, ${os.cpus().length} cores`
  )
  try {
    const faultline = await faultlineTarget(path.join(dataDirectory, "faultline"))
    let ours: { writes: LoadResult; reads: LoadResult }
    try {
      ours = await measure("faultline", faultline.target)
    } finally {
      await faultline.stop()
    }
    if (!values["compare-etcd"]) return
    const etcd = await etcdTarget(path.join(dataDirectory, "etcd"))
    let theirs: { writes: LoadResult; reads: LoadResult }
    try {
      theirs = await measure("etcd", etcd.target)
    } finally {
      await etcd.stop()
    }
    console.log(
      `ratio faultline/etcd: writes ${(ours.writes.operationsPerSecond / theirs.writes.operationsPerSecond).toFixed(2)}×, ` +
        `write p99 ${(ours.writes.p99Ms / theirs.writes.p99Ms).toFixed(2)}×, reads ${(ours.reads.operationsPerSecond / theirs.reads.operationsPerSecond).toFixed(2)}×`
    )
  } finally {
    fs.rmSync(dataDirectory, { recursive: true, force: true })
  }
}

await main()
