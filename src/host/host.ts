/**
 * The replica host: everything between `step` and the world, shared by the simulator and the node. Inputs go
 * through one bounded queue and are stepped one at a time; the outputs of each step are performed in order.
 *
 * Persist is a barrier (protocol/io.ts): Persists are collected while a write is in flight and all go to storage
 * in the next single append + sync (group commit); PersistDone is fed back only after that sync returned, for the
 * highest ioId of the batch, which completes every earlier one too. Messages that depend on a write are held by
 * the replica itself until then, so the host may send everything else at once.
 *
 * Client requests that arrive in one turn reach the replica as one `ClientRequests` input; while the leader's own
 * write is in flight its commands wait for the next write (flushClientBatch). The host reads no clock and starts
 * no timer of its own: the world (world.ts) gives it the clock, "later in this turn", a timer, storage and the
 * network — real ones in the node, simulated ones in the simulator.
 */
import { Effect } from "effect"
import { maxClientRequestsPerBatch } from "../protocol/client.ts"
import {
  step,
  type ClientRequest,
  type ClientRequestItem,
  type ClientResult,
  type Input,
  type Output,
  type ReplicaConfig,
  type ReplicaState
} from "../protocol/index.ts"
import type { Transition } from "../protocol/step.ts"
import { walRecordOf, type WalRecord } from "../storage/walRecord.ts"
import { assert } from "../assert.ts"
import type { HostWorld } from "./world.ts"

export type { HostWorld } from "./world.ts"

/** Runs one step; undefined when the step died (the world has said why) and the host must stop. */
export type Stepper = (state: ReplicaState, input: Input) => Transition | undefined

export interface HostOptions {
  readonly config: ReplicaConfig
  readonly initialState: ReplicaState
  readonly world: HostWorld
  /** How a step is run (default `step` through Effect.runSync); the simulator adds its checks here. */
  readonly stepper?: Stepper
  /** Inputs waiting to be stepped (held while paused included); beyond it peer inputs are dropped, clients get Busy. */
  readonly maxQueuedInputs?: number
}

export interface HostCounters {
  steps: number
  droppedPeerInputs: number
  walBatches: number
  walRecords: number
  clientBatches: number
}

const defaultMaxQueuedInputs = 20_000

const runEffectStep =
  (config: ReplicaConfig): Stepper =>
  (state, input) =>
    Effect.runSync(step(config, state, input))

/** A request handed to submit: its result goes to `onResult` exactly once (Unknown if the host stops first). */
export interface Submitted {
  /** Forget the request (its deadline passed): a late result is not delivered. */
  cancel(): void
}

/**
 * A submitted request's handle. A class rather than a closure per request: the simulator submits thousands per
 * simulated run and never cancels, so the handle should cost one small object.
 */
class SubmittedRequest implements Submitted {
  constructor(
    private readonly pendingRequests: Map<number, (result: ClientResult) => void>,
    private readonly requestId: number
  ) {}

  cancel(): void {
    this.pendingRequests.delete(this.requestId)
  }
}

const refused: Submitted = { cancel: () => undefined }

export class ReplicaHost {
  readonly counters: HostCounters = { steps: 0, droppedPeerInputs: 0, walBatches: 0, walRecords: 0, clientBatches: 0 }
  private stateValue: ReplicaState
  private readonly world: HostWorld
  private readonly stepper: Stepper
  private readonly maxQueuedInputs: number
  private readonly queue: Array<Input> = []
  private queueHead = 0
  private draining = false
  private drainScheduled = false
  private nextRequestId = 1
  private readonly pendingRequests = new Map<number, (result: ClientResult) => void>()
  /** The records of the Persists waiting for the next write, and the ioId of the last of them. */
  private pendingRecords: Array<WalRecord> = []
  private pendingLastIoId = 0
  /** The write in flight (one at a time): how many records it carries and the ioId it completes. */
  private walBusy = false
  private writtenRecords = 0
  private writtenLastIoId = 0
  private clientBatch: Array<ClientRequestItem> = []
  private clientBatchScheduled = false
  private wakeAtMs = Number.POSITIVE_INFINITY
  private timerAtMs = Number.POSITIVE_INFINITY
  private stopped = false
  private pausedValue = false
  private recoveringReported: boolean

  constructor(options: HostOptions) {
    this.stateValue = options.initialState
    this.world = options.world
    this.stepper = options.stepper ?? runEffectStep(options.config)
    this.maxQueuedInputs = options.maxQueuedInputs ?? defaultMaxQueuedInputs
    this.recoveringReported = options.initialState.recovering
  }

  // The host's callbacks, made once: a closure per client batch, timer or write showed in the simulator's profile.
  private readonly flushScheduledBatch = (): void => {
    this.clientBatchScheduled = false
    this.flushClientBatch(false)
  }

  private readonly drainScheduledRest = (): void => {
    this.drainScheduled = false
    this.drain()
  }

  private readonly timerFired = (): void => {
    this.timerAtMs = Number.POSITIVE_INFINITY
    // A paused process's timers fire late: resume ticks first.
    if (!this.pausedValue) this.tick()
  }

  private readonly walWritten = (error?: unknown): void => this.writeDone(error)

  get state(): ReplicaState {
    return this.stateValue
  }

  get running(): boolean {
    return !this.stopped
  }

  get paused(): boolean {
    return this.pausedValue
  }

  /** Inputs queued and not yet stepped (held while paused included). */
  get queued(): number {
    return this.queue.length - this.queueHead
  }

  /** The first step: a Tick, so the replica arms its timers. */
  start(): void {
    this.tick()
  }

  /** A Tick now, and the timer armed afresh (the clock moved under the replica, or the process started). */
  tick(): void {
    this.timerAtMs = Number.NaN
    this.enqueue({ _tag: "Tick", nowMs: this.world.nowMs() })
  }

  /** The process dies (a crash, a disk failure): nothing more is stepped, written, sent or answered. */
  stop(): void {
    this.stopped = true
    this.world.timerAt(Number.POSITIVE_INFINITY, () => undefined)
  }

  /** The process shuts down: as stop, and every waiting client learns that its outcome is unknown. */
  close(): void {
    this.stop()
    const waiting = [...this.pendingRequests.values()]
    this.pendingRequests.clear()
    for (const resolve of waiting) resolve({ _tag: "Unknown" })
  }

  /** The process is stopped (SIGSTOP): inputs queue up, nothing is stepped until resume. */
  pause(): void {
    this.pausedValue = true
  }

  /** The process continues: timers fire late, so a Tick runs first, then the inputs that queued meanwhile. */
  resume(): void {
    if (!this.pausedValue) return
    this.pausedValue = false
    const held = this.queue.slice(this.queueHead)
    this.queue.length = 0
    this.queueHead = 0
    this.queue.push({ _tag: "Tick", nowMs: this.world.nowMs() }, ...held)
    this.drain()
    this.flushClientBatch(false)
    this.flushWal()
  }

  /**
   * Peer inputs (and the world's own: forged bytes), stepped in order; those beyond the queue's bound are dropped
   * and counted (Raft retransmits). Inputs handed over together (one read from a socket) share one write.
   * Returns how many were taken.
   */
  deliver(inputs: ReadonlyArray<Input>): number {
    if (this.stopped) return 0
    const room = Math.max(0, this.maxQueuedInputs - this.queued)
    const taken = Math.min(room, inputs.length)
    this.counters.droppedPeerInputs += inputs.length - taken
    for (let position = 0; position < taken; position += 1) this.queue.push(inputs[position] as Input)
    this.drain()
    return taken
  }

  /** One peer input (the simulator delivers them one by one): as deliver, without an array per input. */
  deliverOne(input: Input): boolean {
    if (this.stopped) return false
    if (this.queued >= this.maxQueuedInputs) {
      this.counters.droppedPeerInputs += 1
      return false
    }
    this.queue.push(input)
    this.drain()
    return true
  }

  /**
   * Submits a client request; its result goes to `onResult` (at once with Busy when the host cannot take it).
   * Requests submitted in one turn reach the replica together, as one ClientRequests input.
   */
  submit(request: ClientRequest, onResult: (result: ClientResult) => void): Submitted {
    if (this.stopped || this.queued + this.clientBatch.length >= this.maxQueuedInputs) {
      onResult({ _tag: "Busy" })
      return refused
    }
    const requestId = this.nextRequestId
    this.nextRequestId += 1
    this.pendingRequests.set(requestId, onResult)
    this.clientBatch.push({ requestId, request })
    if (this.clientBatch.length >= maxClientRequestsPerBatch) this.flushClientBatch(true)
    else if (!this.clientBatchScheduled) {
      this.clientBatchScheduled = true
      // Every request that arrives in this turn goes to the replica as one input, so the leader writes their
      // entries in one Persist and sends them in one AppendEntries per peer.
      this.world.later(this.flushScheduledBatch)
    }
    return new SubmittedRequest(this.pendingRequests, requestId)
  }

  /**
   * Hands the waiting client requests to the replica. While the leader's own write is in flight, commands keep
   * waiting (reads go at once): their Persist would queue behind that write anyway, and proposing them all when
   * it completes (flushWal) gives one Persist and one AppendEntries per peer per write — etcd's Ready loop, where
   * proposals accumulate while the leader saves the previous Ready. Without it a busy leader sent an
   * AppendEntries per turn of one or two entries, and every frame woke a follower.
   */
  private flushClientBatch(force: boolean): void {
    if (this.clientBatch.length === 0 || this.stopped || this.pausedValue) return
    const held = !force && this.walBusy && this.stateValue.role === "leader"
    const requests = held ? this.clientBatch.filter((item) => item.request._tag === "Query") : this.clientBatch
    this.clientBatch = held ? this.clientBatch.filter((item) => item.request._tag !== "Query") : []
    if (requests.length === 0) return
    this.counters.clientBatches += 1
    const only = requests.length === 1 ? requests[0] : undefined
    const nowMs = this.world.nowMs()
    this.enqueue(
      only !== undefined
        ? { _tag: "ClientRequest", requestId: only.requestId, request: only.request, nowMs }
        : { _tag: "ClientRequests", requests, nowMs }
    )
  }

  private enqueue(input: Input): void {
    this.queue.push(input)
    this.drain()
  }

  private drain(): void {
    if (this.draining || this.stopped || this.pausedValue) return
    this.draining = true
    const overBudget = this.world.drainBudget?.()
    try {
      // Bounded by the queue's bound: performing an output never steps this replica synchronously.
      while (this.queueHead < this.queue.length && !this.stopped && !this.pausedValue) {
        if (overBudget?.() === true) {
          this.scheduleDrain()
          break
        }
        const input = this.queue[this.queueHead] as Input
        this.queueHead += 1
        // Every input carries the clock reading of when it is stepped (protocol/io.ts), so leases and deadlines
        // stay honest without a separate Tick step before it.
        const nowMs = input._tag === "Tick" ? input.nowMs : this.world.nowMs()
        this.stepOne(input.nowMs === nowMs ? input : { ...input, nowMs })
      }
      if (this.queueHead === this.queue.length) {
        // Emptied by pops: `length = 0` is a runtime call and drops the backing store, once per drain.
        while (this.queue.length > 0) this.queue.pop()
        this.queueHead = 0
      }
    } finally {
      this.draining = false
    }
    this.scheduleTimer()
  }

  /** The rest of the queue later in this turn, so sockets and timers are served in between. */
  private scheduleDrain(): void {
    if (this.drainScheduled) return
    this.drainScheduled = true
    this.world.later(this.drainScheduledRest)
  }

  private stepOne(input: Input): void {
    const before = this.stateValue
    const transition = this.stepper(before, input)
    if (transition === undefined) {
      this.stop()
      return
    }
    this.stateValue = transition.state
    this.counters.steps += 1
    for (const output of transition.outputs) this.perform(output)
    this.world.stepped?.(input, before, transition)
    if (this.recoveringReported && !this.stateValue.recovering) this.finishRecovery()
  }

  private perform(output: Output): void {
    switch (output._tag) {
      case "Persist":
        this.world.persisting?.(output)
        return this.persist(output)
      case "Send":
        return this.world.send(output)
      case "Reply": {
        const resolve = this.pendingRequests.get(output.requestId)
        this.pendingRequests.delete(output.requestId)
        resolve?.(output.result)
        return
      }
      case "Applied":
        this.world.applied?.(output)
        return
      case "WakeAt":
        this.wakeAtMs = output.atMs
        return
    }
  }

  private persist(output: Extract<Output, { _tag: "Persist" }>): void {
    // Written at once when no write is in flight; the Persists that come while one is share the next write.
    assert(output.ioId > this.pendingLastIoId, "Persists come in ioId order")
    this.pendingRecords.push(walRecordOf(output))
    this.pendingLastIoId = output.ioId
    if (!this.walBusy) this.flushWal()
  }

  private flushWal(): void {
    if (this.walBusy || this.pendingRecords.length === 0 || this.stopped || this.pausedValue) return
    const records = this.pendingRecords
    this.pendingRecords = []
    this.walBusy = true
    this.writtenRecords = records.length
    this.writtenLastIoId = this.pendingLastIoId
    this.world.storage.append(records, this.walWritten)
  }

  /** The write in flight returned: PersistDone for its last ioId, then the next write. */
  private writeDone(error: unknown): void {
    if (this.stopped) return
    assert(this.walBusy, "a write completes only while one is in flight")
    if (error !== undefined) {
      // The disk failed: durability can no longer be promised (fsync errors are not retried).
      this.stop()
      this.world.fatal(error)
      return
    }
    this.walBusy = false
    this.counters.walBatches += 1
    this.counters.walRecords += this.writtenRecords
    this.enqueue({ _tag: "PersistDone", ioId: this.writtenLastIoId, nowMs: this.world.nowMs() })
    // The commands held during this write join the next one (flushClientBatch).
    this.flushClientBatch(false)
    this.flushWal()
  }

  private finishRecovery(): void {
    this.recoveringReported = false
    this.world.log(`caught up after WAL corruption at commit ${this.stateValue.commitIndex}: voting again`)
    this.world.storage.markRecovered((error) => {
      if (error !== undefined && !this.stopped) {
        this.stop()
        this.world.fatal(error)
      }
    })
  }

  private scheduleTimer(): void {
    if (this.stopped || this.wakeAtMs === this.timerAtMs) return
    this.timerAtMs = this.wakeAtMs
    this.world.timerAt(this.wakeAtMs, this.timerFired)
  }
}
