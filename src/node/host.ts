/**
 * The replica host: one replica behind real timers, the WAL and the transport. Inputs go through one queue and
 * are stepped one at a time; the outputs of each step are performed in order.
 *
 * Persist is a barrier (protocol/io.ts): Persists are collected while a write is in flight and all go to disk in
 * the next single write + fdatasync (group commit); PersistDone is fed back only after that sync returned, for
 * the highest ioId of the batch, which completes every earlier one too. Messages that depend on a write are held
 * by the replica itself until then, so the host may send everything else at once.
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
import type { NodeClock } from "./clock.ts"
import type { WalService } from "./wal.ts"
import type { WalRecord } from "../storage/walRecord.ts"

export interface HostOptions {
  readonly config: ReplicaConfig
  readonly initialState: ReplicaState
  readonly wal: WalService
  readonly clock: NodeClock
  readonly send: (output: Extract<Output, { _tag: "Send" }>) => void
  /** The disk failed: the node cannot promise durability any more and must stop (fsync errors are not retried). */
  readonly onFatal: (error: unknown) => void
  readonly log: (line: string) => void
}

export interface HostCounters {
  steps: number
  droppedPeerInputs: number
  walBatches: number
  walRecords: number
}

/** Inputs waiting to be stepped; beyond it peer messages are dropped (Raft retransmits) and clients get Busy. */
const maxQueuedInputs = 20_000

/**
 * How long one drain may step inputs before it lets the event loop run. A restarted follower re-applies its log
 * as AppendEntries arrive, each step applying up to maxAppliedEntriesPerStep entries; a burst of queued messages
 * stepped in one go held the event loop for 7.8 s at 100,000 entries (issue 13, F4).
 */
const drainBudgetMs = 20

export class ReplicaHost {
  readonly counters: HostCounters = { steps: 0, droppedPeerInputs: 0, walBatches: 0, walRecords: 0 }
  private stateValue: ReplicaState
  private readonly queue: Array<Input> = []
  private draining = false
  private drainScheduled = false
  private nextRequestId = 1
  private readonly pendingRequests = new Map<number, (result: ClientResult) => void>()
  private pendingPersists: Array<{ readonly ioId: number; readonly record: WalRecord }> = []
  private walBusy = false
  private walFlushScheduled = false
  private clientBatch: Array<ClientRequestItem> = []
  private clientBatchScheduled = false
  private wakeAtMs = Number.POSITIVE_INFINITY
  private timerAtMs = Number.POSITIVE_INFINITY
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private recoveringReported: boolean

  constructor(private readonly options: HostOptions) {
    this.stateValue = options.initialState
    this.recoveringReported = options.initialState.recovering
  }

  get state(): ReplicaState {
    return this.stateValue
  }

  start(): void {
    this.enqueue({ _tag: "Tick", nowMs: this.options.clock.nowMs() })
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    for (const resolve of this.pendingRequests.values()) resolve({ _tag: "Unknown" })
    this.pendingRequests.clear()
  }

  /** Peer inputs; dropped (counted) when the queue is full. */
  deliver(inputs: ReadonlyArray<Input>): void {
    if (this.queue.length + inputs.length > maxQueuedInputs) {
      this.counters.droppedPeerInputs += inputs.length
      return
    }
    for (const input of inputs) this.queue.push(input)
    this.drain()
  }

  /** Submits a client request; `cancel` forgets it (its deadline passed) so a late reply is ignored. */
  submit(request: ClientRequest): { readonly result: Promise<ClientResult>; readonly cancel: () => void } {
    if (this.stopped || this.queue.length + this.clientBatch.length >= maxQueuedInputs) {
      return { result: Promise.resolve({ _tag: "Busy" }), cancel: () => undefined }
    }
    const requestId = this.nextRequestId
    this.nextRequestId += 1
    const result = new Promise<ClientResult>((resolve) => this.pendingRequests.set(requestId, resolve))
    this.clientBatch.push({ requestId, request })
    if (this.clientBatch.length >= maxClientRequestsPerBatch) this.flushClientBatch(true)
    else if (!this.clientBatchScheduled) {
      this.clientBatchScheduled = true
      // setImmediate: every request that arrived in this turn of the event loop goes to the replica as one
      // input, so the leader writes their entries in one Persist and sends them in one AppendEntries per peer.
      setImmediate(() => {
        this.clientBatchScheduled = false
        this.flushClientBatch(false)
      })
    }
    return { result, cancel: () => void this.pendingRequests.delete(requestId) }
  }

  /**
   * Hands the waiting client requests to the replica. While the leader's own WAL write is in flight, commands
   * keep waiting (reads go at once): their Persist would queue behind that write anyway, and proposing them all
   * when it completes (flushWal) gives one Persist and one AppendEntries per peer per write — etcd's Ready loop,
   * where proposals accumulate while the leader saves the previous Ready. Without it a busy leader sent an
   * AppendEntries per event-loop turn of one or two entries, and every frame woke a follower.
   */
  private flushClientBatch(force: boolean): void {
    if (this.clientBatch.length === 0 || this.stopped) return
    const held = !force && this.walBusy && this.stateValue.role === "leader"
    const requests = held ? this.clientBatch.filter((item) => item.request._tag === "Query") : this.clientBatch
    this.clientBatch = held ? this.clientBatch.filter((item) => item.request._tag !== "Query") : []
    if (requests.length === 0) return
    const only = requests.length === 1 ? requests[0] : undefined
    this.enqueue(only !== undefined ? { _tag: "ClientRequest", ...only } : { _tag: "ClientRequests", requests })
  }

  private enqueue(input: Input): void {
    this.queue.push(input)
    this.drain()
  }

  private drain(): void {
    if (this.draining || this.stopped) return
    this.draining = true
    const startedAtMs = performance.now()
    try {
      // Bounded by the queue's bound: outputs never enqueue inputs synchronously.
      while (this.queue.length > 0 && !this.stopped) {
        if (performance.now() - startedAtMs >= drainBudgetMs) {
          this.scheduleDrain()
          break
        }
        const input = this.queue.shift() as Input
        // Every input carries the clock reading (protocol/io.ts), so leases and deadlines stay honest without a
        // separate Tick step before it.
        this.stepOne(input._tag === "Tick" ? input : { ...input, nowMs: this.options.clock.nowMs() })
      }
    } finally {
      this.draining = false
    }
    this.scheduleTimer()
  }

  /** The rest of the queue after this turn of the event loop, so sockets and timers are served in between. */
  private scheduleDrain(): void {
    if (this.drainScheduled) return
    this.drainScheduled = true
    setImmediate(() => {
      this.drainScheduled = false
      this.drain()
    })
  }

  private stepOne(input: Input): void {
    const transition = Effect.runSync(step(this.options.config, this.stateValue, input))
    this.stateValue = transition.state
    this.counters.steps += 1
    for (const output of transition.outputs) this.perform(output)
    if (this.recoveringReported && !this.stateValue.recovering) this.finishRecovery()
  }

  private perform(output: Output): void {
    switch (output._tag) {
      case "Persist":
        return this.persist(output)
      case "Send":
        return this.options.send(output)
      case "Reply": {
        const resolve = this.pendingRequests.get(output.requestId)
        this.pendingRequests.delete(output.requestId)
        resolve?.(output.result)
        return
      }
      case "Applied":
        return
      case "WakeAt":
        this.wakeAtMs = output.atMs
        return
    }
  }

  private persist(output: Extract<Output, { _tag: "Persist" }>): void {
    const record: WalRecord = {
      ...(output.hardState !== undefined ? { hardState: output.hardState } : {}),
      ...(output.truncateFrom !== undefined ? { truncateFrom: output.truncateFrom } : {}),
      append: output.append
    }
    this.pendingPersists.push({ ioId: output.ioId, record })
    if (this.walBusy || this.walFlushScheduled) return
    this.walFlushScheduled = true
    // setImmediate: the Persists of every input that arrived in this event-loop turn share the first sync too.
    setImmediate(() => {
      this.walFlushScheduled = false
      this.flushWal()
    })
  }

  private flushWal(): void {
    if (this.walBusy || this.pendingPersists.length === 0 || this.stopped) return
    const batch = this.pendingPersists
    this.pendingPersists = []
    this.walBusy = true
    const lastIoId = (batch[batch.length - 1] as { ioId: number }).ioId
    Effect.runPromise(this.options.wal.append(batch.map((persist) => persist.record))).then(
      () => {
        this.walBusy = false
        this.counters.walBatches += 1
        this.counters.walRecords += batch.length
        this.enqueue({ _tag: "PersistDone", ioId: lastIoId })
        // The commands held during this write join the next one (flushClientBatch).
        this.flushClientBatch(false)
        this.flushWal()
      },
      (error: unknown) => {
        this.stopped = true
        this.options.onFatal(error)
      }
    )
  }

  private finishRecovery(): void {
    this.recoveringReported = false
    this.options.log(`caught up after WAL corruption at commit ${this.stateValue.commitIndex}: voting again`)
    Effect.runPromise(this.options.wal.markRecovered).catch((error: unknown) => this.options.onFatal(error))
  }

  private scheduleTimer(): void {
    if (this.stopped || this.wakeAtMs === this.timerAtMs) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timerAtMs = this.wakeAtMs
    if (!Number.isFinite(this.wakeAtMs)) return
    this.timer = setTimeout(() => {
      this.timerAtMs = Number.POSITIVE_INFINITY
      this.enqueue({ _tag: "Tick", nowMs: this.options.clock.nowMs() })
    }, this.options.clock.delayUntilMs(this.wakeAtMs))
  }
}
