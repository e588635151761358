/**
 * A tiny in-memory cluster driven by readable scripts, in the style of etcd-raft's interaction tests. Every
 * message, persist and tick is explicit, so a script shows exactly the order the protocol depends on.
 *
 *   cluster 3                       nodes 1..3 (etcd timing unless `cluster 3 heartbeat=10 election=100`)
 *   campaign 1                      tick node 1 to its election deadline
 *   tick <node|all> <ms>            advance the node's clock and deliver a Tick
 *   persist <node|all>              make every pending write durable and report PersistDone
 *   complete <node> <ioId>          report a PersistDone the host invented (a forged or stale completion)
 *   deliver [from] [to]             deliver queued messages (`*` matches any node); cut links drop them
 *   drop [from] [to]                drop queued messages
 *   stabilize                       persist and deliver until nothing is pending (bounded)
 *   propose <node> <client> <seq> put <key> <value> | delete <key> | cas <key> <expected|nil> <value>
 *   read <node> <key>
 *   crash <node>                    volatile state and unsynced writes are lost; recover from disk
 *   lose <node> <index>             the disk lost every entry from <index> on; restart as damaged
 *   partition <a,b> <c,...>         cut every link between the groups; `heal` restores them
 *   inject <to> <from> <json>       a raw peer message, decoded with the Schema like a host would
 *
 * Every message goes through JSON and the Schema (testing/wire.ts); with `frame=<bytes>` a message whose JSON is
 * larger is dropped and counted, as a host's bounded transport frame would.
 *   expect ...                      see `expectation` below
 */
import { Effect, Either, Schema } from "effect"
import type { BugName } from "../bugs.ts"
import { makeReplicaConfig, type ReplicaConfig } from "../config.ts"
import type { Entry, HardState, NodeId } from "../entry.ts"
import type { ClientRequest, ClientResult, Input, Output } from "../io.ts"
import * as Log from "../log.ts"
import { Message } from "../messages.ts"
import { recover, type ReplicaState } from "../state.ts"
import { step } from "../step.ts"
import { checkReplicaState } from "../checkState.ts"
import { entriesThroughDisk, messageThroughWire, wireSizeBytes } from "./wire.ts"

interface Replica {
  readonly config: ReplicaConfig
  state: ReplicaState
  clockMs: number
  durable: { hardState: HardState; log: Array<Entry> }
  unsynced: Array<Extract<Output, { _tag: "Persist" }>>
}

interface InFlight {
  readonly from: NodeId
  readonly to: NodeId
  readonly message: Message
}

export class Interaction {
  readonly replicas = new Map<NodeId, Replica>()
  readonly network: Array<InFlight> = []
  readonly replies = new Map<number, ClientResult>()
  readonly cut = new Set<string>()
  readonly transcript: Array<string> = []
  /** Messages dropped for being larger than the frame bound, and the largest message delivered. */
  oversizedDrops = 0
  largestMessageBytes = 0
  private nextRequestId = 1
  private readonly frameBytes: number

  constructor(
    size: number,
    options: {
      heartbeatMs?: number
      electionMs?: number
      batch?: number
      sessions?: number
      messageBytes?: number
      entryBytes?: number
      frameBytes?: number
      bugs?: ReadonlyArray<BugName>
    } = {}
  ) {
    this.frameBytes = options.frameBytes ?? Number.POSITIVE_INFINITY
    const voters = Array.from({ length: size }, (_, position) => position + 1)
    for (const id of voters) {
      const config = makeReplicaConfig({
        id,
        voters,
        randomSeed: id * 7919,
        heartbeatIntervalMs: options.heartbeatMs ?? 100,
        electionTimeoutMinMs: options.electionMs ?? 1000,
        electionTimeoutMaxMs: 2 * (options.electionMs ?? 1000),
        maxEntriesPerMessage: options.batch ?? 64,
        maxSessions: options.sessions ?? 1024,
        ...(options.messageBytes !== undefined ? { maxBytesPerMessage: options.messageBytes } : {}),
        ...(options.entryBytes !== undefined ? { maxEntryBytes: options.entryBytes } : {}),
        bugs: new Set(options.bugs ?? [])
      })
      const durable = { hardState: { term: 0, votedFor: null }, log: [] as Array<Entry> }
      const state = recover(config, { hardState: durable.hardState, log: durable.log, damaged: false })
      this.replicas.set(id, { config, state, clockMs: 0, durable, unsynced: [] })
    }
    for (const id of voters) this.input(id, { _tag: "Tick", nowMs: 0 })
  }

  replica(id: NodeId): Replica {
    const replica = this.replicas.get(id)
    if (replica === undefined) throw new Error(`no node ${id}`)
    return replica
  }

  input(id: NodeId, input: Input): void {
    const replica = this.replica(id)
    const transition = Effect.runSync(step(replica.config, replica.state, input))
    // Every state a script reaches is one a correct replica can be in (checkState.ts).
    checkReplicaState(replica.config, transition.state, replica.state)
    replica.state = transition.state
    for (const output of transition.outputs) this.perform(id, output)
  }

  private perform(id: NodeId, output: Output): void {
    switch (output._tag) {
      case "Persist":
        this.replica(id).unsynced.push(output)
        this.transcript.push(`${id} persist#${output.ioId}`)
        return
      case "Send":
        this.network.push({ from: id, to: output.to, message: output.message })
        this.transcript.push(`${id}->${output.to} ${output.message._tag}`)
        return
      case "Reply":
        this.replies.set(output.requestId, output.result)
        return
      case "Applied":
      case "WakeAt":
        return
    }
  }

  tick(id: NodeId, elapsedMs: number): void {
    const replica = this.replica(id)
    replica.clockMs += elapsedMs
    this.input(id, { _tag: "Tick", nowMs: replica.clockMs })
  }

  campaign(id: NodeId): void {
    const replica = this.replica(id)
    this.tick(id, Math.max(0, replica.state.electionDeadlineMs - replica.clockMs))
  }

  persist(id: NodeId): void {
    const replica = this.replica(id)
    const writes = replica.unsynced.splice(0)
    for (const write of writes) {
      // What recovery would read back: an entry the disk cannot hold is a record that is intact but unreadable.
      const readBack = entriesThroughDisk(write.append)
      if (Either.isLeft(readBack)) throw new Error(`node ${id} wrote a record it cannot read back: ${readBack.left}`)
      if (write.hardState !== undefined) replica.durable.hardState = write.hardState
      if (write.truncateFrom !== undefined) replica.durable.log.splice(write.truncateFrom - 1)
      replica.durable.log.push(...readBack.right)
    }
    const last = writes[writes.length - 1]
    if (last !== undefined) this.input(id, { _tag: "PersistDone", ioId: last.ioId })
  }

  /** Delivers (or drops) the queued messages that match, in order; returns how many matched. */
  deliver(from: NodeId | "*", to: NodeId | "*", drop = false): number {
    const matches = (flight: InFlight) => (from === "*" || flight.from === from) && (to === "*" || flight.to === to)
    const selected = this.network.filter(matches)
    const rest = this.network.filter((flight) => !matches(flight))
    this.network.splice(0, this.network.length, ...rest)
    for (const flight of selected) {
      if (drop || this.cut.has(`${flight.from}>${flight.to}`)) continue
      const sizeBytes = wireSizeBytes(flight.message)
      if (sizeBytes > this.frameBytes) {
        this.oversizedDrops += 1
        this.transcript.push(`${flight.from}->${flight.to} ${flight.message._tag} dropped: ${sizeBytes} bytes`)
        continue
      }
      this.largestMessageBytes = Math.max(this.largestMessageBytes, sizeBytes)
      // Through JSON and the Schema, as a host delivers it: what does not decode arrives as Malformed.
      const received = messageThroughWire(flight.message)
      if (Either.isLeft(received))
        this.input(flight.to, { _tag: "Malformed", from: flight.from, reason: received.left })
      else this.input(flight.to, { _tag: "Receive", from: flight.from, message: received.right })
    }
    return selected.length
  }

  stabilize(): void {
    for (let round = 0; round < 1000; round += 1) {
      const pending = [...this.replicas.values()].some((replica) => replica.unsynced.length > 0)
      if (!pending && this.network.length === 0) return
      for (const id of this.replicas.keys()) this.persist(id)
      this.deliver("*", "*")
    }
    throw new Error("stabilize did not settle within 1000 rounds")
  }

  request(id: NodeId, request: ClientRequest): number {
    const requestId = this.nextRequestId
    this.nextRequestId += 1
    this.input(id, { _tag: "ClientRequest", requestId, request })
    return requestId
  }

  crash(id: NodeId): void {
    const replica = this.replica(id)
    replica.unsynced = []
    replica.state = recover(replica.config, {
      hardState: replica.durable.hardState,
      log: [...replica.durable.log],
      damaged: false
    })
    this.input(id, { _tag: "Tick", nowMs: replica.clockMs })
  }

  /** The disk lost every entry from `fromIndex` on (a damaged suffix): restart knowing it was damaged. */
  loseSuffix(id: NodeId, fromIndex: number): void {
    const replica = this.replica(id)
    replica.unsynced = []
    replica.durable.log.splice(fromIndex - 1)
    replica.state = recover(replica.config, {
      hardState: replica.durable.hardState,
      log: [...replica.durable.log],
      damaged: true
    })
    this.input(id, { _tag: "Tick", nowMs: replica.clockMs })
  }

  inject(to: NodeId, from: NodeId, raw: unknown): void {
    const decoded = Schema.decodeUnknownEither(Message)(raw)
    if (Either.isLeft(decoded)) this.input(to, { _tag: "Malformed", from, reason: "does not decode as a Message" })
    else this.input(to, { _tag: "Receive", from, message: decoded.right })
  }

  leaders(): ReadonlyArray<NodeId> {
    return [...this.replicas.entries()].filter(([, replica]) => replica.state.role === "leader").map(([id]) => id)
  }

  logOf(id: NodeId): string {
    return Log.toArray(this.replica(id).state.log)
      .map((entry) => `${entry.index}:${entry.term}`)
      .join(" ")
  }

  lastIndexOf(id: NodeId): number {
    return Log.lastIndex(this.replica(id).state.log)
  }
}
