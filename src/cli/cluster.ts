/**
 * `faultline cluster --nodes N [--base-port P] [--data-dir D]`: N `faultline serve` processes on 127.0.0.1.
 * Node i serves HTTP on P + i and peers on P + 100 + i. Stops every node on Ctrl-C or SIGTERM.
 */
import { readCommandLine } from "./commandLine.ts"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { LocalCluster } from "../node/localCluster.ts"
import { UsageError, parseOptions } from "../options.ts"

const usage = `usage: faultline cluster --nodes N [--base-port P] [--data-dir D] [--election-timeout-ms MS]

  node i serves HTTP on 127.0.0.1:(P + i) and talks to peers on 127.0.0.1:(P + 100 + i); P defaults to 7100.
  Data (and each node's log, node.log) goes to D/node-i; D defaults to a new temporary directory.`

interface ClusterOptions {
  readonly nodes: number
  readonly basePort: number
  readonly dataDirectory: string
  readonly extraArgs: ReadonlyArray<string>
}

const parseClusterOptions = (argv: ReadonlyArray<string>): ClusterOptions => {
  const { values } = parseOptions({
    args: [...argv],
    strict: true,
    options: {
      nodes: { type: "string", default: "3" },
      "base-port": { type: "string", default: "7100" },
      "data-dir": { type: "string" },
      "election-timeout-ms": { type: "string" },
      "heartbeat-interval-ms": { type: "string" }
    }
  })
  const nodes = Number(values.nodes)
  const basePort = Number(values["base-port"])
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9)
    throw new UsageError({ message: "--nodes should be from 1 to 9" })
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + 100 + nodes > 65535) {
    throw new UsageError({ message: "--base-port should leave room for P + 100 + N below 65536" })
  }
  const extraArgs: Array<string> = []
  if (values["election-timeout-ms"] !== undefined)
    extraArgs.push("--election-timeout-ms", values["election-timeout-ms"])
  if (values["heartbeat-interval-ms"] !== undefined)
    extraArgs.push("--heartbeat-interval-ms", values["heartbeat-interval-ms"])
  const dataDirectory = values["data-dir"] ?? fs.mkdtempSync(path.join(os.tmpdir(), "faultline-cluster-"))
  return { nodes, basePort, dataDirectory, extraArgs }
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const commandLine = readCommandLine("cluster", usage, argv, parseClusterOptions)
  if (commandLine._tag === "Exit") return commandLine.code
  const options = commandLine.options
  const ids = Array.from({ length: options.nodes }, (_, id) => id)
  const cluster = new LocalCluster({
    nodes: options.nodes,
    httpPorts: ids.map((id) => options.basePort + id),
    peerPorts: ids.map((id) => options.basePort + 100 + id),
    dataDirectory: options.dataDirectory,
    extraArgs: options.extraArgs
  })
  const stopping = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"))
    process.once("SIGTERM", () => resolve("SIGTERM"))
  })
  cluster.startAll()
  for (const node of cluster.nodes) console.log(`node ${node.id}: ${node.httpUrl}`)
  console.log(`data and logs: ${options.dataDirectory}  (Ctrl-C stops the cluster)`)
  const exits = cluster.nodes.map(
    (node) => new Promise<number>((resolve) => node.process?.once("exit", () => resolve(node.id)))
  )
  const first = await Promise.race([stopping.then(() => -1), ...exits])
  if (first >= 0) console.error(`node ${first} exited; stopping the cluster`)
  await cluster.stopAll("SIGTERM")
  console.log("cluster stopped")
  return first >= 0 ? 1 : 0
}
