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
  /** The replica knobs a schedule may set (src/schedule's ReplicaKnobs); undefined leaves the node's default. */
  readonly heartbeatIntervalMs: number | undefined
  /** The election timeout's minimum; its maximum is `electionTimeoutMaxMs`, or twice the minimum. */
  readonly electionTimeoutMs: number | undefined
  readonly electionTimeoutMaxMs: number | undefined
  readonly maxEntriesPerMessage: number | undefined
  readonly maxInflightBatches: number | undefined
  readonly maxSessions: number | undefined
  /** The replica's PRNG seed (election timeouts); undefined: drawn from the id and the start time. */
  readonly randomSeed: number | undefined
  /**
   * Wall-clock time (ms since the epoch) at which the replica takes its first step; the process waits until then
   * after opening its peer port. A replay starts every node's replica at one instant, as the simulator does.
   */
  readonly startAtEpochMs: number | undefined
}

export const serveUsage = `usage: faultline serve --id N --peers 0=HOST:PORT,1=HOST:PORT,... --http-port P --data-dir D
                       [--http-host H] [--cluster-secret S] [--fault-injection --admin-token T]
                       [--heartbeat-interval-ms MS] [--election-timeout-ms MS] [--election-timeout-max-ms MS]
                       [--max-entries-per-message N] [--max-inflight-batches N] [--max-sessions N]
                       [--random-seed N] [--start-at-epoch-ms T]

  --peers              every member's peer (TCP) address, this node's included
  --cluster-secret     HMAC key for peer frames (or FAULTLINE_CLUSTER_SECRET); required
  --fault-injection    enable POST /admin/faults, guarded by --admin-token (or FAULTLINE_ADMIN_TOKEN)
  --heartbeat-interval-ms    10 to 1000 (default 100)
  --election-timeout-ms      minimum election timeout, 100 to 10000 (default 1000)
  --election-timeout-max-ms  maximum election timeout, 100 to 20000 (default twice the minimum)
  --max-entries-per-message  entries in one AppendEntries, 1 to 1024 (default 64)
  --max-inflight-batches     AppendEntries pipelined to one follower, 1 to 64 (default 8)
  --max-sessions             client session table size, 1 to 65536 (default 4096)
  --random-seed              the replica's PRNG seed, 0 to 2147483647 (default: from the id and the start time);
                             a replay passes the simulator's, so the nodes draw its election timeouts
  --start-at-epoch-ms        the replica's first step waits until this wall-clock time (ms since 1970); a
                             replay gives every node the same, so that they all start at one instant`

/**
 * The bounds of src/schedule's ReplicaKnobs Schema, so that every knob a counterexample can carry is a value the
 * node accepts (the Docker replay passes them as these flags); serveOptions.test.ts holds the two together. They
 * are copied rather than imported so that the node bundle does not carry the schedule.
 */
export const replicaKnobFlags = {
  heartbeatIntervalMs: { flag: "heartbeat-interval-ms", min: 10, max: 1000 },
  electionTimeoutMinMs: { flag: "election-timeout-ms", min: 100, max: 10_000 },
  electionTimeoutMaxMs: { flag: "election-timeout-max-ms", min: 100, max: 20_000 },
  maxEntriesPerMessage: { flag: "max-entries-per-message", min: 1, max: 1024 },
  maxInflightBatches: { flag: "max-inflight-batches", min: 1, max: 64 },
  maxSessions: { flag: "max-sessions", min: 1, max: 65_536 }
} as const

type KnobName = keyof typeof replicaKnobFlags

const knobOption = (knob: KnobName, values: Readonly<Record<string, unknown>>): number | undefined => {
  const { flag, min, max } = replicaKnobFlags[knob]
  const text = values[flag]
  return integerOption(flag, typeof text === "string" ? text : undefined, min, max)
}

const integerOption = (name: string, text: string | undefined, min: number, max: number): number | undefined => {
  if (text === undefined) return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError({ message: `--${name} should be an integer from ${min} to ${max}, got "${text}"` })
  return value
}

/** The protocol's defaults (src/protocol/config.ts), which the timeouts given are checked against. */
const heartbeatIntervalMsDefault = 100
const electionTimeoutMinMsDefault = 1000

/**
 * The timeouts must make a usable replica (src/protocol/config.ts's checkReplicaConfig): a heartbeat shorter than
 * the shortest election timeout, and a maximum no less than the minimum. Refused here so that the reason is a
 * usage line rather than a failed start.
 */
const checkTimeouts = (values: Readonly<Record<string, unknown>>) => {
  const heartbeatIntervalMs = knobOption("heartbeatIntervalMs", values)
  const electionTimeoutMs = knobOption("electionTimeoutMinMs", values)
  const electionTimeoutMaxMs = knobOption("electionTimeoutMaxMs", values)
  const minimumMs = electionTimeoutMs ?? electionTimeoutMinMsDefault
  if (electionTimeoutMaxMs !== undefined && electionTimeoutMaxMs < minimumMs) {
    throw new UsageError({
      message: `--election-timeout-max-ms ${electionTimeoutMaxMs} should be at least the minimum election timeout ${minimumMs}`
    })
  }
  if ((heartbeatIntervalMs ?? heartbeatIntervalMsDefault) >= minimumMs) {
    throw new UsageError({
      message: `--heartbeat-interval-ms ${heartbeatIntervalMs ?? heartbeatIntervalMsDefault} should be less than the minimum election timeout ${minimumMs}`
    })
  }
  return { heartbeatIntervalMs, electionTimeoutMs, electionTimeoutMaxMs }
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
      "election-timeout-ms": { type: "string" },
      "election-timeout-max-ms": { type: "string" },
      "max-entries-per-message": { type: "string" },
      "max-inflight-batches": { type: "string" },
      "max-sessions": { type: "string" },
      "random-seed": { type: "string" },
      "start-at-epoch-ms": { type: "string" }
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
  const { heartbeatIntervalMs, electionTimeoutMs, electionTimeoutMaxMs } = checkTimeouts(values)
  return {
    id,
    members,
    httpHost: values["http-host"] ?? "127.0.0.1",
    httpPort,
    dataDirectory: values["data-dir"],
    clusterSecret,
    adminToken: values["fault-injection"] === true ? adminToken : undefined,
    heartbeatIntervalMs,
    electionTimeoutMs,
    electionTimeoutMaxMs,
    maxEntriesPerMessage: knobOption("maxEntriesPerMessage", values),
    maxInflightBatches: knobOption("maxInflightBatches", values),
    maxSessions: knobOption("maxSessions", values),
    randomSeed: integerOption("random-seed", values["random-seed"], 0, 2 ** 31 - 1),
    startAtEpochMs: integerOption("start-at-epoch-ms", values["start-at-epoch-ms"], 0, Number.MAX_SAFE_INTEGER)
  }
}
