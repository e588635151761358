/**
 * Test support for the process-level node tests: a LocalCluster on fresh loopback ports in a temporary data
 * directory, with fast timing, that kills every process it started and removes its directory on dispose.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fetchStatus, freePorts, LocalCluster, waitFor } from "./localCluster.ts"

export interface TestCluster extends AsyncDisposable {
  readonly cluster: LocalCluster
  readonly dataDirectory: string
}

export const startTestCluster = async (
  options: { readonly nodes?: number; readonly adminToken?: string; readonly startupTimeoutMs?: number } = {}
): Promise<TestCluster> => {
  const nodes = options.nodes ?? 3
  const ports = await freePorts(2 * nodes)
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-node-test-"))
  const cluster = new LocalCluster({
    nodes,
    httpPorts: ports.slice(0, nodes),
    peerPorts: ports.slice(nodes),
    dataDirectory,
    // Fast but not flaky on a loaded 2-core machine: elections within a second, heartbeats 10 per timeout.
    extraArgs: ["--heartbeat-interval-ms", "50", "--election-timeout-ms", "500"],
    ...(options.adminToken !== undefined ? { adminToken: options.adminToken } : {})
  })
  cluster.startAll()
  const dispose = async (): Promise<void> => {
    await cluster.stopAll("SIGKILL")
    fs.rmSync(dataDirectory, { recursive: true, force: true })
  }
  try {
    // Generous by default: on the shared 2-core machine at load 25, three processes took 50 s to load their sources.
    await waitFor("every node to answer /status", options.startupTimeoutMs ?? 90_000, async () => {
      const statuses = await Promise.all(cluster.nodes.map((node) => fetchStatus(node.httpUrl)))
      return statuses.every((status) => status !== undefined) ? true : undefined
    })
  } catch (error) {
    await dispose()
    throw error
  }
  return { cluster, dataDirectory, [Symbol.asyncDispose]: dispose }
}

export interface HttpAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** One HTTP request (following redirects to the leader) with a bounded wait; the JSON body or {} . */
export const call = async (
  url: string,
  init: { readonly method?: string; readonly body?: string; readonly headers?: Record<string, string> } = {},
  timeoutMs = 6_000
): Promise<HttpAnswer> => {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
  const text = await response.text()
  let body: Record<string, unknown> = {}
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    body = { text }
  }
  return { status: response.status, body }
}

export const statusOf = async (cluster: LocalCluster, id: number): Promise<Record<string, unknown>> => {
  const status = await fetchStatus(cluster.nodeAt(id).httpUrl)
  if (status === undefined) throw new Error(`node ${id} does not answer /status`)
  return status
}
