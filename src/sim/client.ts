/**
 * Closed-loop clients. Each runs one operation at a time: it finds the leader (following NotLeader hints,
 * otherwise trying replicas round-robin), times out and retries with the same session and sequence (so a
 * retried command is applied at most once), and records invoke / ok / fail / unknown events in the history
 * format of model/linearizability.
 *
 * An operation aimed at a replica (the schedule's `replica`) is sent there, as a client of one node's HTTP API
 * sends it: a follower that knows the leader redirects it (NotLeader with a hint, the node's 307) and the client
 * follows; a replica that knows no leader is asked again after a backoff (the node retries locally until its
 * deadline); an attempt that times out or ends uncertain drops the aim, and the client routes as usual.
 */
import type { ModelEvent } from "../../model/invariants/observation.ts"
import { assert } from "../assert.ts"
import type { AppResult } from "../app/machine.ts"
import { entryDigest, type Session } from "../protocol/entry.ts"
import type { ClientRequest, ClientResult, RequestId } from "../protocol/io.ts"
import type { SimContext } from "./events.ts"
import type { SimRandom } from "../schedule/random.ts"
import type { Trace } from "./trace.ts"
import { isLedgerOperation, ledgerInputOfOperation, ledgerOutputOf, type LedgerHistoryEvent } from "./ledgerHistory.ts"
import type { ClientOperation, ClientProfile } from "../schedule/index.ts"

/** The model's key-value command: a ReadIndex read is a Get for the checker. */
export type HistoryInput =
  | { readonly _tag: "Put"; readonly key: string; readonly value: string }
  | { readonly _tag: "Get"; readonly key: string }
  | { readonly _tag: "Delete"; readonly key: string }
  | { readonly _tag: "Cas"; readonly key: string; readonly expected: string | null; readonly value: string }
export type HistoryOutput =
  | { readonly _tag: "Ok"; readonly value: string | null }
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "CasMismatch"; readonly current: string | null }

/** Structurally model/linearizability's HistoryEvent<KvCommand, KvResult>. */
export type HistoryEvent =
  | { readonly _tag: "Invoke"; readonly process: number; readonly atTime: number; readonly input: HistoryInput }
  | { readonly _tag: "Ok"; readonly process: number; readonly atTime: number; readonly output: HistoryOutput }
  | { readonly _tag: "Fail"; readonly process: number; readonly atTime: number }
  | { readonly _tag: "Unknown"; readonly process: number; readonly atTime: number }

/** Operations waiting behind the current one; a schedule that outpaces its client drops the excess, visibly. */
export const clientQueueMax = 1024
const backoffBaseMs = 50
const backoffMaxMs = 1000

/** An operation as the schedule submitted it: the replica it is aimed at, if any. */
interface Submitted {
  readonly op: ClientOperation
  readonly replica: number | undefined
}

interface Current {
  readonly op: ClientOperation
  /** The replica the operation is still aimed at; undefined once a redirect or a timeout ended the aim. */
  aimedAt: number | undefined
  /** Which history records it: the key-value one or the ledger's. */
  readonly ledger: boolean
  readonly request: ClientRequest
  attempt: number
  /** Every request id sent for this operation: a final answer to any of them answers the operation. */
  readonly requestIds: Set<RequestId>
  /** The latest attempt's request id: only its timeout or redirect moves the client on. */
  latestRequestId: RequestId
  /** An attempt timed out or was cut off: the command may have been applied, so giving up is "unknown". */
  maybeApplied: boolean
  /** When the latest attempt times out. */
  deadlineMs: number
}

/** What a client needs from the simulation beyond the common context. */
export interface ClientHost extends SimContext {
  readonly trace: Trace
  readonly replicas: number
  nextRequestId(): RequestId
  nextProcessId(): number
  register(requestId: RequestId, client: number): void
  /** Records a key-value event; an invocation of a command comes with its session (the key to the applied logs). */
  record(event: HistoryEvent, session?: Session): void
  recordLedger(event: LedgerHistoryEvent): void
  modelEvent(event: ModelEvent): void
  /** Whether model/'s invariants run: the client's events for them are built only then. */
  readonly modelEnabled: boolean
}

type KvOperation = Exclude<
  ClientOperation,
  { readonly _tag: "CreateAccount" | "Deposit" | "Withdraw" | "Transfer" | "GetAccount" | "ReadAccount" }
>

const historyInputOf = (op: KvOperation): HistoryInput => (op._tag === "Read" ? { _tag: "Get", key: op.key } : op)

/** The key-value result of a key-value operation; undefined for a result of the other application. */
const historyOutputOf = (result: AppResult): HistoryOutput | undefined =>
  result._tag === "Ok" || result._tag === "NotFound" || result._tag === "CasMismatch" ? result : undefined

/** What an operation ended with: a result of the replicated application, or no definite answer. */
type Ending = AppResult | "fail" | "unknown"

export class SimClient {
  private generation = 0
  private sequence = 0
  private process: number
  private leaderGuess: number | undefined
  private roundRobin: number
  private readonly queue: Array<Submitted> = []
  private current: Current | undefined
  /**
   * The time of the client's one queued timer event, if any. A timer per attempt would put an event in the
   * queue for every request, nearly all of them firing long after their answer; one timer, moved on to the
   * current deadline whenever it fires early, times out exactly the same attempts.
   */
  private timerAtMs: number | undefined
  dropped = 0

  constructor(
    readonly index: number,
    private readonly host: ClientHost,
    private readonly profile: ClientProfile,
    private readonly random: SimRandom
  ) {
    this.process = host.nextProcessId()
    this.roundRobin = index % host.replicas
  }

  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0
  }

  private get clientId(): string {
    return `c${this.index}.${this.generation}`
  }

  submit(op: ClientOperation, replica?: number): void {
    assert(
      replica === undefined || (Number.isInteger(replica) && replica >= 0 && replica < this.host.replicas),
      "an operation is aimed at a replica of the cluster (checkSchedule refuses others)"
    )
    if (this.current === undefined) return this.invoke({ op, replica })
    if (this.queue.length >= clientQueueMax) {
      this.dropped += 1
      this.host.note(`client ${this.index} queue full: dropped an operation`)
      return
    }
    this.queue.push({ op, replica })
  }

  private invoke(submitted: Submitted): void {
    const { op, replica } = submitted
    const host = this.host
    const ledger = isLedgerOperation(op)
    let request: ClientRequest
    if (op._tag === "Read" || op._tag === "ReadAccount") request = { _tag: "Query", query: op }
    else {
      this.sequence += 1
      request = { _tag: "Command", session: { clientId: this.clientId, sequence: this.sequence }, command: op }
    }
    const session = request._tag === "Command" ? request.session : undefined
    if (ledger)
      host.recordLedger({
        _tag: "Invoke",
        process: this.process,
        atTime: host.nowMs,
        input: ledgerInputOfOperation(op)
      })
    else host.record({ _tag: "Invoke", process: this.process, atTime: host.nowMs, input: historyInputOf(op) }, session)
    host.trace.clientInvoke(host.nowMs, this.index, this.process, op)
    if (session !== undefined && host.modelEnabled)
      host.modelEvent({ _tag: "ClientInvoked", atMs: host.nowMs, clientId: this.clientId, sequence: this.sequence })
    this.current = {
      op,
      aimedAt: replica,
      ledger,
      request,
      attempt: 0,
      maybeApplied: false,
      requestIds: new Set(),
      latestRequestId: 0,
      deadlineMs: 0
    }
    this.attempt()
  }

  private attempt(): void {
    const current = this.current
    if (current === undefined) return
    const host = this.host
    current.attempt += 1
    if (current.attempt > this.profile.attemptsMax) return this.finish(current.maybeApplied ? "unknown" : "fail")
    const target = current.aimedAt ?? this.leaderGuess ?? this.nextRoundRobin()
    const requestId = host.nextRequestId()
    current.requestIds.add(requestId)
    current.latestRequestId = requestId
    host.register(requestId, this.index)
    const arriveMs = host.nowMs + this.random.integer(1, 2)
    host.enqueue(arriveMs, { _tag: "ClientArrive", node: target, requestId, request: current.request })
    current.deadlineMs = host.nowMs + this.profile.timeoutMs
    this.armTimer(current.deadlineMs)
  }

  private armTimer(atMs: number): void {
    if (this.timerAtMs !== undefined && this.timerAtMs <= atMs) return
    this.timerAtMs = atMs
    this.host.enqueue(atMs, { _tag: "ClientTimeout", client: this.index })
  }

  private nextRoundRobin(): number {
    const target = this.roundRobin
    this.roundRobin = (this.roundRobin + 1) % this.host.replicas
    return target
  }

  private retryAfter(delayMs: number): void {
    const current = this.current
    if (current === undefined) return
    this.host.enqueue(this.host.nowMs + delayMs, {
      _tag: "ClientRetry",
      client: this.index,
      requestId: current.latestRequestId
    })
  }

  private backoffMs(): number {
    const attempt = this.current?.attempt ?? 1
    return Math.min(backoffMaxMs, backoffBaseMs * attempt) + this.random.integer(0, backoffBaseMs)
  }

  retry(requestId: RequestId): void {
    if (this.current?.latestRequestId === requestId) this.attempt()
  }

  /** The client's timer: times out the latest attempt if its deadline has come, else waits for that deadline. */
  timerFired(): void {
    if (this.timerAtMs !== this.host.nowMs) return
    this.timerAtMs = undefined
    const current = this.current
    if (current === undefined) return
    if (this.host.nowMs < current.deadlineMs) return this.armTimer(current.deadlineMs)
    this.host.note(`client ${this.index} timed out (attempt ${current.attempt})`)
    current.maybeApplied = current.request._tag === "Command"
    current.aimedAt = undefined
    this.leaderGuess = undefined
    this.attempt()
  }

  reply(requestId: RequestId, from: number, result: ClientResult): void {
    const current = this.current
    // A reply to an earlier operation's request is stale: it must never answer this one.
    if (current === undefined || !current.requestIds.has(requestId)) return
    const final =
      result._tag === "Applied" ||
      result._tag === "Read" ||
      result._tag === "Rejected" ||
      result._tag === "SessionExpired"
    if (!final && requestId !== current.latestRequestId) return
    switch (result._tag) {
      case "Applied":
        this.leaderGuess = from
        return this.finish(result.result, result.index)
      case "Read":
        this.leaderGuess = from
        return this.finish(result.result)
      case "NotLeader": {
        const redirect = result.leaderHint !== null && result.leaderHint !== from ? result.leaderHint : undefined
        this.leaderGuess = redirect
        // A redirect ends the aim; a replica that knows no leader is asked again (the node's local retries).
        if (redirect !== undefined) current.aimedAt = undefined
        return redirect === undefined ? this.retryAfter(this.backoffMs()) : this.attempt()
      }
      case "Busy":
        return this.retryAfter(this.backoffMs())
      case "Unknown":
        current.maybeApplied = current.request._tag === "Command"
        current.aimedAt = undefined
        this.leaderGuess = undefined
        return this.retryAfter(this.backoffMs())
      case "Rejected":
        return this.finish("fail")
      case "SessionExpired":
        return this.finish("unknown")
    }
  }

  /** Tells model/ how a command ended: acknowledged (with its entry's digest and index) or no longer pending. */
  private reportCommand(current: Current, outcome: Ending, index: number | undefined): void {
    const request = current.request
    if (request._tag !== "Command" || !this.host.modelEnabled) return
    const { clientId, sequence } = request.session
    const atMs = this.host.nowMs
    if (outcome === "fail" || outcome === "unknown") {
      this.host.modelEvent({ _tag: "ClientFailed", atMs, clientId, sequence, reason: outcome })
      return
    }
    const digest = entryDigest({
      index: 0,
      term: 0,
      payload: { _tag: "Command", session: request.session, command: request.command }
    })
    const write = { digest, ...(index !== undefined ? { index } : {}) }
    this.host.modelEvent({ _tag: "ClientAcknowledged", atMs, clientId, sequence, write })
  }

  private finish(ending: Ending, index?: number): void {
    const host = this.host
    const current = this.current
    if (current === undefined) return
    this.reportCommand(current, ending, index)
    host.trace.clientEnd(host.nowMs, this.index, this.process, ending)
    const outcome = this.record(current, ending)
    if (outcome === "unknown") {
      // The operation may still take effect later: a fresh process (Jepsen's convention) and a fresh session.
      this.process = host.nextProcessId()
      this.generation += 1
      this.sequence = 0
    }
    this.current = undefined
    const next = this.queue.shift()
    if (next !== undefined) this.invoke(next)
  }

  /** Records the ending in the operation's own history; a result of the other application is recorded as unknown. */
  private record(current: Current, ending: Ending): "ok" | "fail" | "unknown" {
    const host = this.host
    const atTime = host.nowMs
    const process = this.process
    if (ending === "fail" || ending === "unknown") {
      const event = { _tag: ending === "fail" ? "Fail" : "Unknown", process, atTime } as const
      if (current.ledger) host.recordLedger(event)
      else host.record(event)
      return ending
    }
    if (current.ledger) {
      const output = ledgerOutputOf(ending)
      host.recordLedger(
        output === undefined ? { _tag: "Unknown", process, atTime } : { _tag: "Ok", process, atTime, output }
      )
      return output === undefined ? "unknown" : "ok"
    }
    const output = historyOutputOf(ending)
    host.record(output === undefined ? { _tag: "Unknown", process, atTime } : { _tag: "Ok", process, atTime, output })
    return output === undefined ? "unknown" : "ok"
  }
}
