/**
 * Restart time to serving with a long log (issue 13, F4): a 3-node loopback cluster (the server bundled as in the
 * Docker image) is filled with `--entries` keyed writes (alternately a PUT and a ledger deposit, each with a fresh
 * Idempotency-Key, so replay fills and evicts both the session table and the ledger's keys); then a follower — or,
 * with `--kill all`, every node — is SIGKILLed and started again on its data directory, and the bench prints the
 * time from the start to: `/health` answering 200, the first successful write sent to that node (a follower
 * redirects it to the leader), and `lastApplied` reaching the commit index the cluster had when it was killed. While
 * it waits it polls `/status` every 10 ms and prints the slowest answer: how long the node's event loop was held.
 * Snapshots do not exist yet, so a restart re-applies the whole log. Before the eviction order and the bounded apply
 * step, the node answered nothing for 13.4 s at 19,500 entries and 310 s at 108,000.
 *
 * Usage: npm run bench:recovery [-- --entries 100000 --connections 100 --kill follower|all]
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { bundledCluster } from "./bundledCluster.ts"
import { fetchStatus, waitForLeader } from "../src/node/localCluster.ts"

const { values } = parseArgs({
  options: {
    entries: { type: "string", default: "100000" },
    connections: { type: "string", default: "100" },
    kill: { type: "string", default: "follower" }
  },
  strict: true
})
const entries = Number(values.entries)
const connections = Number(values.connections)
const killAll = values.kill === "all"
const boundMs = 900_000

const pause = (durationMs: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, durationMs))

const load = (): string =>
  os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(" ")

/** One keyed write: n even a PUT, n odd a deposit to account "bench"; true when it answered 200. */
const write = async (baseUrl: string, prefix: string, n: number): Promise<boolean> => {
  const deposit = n % 2 === 1
  try {
    const response = await fetch(deposit ? `${baseUrl}/accounts/bench/deposit` : `${baseUrl}/kv/key-${n % 1000}`, {
      method: deposit ? "POST" : "PUT",
      headers: { "idempotency-key": `${prefix}-${n}`, ...(deposit ? { "content-type": "application/json" } : {}) },
      body: deposit ? JSON.stringify({ amount: 1 }) : `value-${n}`,
      signal: AbortSignal.timeout(30_000)
    })
    await response.arrayBuffer()
    return response.status === 200
  } catch {
    return false
  }
}

const fill = async (leaderUrl: string): Promise<void> => {
  let next = 0
  let failed = 0
  const startedAt = performance.now()
  const worker = async (): Promise<void> => {
    while (next < entries) {
      const n = next
      next += 1
      if (!(await write(leaderUrl, "fill", n))) failed += 1
      if (n > 0 && n % 20_000 === 0)
        console.log(`  ${n} written, ${((n * 1000) / (performance.now() - startedAt)).toFixed(0)} req/s`)
    }
  }
  await Promise.all(Array.from({ length: connections }, () => worker()))
  const seconds = (performance.now() - startedAt) / 1000
  console.log(`filled: ${entries} keyed writes in ${seconds.toFixed(0)} s (${failed} not 200), load ${load()}`)
}

interface Watch {
  healthyMs: number | undefined
  firstWriteMs: number | undefined
  caughtUpMs: number | undefined
  slowestStatusMs: number
  statusPolls: number
}

/** Polls the restarted node until it has applied `commitIndex`, recording the milestones from `startedAt`. */
const watch = async (url: string, commitIndex: number, startedAt: number): Promise<Watch> => {
  const seen: Watch = {
    healthyMs: undefined,
    firstWriteMs: undefined,
    caughtUpMs: undefined,
    slowestStatusMs: 0,
    statusPolls: 0
  }
  let listening = false
  let writeAttempt = 0
  while (performance.now() - startedAt < boundMs && seen.caughtUpMs === undefined) {
    const polledAt = performance.now()
    const status = await fetchStatus(url, 60_000)
    const now = performance.now()
    if (status !== undefined) {
      listening = true
      seen.statusPolls += 1
      seen.slowestStatusMs = Math.max(seen.slowestStatusMs, now - polledAt)
      if ((status.lastApplied as number) >= commitIndex) seen.caughtUpMs = now - startedAt
    }
    if (listening && seen.healthyMs === undefined) {
      const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(60_000) }).catch(() => undefined)
      await health?.arrayBuffer()
      if (health?.status === 200) seen.healthyMs = performance.now() - startedAt
    }
    if (seen.healthyMs !== undefined && seen.firstWriteMs === undefined) {
      writeAttempt += 1
      if (await write(url, "after-restart", writeAttempt * 2)) seen.firstWriteMs = performance.now() - startedAt
    }
    await pause(10)
  }
  return seen
}

/** The bytes of a node's files other than its log of messages (the WAL and its markers). */
const directoryBytes = (directory: string): number =>
  fs
    .readdirSync(directory)
    .filter((name) => name !== "node.log")
    .reduce((sum, name) => sum + fs.statSync(path.join(directory, name)).size, 0)

const seconds = (milliseconds: number | undefined): string =>
  milliseconds === undefined ? "never (within the bound)" : `${(milliseconds / 1000).toFixed(2)} s`

const main = async (): Promise<void> => {
  const { cluster, dataDirectory } = await bundledCluster("recovery")
  console.log(`3 nodes on loopback, ${os.cpus().length} cores, load average ${load()}`)
  cluster.startAll()
  try {
    const leader = await waitForLeader(cluster, 120_000)
    const leaderUrl = cluster.nodeAt(leader).httpUrl
    const created = await fetch(`${leaderUrl}/accounts/bench`, { method: "POST" })
    if (created.status !== 201) throw new Error(`creating the account answered ${created.status}`)
    await fill(leaderUrl)
    const leaderStatus = await fetchStatus(leaderUrl, 10_000)
    const commitIndex = leaderStatus?.commitIndex as number
    const victims = killAll ? [0, 1, 2] : [[0, 1, 2].find((id) => id !== leader) ?? 1]
    const walBytes = directoryBytes(cluster.nodeAt(victims[0] ?? 0).dataDirectory)
    console.log(
      `commit index ${commitIndex}; SIGKILL ${killAll ? "every node" : `follower ${victims[0]}`} ` +
        `(data directory ${(walBytes / 1024 / 1024).toFixed(1)} MiB), start again, load ${load()}`
    )
    for (const id of victims) await cluster.stopNode(id, "SIGKILL")
    const startedAt = performance.now()
    for (const id of victims) cluster.start(id)
    const watched = await watch(cluster.nodeAt(victims[0] ?? 0).httpUrl, commitIndex, startedAt)
    console.log(`node ${victims[0]}: /health 200 after ${seconds(watched.healthyMs)}`)
    console.log(`node ${victims[0]}: first successful write after ${seconds(watched.firstWriteMs)}`)
    console.log(`node ${victims[0]}: applied up to ${commitIndex} after ${seconds(watched.caughtUpMs)}`)
    console.log(
      `slowest /status answer once listening: ${watched.slowestStatusMs.toFixed(0)} ms over ${watched.statusPolls} polls; load ${load()}`
    )
  } finally {
    await cluster.stopAll()
    fs.rmSync(dataDirectory, { recursive: true, force: true })
  }
}

await main()
