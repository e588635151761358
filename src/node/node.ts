/**
 * A started node: the WAL recovered, the replica rebuilt from it, the peer transport listening and dialling,
 * and the HTTP API serving. `startNode` wires the parts; each part lives in its own module.
 */
import type * as http from "node:http"
import * as os from "node:os"
import { Data, Effect } from "effect"
import { describeRejection, makeReplicaConfig, recover, type Input, type ReplicaConfig } from "../protocol/index.ts"
import { Log } from "../protocol/index.ts"
import { AutomaticSessions } from "./clientSessions.ts"
import { NodeClock } from "./clock.ts"
import { ConnectionQueue } from "./connectionQueue.ts"
import { noFaults, type FaultSettings } from "./faults.ts"
import { maxFrameBytesDefault } from "./frame.ts"
import { ReplicaHost } from "../host/host.ts"
import { liveWorld } from "./liveWorld.ts"
import { createApiServer, type ApiContext } from "./httpApi.ts"
import type { ServeOptions } from "./serveOptions.ts"
import { PeerTransport } from "./transport.ts"
import { DurabilityWitness } from "./durabilityWitness.ts"
import { compiledTestBugs } from "./testBugs.ts"
import { payloadBytesMaxDefault } from "../storage/record.ts"
import { Wal, WalLive, type WalRecovery, type WalService } from "./wal.ts"

/** What `faultline serve` parsed, and how the node reports. */
export interface NodeOptions extends ServeOptions {
  readonly log: (line: string) => void
  readonly onFatal: (error: unknown) => void
}

export interface StartedNode {
  readonly httpUrl: string
  readonly host: ReplicaHost
  readonly close: () => Promise<void>
}

const maxSendQueueMessages = 4_096
/** Peer inputs kept while the WAL is read (a leader's heartbeats and appends); later ones are dropped, Raft resends. */
const maxEarlyInputs = 1_024

const configOf = (options: NodeOptions): ReplicaConfig =>
  makeReplicaConfig({
    id: options.id,
    voters: [...options.members.keys()],
    // Seeded per process start so that restarted nodes do not replay the same election timeouts, unless the
    // command line gives the seed (a replay gives the simulator's, so the node draws its election timeouts).
    randomSeed: options.randomSeed ?? (options.id * 7919 + Date.now()) % 2 ** 31,
    maxSessions: options.maxSessions ?? 4_096,
    // A few milliseconds of applying per step: a restart re-applies the whole log in steps between which the event
    // loop serves HTTP and peers (512 made a restarted follower answer /health up to one such step late).
    maxAppliedEntriesPerStep: 128,
    // Empty except in a test image built with bugs (src/node/testBugs.ts); no option can set it.
    bugs: compiledTestBugs,
    ...(options.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
    ...(options.electionTimeoutMs !== undefined
      ? { electionTimeoutMinMs: options.electionTimeoutMs, electionTimeoutMaxMs: 2 * options.electionTimeoutMs }
      : {}),
    ...(options.electionTimeoutMaxMs !== undefined ? { electionTimeoutMaxMs: options.electionTimeoutMaxMs } : {}),
    ...(options.maxEntriesPerMessage !== undefined ? { maxEntriesPerMessage: options.maxEntriesPerMessage } : {}),
    ...(options.maxInflightBatches !== undefined ? { maxInflightBatches: options.maxInflightBatches } : {})
  })

const openWal = (dataDirectory: string): Promise<{ wal: WalService; recovery: WalRecovery }> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const wal = yield* Wal
      const recovery = yield* wal.recover
      return { wal, recovery }
    }).pipe(
      Effect.provide(WalLive(dataDirectory, { applyCorruptRecords: compiledTestBugs.has("applyCorruptRecords") }))
    )
  )

/** Room for what surrounds entries: a message's other fields and the envelope, or a WAL record's own JSON. */
const framingAllowanceBytes = 4096

/**
 * Every AppendEntries the replica may send must fit one peer frame, and every entry it may append one WAL record;
 * otherwise a batch is dropped on every retry and a follower never catches up (issue 13, F2).
 */
/** A node configuration that cannot work; the message says why. */
class NodeConfigInvalid extends Data.TaggedError("NodeConfigInvalid")<{ readonly message: string }> {}

const checkMessageBounds = (config: ReplicaConfig): void => {
  if (config.maxBytesPerMessage + framingAllowanceBytes > maxFrameBytesDefault - 256) {
    throw new NodeConfigInvalid({
      message: `maxBytesPerMessage ${config.maxBytesPerMessage} does not fit a ${maxFrameBytesDefault}-byte frame`
    })
  }
  if (config.maxEntryBytes + framingAllowanceBytes > payloadBytesMaxDefault) {
    throw new NodeConfigInvalid({
      message: `maxEntryBytes ${config.maxEntryBytes} does not fit a ${payloadBytesMaxDefault}-byte WAL record`
    })
  }
}

export const startNode = async (options: NodeOptions): Promise<StartedNode> => {
  const listen = options.members.get(options.id)
  if (listen === undefined)
    throw new NodeConfigInvalid({ message: `--peers should include this node's own id ${options.id}` })
  const config = configOf(options)
  checkMessageBounds(config)
  const clock = new NodeClock()
  const httpUrl = `http://${advertisedHost(options.httpHost)}:${options.httpPort}`
  let host: ReplicaHost | undefined
  // The peer port opens and the links dial before the WAL is read, so that the handshakes each way (and a leader's
  // first messages) overlap recovery instead of following it; what arrives before the replica exists waits, bounded.
  const early: Array<Input> = []
  const peers = new Map([...options.members].filter(([peerId]) => peerId !== options.id))
  const transport = new PeerTransport({
    selfId: options.id,
    listen,
    peers,
    secret: options.clusterSecret,
    httpUrl,
    maxQueueMessages: maxSendQueueMessages,
    maxFrameBytes: maxFrameBytesDefault,
    deliver: (inputs) => {
      if (host !== undefined) return void host.deliver(inputs)
      early.push(...inputs.slice(0, Math.max(0, maxEarlyInputs - early.length)))
    }
  })
  const startUp = new StartUpMilestones(options.log)
  // HTTP listens before the WAL is read too: until the replica exists every request gets 503 with the reason.
  let context: ApiContext | undefined
  const httpQueue = new ConnectionQueue()
  const server = createApiServer(() => context, options.log, httpQueue)
  let opened: { wal: WalService; recovery: WalRecovery }
  try {
    await transport.listen()
    startUp.mark("peer port open")
    await listenHttp(server, options.httpHost, options.httpPort)
    startUp.mark("HTTP listening")
    opened = await openWal(options.dataDirectory)
    startUp.mark("WAL read")
  } catch (error) {
    await transport.close()
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
    throw error
  }
  const recovery = opened.recovery
  // Watches every vote and acknowledgement against what fdatasync returned (persisted_before_reply).
  const witness = new DurabilityWitness(recovery.durable)
  const wal: WalService = {
    ...opened.wal,
    append: (records) => Effect.tap(opened.wal.append(records), () => witness.synced(records))
  }
  if (compiledTestBugs.size > 0)
    options.log(`TEST IMAGE: planted bugs ${[...compiledTestBugs].join(", ")} are switched on`)
  logRecovery(options, recovery)
  const started = new ReplicaHost({
    config,
    initialState: recover(config, recovery.durable),
    world: liveWorld({
      clock,
      wal,
      send: (output) => {
        witness.sending(output.to, output.message)
        transport.send(output.to, output.message)
      },
      onFatal: options.onFatal,
      log: options.log,
      stepped: (_input, _before, transition) => {
        if (transition.state.leader !== null) startUp.leaderKnown()
      }
    })
  })
  startUp.mark("replica rebuilt")
  host = started
  started.deliver(early.splice(0))
  await waitForStartTime(options)
  started.start()
  let faults: FaultSettings = noFaults
  context = {
    selfId: options.id,
    host: started,
    sessions: new AutomaticSessions(options.id),
    leaderHttpUrl: (leader) => (leader === options.id ? httpUrl : transport.peerHttpUrls.get(leader)),
    status: () => ({
      ...statusOf(options.id, started, transport, wal, recovery, httpUrl),
      http: httpQueue.counters,
      durability: durabilityOf(witness, recovery)
    }),
    health: () => healthOf(started),
    admin:
      options.adminToken === undefined
        ? undefined
        : {
            token: options.adminToken,
            current: () => faults,
            apply: (settings) => {
              faults = settings
              transport.setFaults(settings)
              clock.setOffsetMs(settings.clockOffsetMs)
              options.log(`fault settings changed: ${JSON.stringify(settings)}`)
            }
          }
  }
  startUp.serving()
  return { httpUrl, host: started, close: () => closeNode(server, started, transport, wal) }
}

/**
 * When a (re)started node got where: milliseconds since the process started, logged once with the moment it first
 * knows a leader (when /health turns 200), so that an operator sees where a restart's time went.
 */
class StartUpMilestones {
  private readonly reached: Array<string> = []
  private leaderKnownAt: number | undefined
  private servingAt: number | undefined

  constructor(private readonly log: (line: string) => void) {}

  mark(what: string): void {
    this.reached.push(`${what} ${sinceProcessStartMs()} (CPU ${cpuSinceProcessStartMs()})`)
  }

  leaderKnown(): void {
    if (this.leaderKnownAt !== undefined) return
    this.leaderKnownAt = sinceProcessStartMs()
    this.mark("leader known")
    this.logOnceInService()
  }

  /** The API answers from the replica (until then every request gets 503). */
  serving(): void {
    this.servingAt = sinceProcessStartMs()
    this.mark("serving")
    this.logOnceInService()
  }

  private logOnceInService(): void {
    if (this.leaderKnownAt === undefined || this.servingAt === undefined) return
    const inService = Math.max(this.leaderKnownAt, this.servingAt)
    this.log(
      `in service ${inService} ms after the process started (ms since then, and CPU ms: ${this.reached.join(", ")})`
    )
  }
}

const sinceProcessStartMs = (): number => Math.round(process.uptime() * 1000)
const cpuSinceProcessStartMs = (): number => {
  const used = process.cpuUsage()
  return Math.round((used.user + used.system) / 1000)
}

/**
 * Holds the replica's first step until --start-at-epoch-ms, so that every node of a replayed cluster starts its
 * election timers at one instant, as the simulator's replicas do at time 0. A start already past is said, not
 * waited for: a node restarted later in the run, or one whose container came up late.
 */
const waitForStartTime = async (options: NodeOptions): Promise<void> => {
  const startAtEpochMs = options.startAtEpochMs
  if (startAtEpochMs === undefined) return
  const waitMs = startAtEpochMs - Date.now()
  if (waitMs <= 0) {
    options.log(`replica started ${-waitMs} ms after --start-at-epoch-ms ${startAtEpochMs}`)
    return
  }
  await new Promise((resolve) => setTimeout(resolve, waitMs))
  options.log(`replica started at --start-at-epoch-ms ${startAtEpochMs} (waited ${waitMs} ms)`)
}

/** The durability witness's readings and what this process recovered, for the harness's persisted-state checks. */
const durabilityOf = (witness: DurabilityWitness, recovery: WalRecovery): Record<string, unknown> => ({
  sentBeforeDurable: witness.sentBeforeDurable,
  examples: witness.examples,
  durableHardState: witness.durable,
  recoveredHardState: recovery.durable.hardState,
  recoveredDamaged: recovery.durable.damaged
})

/** A wildcard bind address is not somewhere a client can be redirected to: advertise the host name instead. */
const advertisedHost = (httpHost: string): string =>
  httpHost === "0.0.0.0" || httpHost === "::" ? os.hostname() : httpHost.includes(":") ? `[${httpHost}]` : httpHost

const logRecovery = (options: NodeOptions, recovery: WalRecovery): void => {
  const durable = recovery.durable
  options.log(
    `WAL recovered: ${recovery.recordCount} records, ${durable.log.length} entries, term ${durable.hardState.term}; ${recovery.finding}`
  )
  if (recovery.corruptionDetected) {
    options.log(
      `WAL CORRUPTION detected; the damaged suffix is discarded and will be recovered from peers (quarantined as ${recovery.quarantineFile})`
    )
  } else if (recovery.recoveringFromEarlierStart) {
    options.log("still recovering from WAL corruption found at an earlier start: not voting until caught up")
  }
}

const listenHttp = (server: http.Server, host: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => {
      server.off("error", reject)
      resolve()
    })
  })

const closeNode = async (
  server: http.Server,
  host: ReplicaHost,
  transport: PeerTransport,
  wal: WalService
): Promise<void> => {
  host.close()
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await transport.close()
  await Effect.runPromise(wal.close)
}

const healthOf = (host: ReplicaHost): { serving: boolean; reason: string } => {
  const state = host.state
  if (state.recovering)
    return { serving: false, reason: "recovering from WAL corruption: waiting for a leader to catch this node up" }
  if (state.leader === null) return { serving: false, reason: `no known leader in term ${state.term}` }
  return { serving: true, reason: state.role === "leader" ? "leader" : `following leader ${state.leader}` }
}

const statusOf = (
  id: number,
  host: ReplicaHost,
  transport: PeerTransport,
  wal: WalService,
  recovery: WalRecovery,
  httpUrl: string
): Record<string, unknown> => {
  const state = host.state
  return {
    id,
    httpUrl,
    role: state.role,
    term: state.term,
    leader: state.leader,
    commitIndex: state.commitIndex,
    lastApplied: state.lastApplied,
    lastLogIndex: Log.lastIndex(state.log),
    durableIndex: state.durableIndex,
    leaderChanges: state.stats.leaderChanges,
    electionsStarted: state.stats.electionsStarted,
    recovering: state.recovering,
    testBugs: [...compiledTestBugs],
    rejectedMessages: state.stats.rejections,
    lastRejection: state.stats.lastRejection === null ? null : describeRejection(state.stats.lastRejection),
    peers: transport.peerStatus(),
    transport: transport.counters,
    host: host.counters,
    wal: {
      finding: recovery.finding,
      corruptionDetected: recovery.corruptionDetected,
      recoveringFromEarlierStart: recovery.recoveringFromEarlierStart,
      quarantineFile: recovery.quarantineFile ?? null,
      truncatedTailBytes: recovery.truncatedTailBytes,
      discardedBytes: recovery.discardedBytes,
      corruptRecordsTrusted: recovery.corruptRecordsTrusted,
      recoveredRecords: recovery.recordCount,
      ...wal.stats()
    }
  }
}
