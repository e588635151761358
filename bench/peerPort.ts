/**
 * The peer port under an attacker without the secret (issue #13, F3): a 3-node loopback cluster of `faultline
 * serve` processes; the resident memory (VmRSS) of one follower before, while and after 62 connections per node
 * are held idle (reopened when the node closes them), then while 62 connections each send the first 8 MiB of a
 * frame declared as 8 MiB, and whether a follower restarted while 62 strangers per node hold connections rejoins,
 * and how long that takes. Every loop is bounded (connections reopened at most 40 times each, waits capped). The
 * server is bundled as in the Docker image: under tsx, every start compiled the sources again, and on a loaded
 * machine the cluster did not elect within the bound.
 *
 * Usage: npm run bench:peer-port [-- --connections 62 --hold-seconds 5]
 */
import * as fs from "node:fs"
import * as os from "node:os"
import { parseArgs } from "node:util"
import { bundledCluster } from "./bundledCluster.ts"
import { fetchStatus, waitFor, waitForLeader } from "../src/node/localCluster.ts"
import { holdConnections, partialFrame, type HeldConnections } from "../src/node/rawPeer.ts"

const { values } = parseArgs({
  options: { connections: { type: "string", default: "62" }, "hold-seconds": { type: "string", default: "5" } }
})
const connections = Number(values.connections)
const holdMs = Number(values["hold-seconds"]) * 1000

const rssMegabytes = (pid: number | undefined): number => {
  if (pid === undefined) return Number.NaN
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
  return Math.round(Number(match?.[1] ?? Number.NaN) / 102.4) / 10
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The highest RSS seen while `durationMs` passes, sampled every 100 ms. */
const peakRss = async (pid: number | undefined, durationMs: number): Promise<number> => {
  let peak = 0
  for (let elapsed = 0; elapsed < durationMs; elapsed += 100) {
    peak = Math.max(peak, rssMegabytes(pid))
    await sleep(100)
  }
  return peak
}

const put = async (url: string): Promise<number> => {
  const response = await fetch(url, { method: "PUT", body: "v", signal: AbortSignal.timeout(10_000) })
  const body = (await response.json()) as { index?: number }
  return response.status === 200 ? (body.index ?? 0) : 0
}

const main = async (): Promise<void> => {
  const { cluster, dataDirectory } = await bundledCluster("bench-peer", [
    "--heartbeat-interval-ms",
    "50",
    "--election-timeout-ms",
    "500"
  ])
  cluster.startAll()
  const held: Array<HeldConnections> = []
  try {
    const leader = await waitForLeader(cluster, 120_000)
    const follower = (leader + 1) % 3
    const leaderUrl = cluster.nodeAt(leader).httpUrl
    const pidOf = (id: number): number | undefined => cluster.nodeAt(id).process?.pid
    const statusCounters = async (id: number) =>
      ((await fetchStatus(cluster.nodeAt(id).httpUrl))?.transport ?? {}) as Record<string, number>
    for (let write = 0; write < 100; write += 1) await put(`${leaderUrl}/kv/warm-${write}`)
    await sleep(2_000)
    const before = rssMegabytes(pidOf(follower))

    const idle = [0, 1, 2].map((id) =>
      holdConnections(cluster.nodeAt(id).peerPort, connections, { reopen: true, maxOpens: connections * 40 })
    )
    held.push(...idle)
    const withIdle = await peakRss(pidOf(follower), holdMs)
    const idleOpened = idle.reduce((sum, holder) => sum + holder.opened(), 0)
    await Promise.all(idle.map((holder) => holder.release()))

    const frame = partialFrame(8 * 1024 * 1024 - 1, 8 * 1024 * 1024 - 64)
    const partial = holdConnections(cluster.nodeAt(follower).peerPort, connections, { payload: frame })
    held.push(partial)
    const withPartial = await peakRss(pidOf(follower), holdMs)
    const partialClosed = partial.closedByNode()
    await partial.release()
    await sleep(3_000)
    const after = rssMegabytes(pidOf(follower))
    const counters = await statusCounters(follower)

    // A follower restarted while every node's peer port is held by strangers who reopen what the node closes.
    const attack = [0, 1, 2].map((id) =>
      holdConnections(cluster.nodeAt(id).peerPort, connections, { reopen: true, maxOpens: connections * 40 })
    )
    held.push(...attack)
    await cluster.stopNode(follower, "SIGKILL")
    let lastIndex = 0
    for (let write = 0; write < 20; write += 1) lastIndex = Math.max(lastIndex, await put(`${leaderUrl}/kv/w-${write}`))
    const restartedAt = performance.now()
    cluster.start(follower)
    let rejoinSeconds = Number.NaN
    try {
      await waitFor("the restarted follower to catch up", 120_000, async () => {
        const status = await fetchStatus(cluster.nodeAt(follower).httpUrl)
        return status !== undefined && (status.lastApplied as number) >= lastIndex ? true : undefined
      })
      rejoinSeconds = (performance.now() - restartedAt) / 1000
    } catch {
      // Reported as "no" below.
    }
    const attackOpened = attack.reduce((sum, holder) => sum + holder.opened(), 0)
    await Promise.all(attack.map((holder) => holder.release()))

    console.log(`peer port under ${connections} strangers per node (load average ${os.loadavg()[0]?.toFixed(1)})`)
    console.log(`follower RSS before:                         ${before} MB`)
    console.log(
      `follower RSS, peak with ${connections} idle per node:     ${withIdle} MB (${idleOpened} connections opened)`
    )
    console.log(
      `follower RSS, peak with ${connections} partial 8 MiB frames: ${withPartial} MB (${partialClosed} of ${connections} closed by the node)`
    )
    console.log(`follower RSS after they closed:              ${after} MB`)
    console.log(`follower counters: ${JSON.stringify(counters)}`)
    console.log(
      `restarted follower rejoined while held: ${Number.isNaN(rejoinSeconds) ? "no (120 s)" : `yes, caught up ${rejoinSeconds.toFixed(1)} s after its start (process start included)`}; ${attackOpened} stranger connections opened`
    )
  } finally {
    await Promise.all(held.map((holder) => holder.release()))
    await cluster.stopAll("SIGKILL")
    fs.rmSync(dataDirectory, { recursive: true, force: true })
  }
}

await main()
