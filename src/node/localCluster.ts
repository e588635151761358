/**
 * A cluster of `faultline serve` processes on 127.0.0.1: used by `faultline cluster`, the process-level tests and
 * the benchmark. Each node's HTTP port and peer port are fixed at construction so that a node can be killed and
 * restarted on the same addresses and data directory.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const binPath = fileURLToPath(new URL("../../bin/faultline.mjs", import.meta.url))
/** The `faultline` command as installed: its `serve` starts from the node's startup snapshot when there is one. */
const launcherPath = fileURLToPath(new URL("../../bin/faultline", import.meta.url))

export interface LocalClusterOptions {
  readonly nodes: number
  readonly httpPorts: ReadonlyArray<number>
  readonly peerPorts: ReadonlyArray<number>
  readonly dataDirectory: string
  readonly clusterSecret?: string
  readonly adminToken?: string
  readonly extraArgs?: ReadonlyArray<string>
  /** Options for the node processes' Node.js runtime itself, e.g. --cpu-prof for profiling. */
  readonly runtimeArgs?: ReadonlyArray<string>
  /** Where each node's stderr goes: a log file in its data directory (default) or this process's stderr. */
  readonly logTo?: "file" | "inherit"
  /**
   * The script that runs `faultline serve` under this process's Node (default: the `faultline` command itself,
   * `bin/faultline serve`, which starts from the startup snapshot in dist/ when there is one).
   */
  readonly serveCommand?: ReadonlyArray<string>
  /** The `faultline` command that runs `serve` when neither serveCommand nor runtimeArgs is given (default: this checkout's). */
  readonly launcher?: string
}

export interface LocalNode {
  readonly id: number
  readonly httpUrl: string
  readonly peerPort: number
  readonly dataDirectory: string
  process: ChildProcess | undefined
}

/** Ports the kernel reports free right now (a later bind can still race; tests use fresh ports per cluster). */
export const freePorts = async (count: number): Promise<Array<number>> => {
  const servers: Array<net.Server> = []
  const ports: Array<number> = []
  for (let index = 0; index < count; index += 1) {
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
    servers.push(server)
    const address = server.address()
    if (address === null || typeof address === "string") throw new Error("no port assigned")
    ports.push(address.port)
  }
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  return ports
}

export class LocalCluster {
  readonly nodes: ReadonlyArray<LocalNode>
  readonly clusterSecret: string

  constructor(private readonly options: LocalClusterOptions) {
    this.clusterSecret = options.clusterSecret ?? randomBytes(24).toString("hex")
    this.nodes = Array.from({ length: options.nodes }, (_, id) => ({
      id,
      httpUrl: `http://127.0.0.1:${options.httpPorts[id]}`,
      peerPort: options.peerPorts[id] ?? 0,
      dataDirectory: path.join(options.dataDirectory, `node-${id}`),
      process: undefined
    }))
  }

  get peersArgument(): string {
    return this.nodes.map((node) => `${node.id}=127.0.0.1:${node.peerPort}`).join(",")
  }

  nodeAt(id: number): LocalNode {
    const node = this.nodes[id]
    if (node === undefined) throw new Error(`no node ${id}`)
    return node
  }

  start(id: number): void {
    const node = this.nodeAt(id)
    if (node.process !== undefined) throw new Error(`node ${id} is already running`)
    fs.mkdirSync(node.dataDirectory, { recursive: true })
    const viaNode = this.options.serveCommand !== undefined || this.options.runtimeArgs !== undefined
    const args = [
      ...(this.options.serveCommand ?? (viaNode ? [binPath, "serve"] : ["serve"])),
      "--id",
      String(id),
      "--peers",
      this.peersArgument,
      "--http-port",
      String(this.options.httpPorts[id])
    ]
    args.push("--data-dir", node.dataDirectory, ...(this.options.extraArgs ?? []))
    if (this.options.adminToken !== undefined) args.push("--fault-injection")
    const logFile =
      this.options.logTo === "inherit" ? "inherit" : fs.openSync(path.join(node.dataDirectory, "node.log"), "a")
    const child = spawn(
      viaNode ? process.execPath : (this.options.launcher ?? launcherPath),
      [...(this.options.runtimeArgs ?? []), ...args],
      {
        // stdin is a pipe the child watches: if this process dies without cleaning up, the child exits too.
        stdio: ["pipe", logFile, logFile],
        env: {
          ...process.env,
          FAULTLINE_CLUSTER_SECRET: this.clusterSecret,
          FAULTLINE_EXIT_WITH_PARENT: "1",
          ...(this.options.adminToken !== undefined ? { FAULTLINE_ADMIN_TOKEN: this.options.adminToken } : {})
        }
      }
    )
    if (typeof logFile === "number") fs.closeSync(logFile)
    node.process = child
    child.on("exit", () => {
      if (node.process === child) node.process = undefined
    })
  }

  startAll(): void {
    for (const node of this.nodes) this.start(node.id)
  }

  /** Sends `signal` and waits (bounded) for the process to exit; SIGKILL after the grace period. */
  async stopNode(id: number, signal: NodeJS.Signals = "SIGTERM", graceMs = 5_000): Promise<void> {
    const child = this.nodeAt(id).process
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
    child.kill(signal)
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
    await exited
    clearTimeout(timer)
  }

  async stopAll(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.stopNode(node.id, signal)))
  }
}

/** GET a node's /status, or undefined when it does not answer. */
export const fetchStatus = async (httpUrl: string, timeoutMs = 1_000): Promise<Record<string, unknown> | undefined> => {
  try {
    const response = await fetch(`${httpUrl}/status`, { signal: AbortSignal.timeout(timeoutMs) })
    const body = (await response.json()) as Record<string, unknown>
    // 503 while the node starts (its WAL being read): no status yet.
    return response.ok ? body : undefined
  } catch {
    return undefined
  }
}

/** Polls until `check` returns a value (not undefined), within `timeoutMs`. */
export const waitFor = async <A>(what: string, timeoutMs: number, check: () => Promise<A | undefined>): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  const pauseMs = 50
  for (let attempt = 0; attempt < Math.ceil(timeoutMs / pauseMs) + 1; attempt += 1) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, pauseMs))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** The id of the single leader that every running node agrees on, once there is one. */
export const waitForLeader = (
  cluster: LocalCluster,
  timeoutMs: number,
  among?: ReadonlyArray<number>
): Promise<number> =>
  waitFor("a leader", timeoutMs, async () => {
    const ids = among ?? cluster.nodes.map((node) => node.id)
    const statuses = await Promise.all(ids.map((id) => fetchStatus(cluster.nodeAt(id).httpUrl)))
    if (statuses.some((status) => status === undefined)) return undefined
    const leaders = statuses.filter((status) => status?.role === "leader")
    if (leaders.length !== 1) return undefined
    const leaderId = leaders[0]?.id as number
    return statuses.every((status) => status?.leader === leaderId) ? leaderId : undefined
  })
