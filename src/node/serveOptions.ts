/**
 * `faultline serve` options: parsed with node:util's parseArgs and checked with reasons a user can act on.
 * There is deliberately no option for the replica's test-only bug set.
 */
import { parseOptions, UsageError } from "../options.ts"
import type { PeerAddress } from "./peerLink.ts"

export interface ServeOptions {
  readonly id: number
  /** Every member's peer address, this node's included (it listens there). */
  readonly members: ReadonlyMap<number, PeerAddress>
  readonly httpHost: string
  readonly httpPort: number
  readonly dataDirectory: string
  readonly clusterSecret: string
  /** Present only with --fault-injection: the token the admin endpoint requires. */
  readonly adminToken: string | undefined
  readonly heartbeatIntervalMs: number | undefined
  readonly electionTimeoutMs: number | undefined
}

export const serveUsage = `usage: faultline serve --id N --peers 0=HOST:PORT,1=HOST:PORT,... --http-port P --data-dir D
                       [--http-host H] [--cluster-secret S] [--fault-injection --admin-token T]
                       [--heartbeat-interval-ms MS] [--election-timeout-ms MS]

  --peers              every member's peer (TCP) address, this node's included
  --cluster-secret     HMAC key for peer frames (or FAULTLINE_CLUSTER_SECRET); required
  --fault-injection    enable POST /admin/faults, guarded by --admin-token (or FAULTLINE_ADMIN_TOKEN)
  --election-timeout-ms  minimum election timeout (default 1000; the maximum is twice it)`

const integerOption = (name: string, text: string | undefined, min: number, max: number): number | undefined => {
  if (text === undefined) return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError({ message: `--${name} should be an integer from ${min} to ${max}, got "${text}"` })
  return value
}

export const parseMembers = (text: string): ReadonlyMap<number, PeerAddress> => {
  const members = new Map<number, PeerAddress>()
  for (const part of text.split(",")) {
    const match = /^(\d{1,4})=([^:=,]+):(\d{1,5})$/.exec(part.trim())
    if (match === null) throw new UsageError({ message: `--peers entry "${part}" should look like 0=127.0.0.1:7000` })
    const id = Number(match[1])
    const port = Number(match[3])
    if (members.has(id)) throw new UsageError({ message: `--peers names node ${id} twice` })
    if (port < 1 || port > 65535) throw new UsageError({ message: `--peers port ${port} is out of range` })
    members.set(id, { host: match[2] ?? "", port })
  }
  return members
}

export const parseServeOptions = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): ServeOptions => {
  const { values } = parseOptions({
    args: [...argv],
    strict: true,
    options: {
      id: { type: "string" },
      peers: { type: "string" },
      "http-host": { type: "string" },
      "http-port": { type: "string" },
      "data-dir": { type: "string" },
      "cluster-secret": { type: "string" },
      "fault-injection": { type: "boolean" },
      "admin-token": { type: "string" },
      "heartbeat-interval-ms": { type: "string" },
      "election-timeout-ms": { type: "string" }
    }
  })
  const id = integerOption("id", values.id, 0, 1023)
  const httpPort = integerOption("http-port", values["http-port"], 1, 65535)
  if (id === undefined || values.peers === undefined || httpPort === undefined || values["data-dir"] === undefined) {
    throw new UsageError({ message: "--id, --peers, --http-port and --data-dir are required" })
  }
  const members = parseMembers(values.peers)
  if (!members.has(id)) throw new UsageError({ message: `--peers should include this node's id ${id}` })
  const clusterSecret = values["cluster-secret"] ?? env.FAULTLINE_CLUSTER_SECRET
  if (clusterSecret === undefined || clusterSecret.length < 8) {
    throw new UsageError({
      message: "a cluster secret of at least 8 characters is required (--cluster-secret or FAULTLINE_CLUSTER_SECRET)"
    })
  }
  const adminToken = values["admin-token"] ?? env.FAULTLINE_ADMIN_TOKEN
  if (values["fault-injection"] === true && (adminToken === undefined || adminToken.length < 8)) {
    throw new UsageError({
      message:
        "--fault-injection needs an admin token of at least 8 characters (--admin-token or FAULTLINE_ADMIN_TOKEN)"
    })
  }
  return {
    id,
    members,
    httpHost: values["http-host"] ?? "127.0.0.1",
    httpPort,
    dataDirectory: values["data-dir"],
    clusterSecret,
    adminToken: values["fault-injection"] === true ? adminToken : undefined,
    heartbeatIntervalMs: integerOption("heartbeat-interval-ms", values["heartbeat-interval-ms"], 1, 60_000),
    electionTimeoutMs: integerOption("election-timeout-ms", values["election-timeout-ms"], 2, 600_000)
  }
}
