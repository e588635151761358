/**
 * Records a crash-heavy single-register history from a real cluster, in the jepsen-etcd format that both our
 * checker and Porcupine read: 3 `faultline serve` processes on 127.0.0.1, a bounded loop that SIGKILLs a node
 * (the leader two times in three) and restarts it, and 6 clients doing read, write and cas over the values 0–4
 * on one key. A request cut by a kill, or answered 503 "unknown", has an unknown outcome (`:info`, and the
 * process takes a new id, as in Jepsen); a request the node refused before proposing it (connection refused,
 * 503 "not applied", a redirect) is retried within the same operation or, when it never got through, dropped
 * from the history (it did not happen). Line order is real-time order.
 *
 * Usage: npx tsx bench/recordCrashHistory.ts --out FILE [--operations 5000] [--seconds 600] [--kill-every-ms 2500]
 */
import * as fs from "node:fs"
import { parseArgs } from "node:util"
import { bundledCluster } from "./bundledCluster.ts"
import { fetchStatus, LocalCluster, waitForLeader } from "../src/node/localCluster.ts"

const { values: options } = parseArgs({
  options: {
    out: { type: "string" },
    operations: { type: "string", default: "5000" },
    seconds: { type: "string", default: "600" },
    "kill-every-ms": { type: "string", default: "2500" },
    seed: { type: "string", default: "1" }
  }
})
if (options.out === undefined) throw new Error("--out FILE is required")
const targetOperations = Number(options.operations)
const maxSeconds = Number(options.seconds)
const killEveryMs = Number(options["kill-every-ms"])
const clientCount = 6
const key = "register"
const requestTimeoutMs = 1_500

/** A small deterministic PRNG (mulberry32), so that a seed names the workload (the cluster's timing still varies). */
let prngState = Number(options.seed) >>> 0
const random = (): number => {
  prngState = (prngState + 0x6d2b79f5) >>> 0
  let value = prngState
  value = Math.imul(value ^ (value >>> 15), value | 1)
  value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
  return ((value ^ (value >>> 14)) >>> 0) / 4294967296
}
const randomValue = (): number => Math.floor(random() * 5)

type Operation = { readonly f: "read" } | { readonly f: "write"; readonly value: number } | CasOperation
type CasOperation = { readonly f: "cas"; readonly from: number; readonly to: number }
type Outcome =
  | { readonly _tag: "ok"; readonly read?: number | null; readonly casSucceeded?: boolean }
  | { readonly _tag: "notApplied" }
  | { readonly _tag: "unknown" }

interface Line {
  readonly process: number
  readonly text: string
  /** Invocations of operations that turned out not to have happened are dropped with their completion. */
  dropped: boolean
}
const lines: Array<Line> = []

const invokeValue = (operation: Operation): string =>
  operation.f === "read"
    ? "nil"
    : operation.f === "write"
      ? String(operation.value)
      : `[${operation.from} ${operation.to}]`

const refusedBeforeSending = (error: unknown): boolean => {
  const cause = (error as { cause?: { code?: unknown } }).cause
  return cause?.code === "ECONNREFUSED"
}

interface Client {
  leaderUrl: string
}

const request = async (client: Client, operation: Operation, urls: ReadonlyArray<string>): Promise<Outcome> => {
  for (let attempt = 0; attempt < 4; attempt++) {
    const url = `${client.leaderUrl}/kv/${key}`
    const init: RequestInit =
      operation.f === "read"
        ? { method: "GET" }
        : operation.f === "write"
          ? { method: "PUT", body: String(operation.value) }
          : { method: "POST", body: JSON.stringify({ expected: String(operation.from), value: String(operation.to) }) }
    let response: Response
    try {
      response = await fetch(operation.f === "cas" ? `${url}/cas` : url, {
        ...init,
        redirect: "manual",
        headers: { "x-deadline-ms": "1000", "content-type": "application/json" },
        signal: AbortSignal.timeout(requestTimeoutMs)
      })
    } catch (error) {
      if (!refusedBeforeSending(error)) return { _tag: "unknown" }
      client.leaderUrl = urls[Math.floor(random() * urls.length)]!
      continue
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>
    if (response.status === 307 || (response.status === 503 && body.outcome === "not applied")) {
      const leaderUrl = typeof body.leaderUrl === "string" ? body.leaderUrl : undefined
      client.leaderUrl = leaderUrl ?? urls[Math.floor(random() * urls.length)]!
      await new Promise((resolve) => setTimeout(resolve, 20))
      continue
    }
    if (response.status === 503) return { _tag: "unknown" }
    if (operation.f === "read") {
      if (response.status === 404) return { _tag: "ok", read: null }
      if (response.status === 200) return { _tag: "ok", read: Number(body.value) }
      return { _tag: "unknown" }
    }
    if (operation.f === "write") return response.status === 200 ? { _tag: "ok" } : { _tag: "unknown" }
    if (response.status === 200) return { _tag: "ok", casSucceeded: true }
    if (response.status === 404 || response.status === 409) return { _tag: "ok", casSucceeded: false }
    return { _tag: "unknown" }
  }
  return { _tag: "notApplied" }
}

const completionLine = (process: number, operation: Operation, outcome: Outcome): string => {
  if (outcome._tag === "unknown") {
    return operation.f === "read"
      ? `INFO jepsen.util - ${process} :fail :read :timed-out`
      : `INFO jepsen.util - ${process} :info :${operation.f} ${invokeValue(operation)}`
  }
  if (operation.f === "read")
    return `INFO jepsen.util - ${process} :ok :read ${outcome._tag === "ok" ? (outcome.read ?? "nil") : "nil"}`
  if (operation.f === "write") return `INFO jepsen.util - ${process} :ok :write ${operation.value}`
  const succeeded = outcome._tag === "ok" && outcome.casSucceeded === true
  return `INFO jepsen.util - ${process} :${succeeded ? "ok" : "fail"} :cas ${invokeValue(operation)}`
}

const randomOperation = (): Operation => {
  const draw = random()
  if (draw < 0.4) return { f: "read" }
  if (draw < 0.7) return { f: "write", value: randomValue() }
  return { f: "cas", from: randomValue(), to: randomValue() }
}

const runClient = async (
  index: number,
  urls: ReadonlyArray<string>,
  deadline: number,
  counter: { operations: number; unknown: number }
) => {
  const client: Client = { leaderUrl: urls[index % urls.length]! }
  let process = index
  while (counter.operations < targetOperations && Date.now() < deadline) {
    const operation = randomOperation()
    const invoke: Line = {
      process,
      text: `INFO jepsen.util - ${process} :invoke :${operation.f} ${invokeValue(operation)}`,
      dropped: false
    }
    lines.push(invoke)
    const outcome = await request(client, operation, urls)
    if (outcome._tag === "notApplied") {
      invoke.dropped = true
      continue
    }
    counter.operations++
    lines.push({ process, text: completionLine(process, operation, outcome), dropped: false })
    if (outcome._tag === "unknown") {
      counter.unknown++
      // Like Jepsen: a process whose operation has an unknown outcome is retired; the client continues as a new one.
      if (operation.f !== "read") process += clientCount
    }
  }
}

/** Kills a node (the leader two times in three) once every node answers and a leader is known, then restarts it. */
const killLoop = async (cluster: LocalCluster, deadline: number, done: () => boolean): Promise<number> => {
  let kills = 0
  while (!done() && Date.now() < deadline) {
    // Wait (bounded by the deadline) for the cluster to be whole again, so that the kill rate follows the load.
    await waitForLeader(cluster, Math.max(1, deadline - Date.now())).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, killEveryMs * (0.5 + random())))
    if (done() || Date.now() >= deadline) break
    const statuses = await Promise.all(cluster.nodes.map((node) => fetchStatus(node.httpUrl, 300)))
    const leader = statuses.find((status) => status?.role === "leader")?.id as number | undefined
    const victim = leader !== undefined && random() < 2 / 3 ? leader : Math.floor(random() * cluster.nodes.length)
    await cluster.stopNode(victim, "SIGKILL")
    kills++
    await new Promise((resolve) => setTimeout(resolve, 100 + random() * 400))
    cluster.start(victim)
  }
  return kills
}

const main = async (): Promise<void> => {
  const { cluster, dataDirectory } = await bundledCluster("crash-history", [
    "--election-timeout-ms",
    "300",
    "--heartbeat-interval-ms",
    "50"
  ])
  cluster.startAll()
  try {
    await waitForLeader(cluster, 20_000)
    const deadline = Date.now() + maxSeconds * 1000
    const counter = { operations: 0, unknown: 0 }
    const urls = cluster.nodes.map((node) => node.httpUrl)
    const clients = Array.from({ length: clientCount }, (_, index) => runClient(index, urls, deadline, counter))
    const kills = killLoop(cluster, deadline, () => counter.operations >= targetOperations)
    await Promise.all(clients)
    const killCount = await kills
    const kept = lines.filter((line) => !line.dropped).map((line) => line.text)
    fs.writeFileSync(options.out!, kept.join("\n") + "\n")
    console.log(
      `${counter.operations} operations, ${counter.unknown} unknown outcomes, ${killCount} SIGKILLs → ${options.out}`
    )
  } finally {
    await cluster.stopAll("SIGKILL")
    fs.rmSync(dataDirectory, { recursive: true, force: true })
  }
}

await main()
