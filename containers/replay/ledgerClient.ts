/**
 * The replay's clients for a schedule's ledger operations, recording model/ledger's history (the simulator's
 * clients record the same: src/sim/ledgerHistory.ts). They retry as the key-value clients do
 * (fixture/clusterClient.ts, after the simulator's): a redirect followed at once (after a backoff when it names a
 * node that is down), a node without a leader asked again after a backoff, a timed-out attempt retried at once at
 * the next node under the same session and sequence, a refusal of the request itself final. A keyed command runs
 * under its Idempotency-Key, any other under the client's session, so a retry is never applied twice.
 */
import type { LedgerInput, LedgerOutput } from "../../model/ledger/ledger.ts"
import type { HistoryEvent } from "../../model/linearizability/index.ts"
import { backoffMs, type EndpointSource } from "../fixture/clusterClient.ts"
import { attemptLedger, type LedgerAttempt, type Session } from "../fixture/nodeApi.ts"

export type LedgerEvent = HistoryEvent<LedgerInput, LedgerOutput>

export class LedgerHistoryRecorder {
  readonly events: Array<LedgerEvent> = []
  private readonly originMs = performance.now()

  now(): number {
    return performance.now() - this.originMs
  }
}

interface Pending {
  session: Session | undefined
  aimedAt: number | undefined
  uncertain: boolean
}

export class LedgerClient {
  private nextSequence = 1
  private preferred: number | undefined
  private roundRobin: number
  private readonly clientId: string

  constructor(
    private readonly cluster: EndpointSource,
    private readonly recorder: LedgerHistoryRecorder,
    readonly process: number,
    private readonly options: { readonly attemptTimeoutMs: number; readonly attemptsMax: number }
  ) {
    this.roundRobin = process
    this.clientId = `harness-ledger-${process}-${Math.random().toString(36).slice(2, 10)}`
  }

  async run(input: LedgerInput, aimedAt?: number): Promise<void> {
    const pending: Pending = {
      session: input._tag === "GetAccount" ? undefined : { clientId: this.clientId, sequence: this.nextSequence },
      aimedAt,
      uncertain: false
    }
    this.recorder.events.push({ _tag: "Invoke", process: this.process, atTime: this.recorder.now(), input })
    for (let attempt = 1; attempt <= this.options.attemptsMax; attempt++) {
      const target = this.pickTarget(pending)
      if (target === undefined) {
        await sleep(backoffMs(attempt, Math.random))
        continue
      }
      const answer = await attemptLedger(target.endpoint, input, pending.session, this.options.attemptTimeoutMs)
      if (answer._tag === "Done") {
        this.preferred = target.id
        if (pending.session !== undefined) this.nextSequence = pending.session.sequence + 1
        const atTime = this.recorder.now()
        this.recorder.events.push({ _tag: "Ok", process: this.process, atTime, output: answer.output })
        return
      }
      const waitMs = this.afterAttempt(pending, target.id, answer, attempt)
      if (waitMs === undefined) break
      if (waitMs > 0) await sleep(waitMs)
    }
    if (pending.uncertain && pending.session !== undefined) this.nextSequence = pending.session.sequence + 1
    const atTime = this.recorder.now()
    this.recorder.events.push({ _tag: pending.uncertain ? "Unknown" : "Fail", process: this.process, atTime })
  }

  /** How long to wait before the next attempt; undefined to stop. */
  private afterAttempt(
    pending: Pending,
    target: number,
    answer: Exclude<LedgerAttempt, { _tag: "Done" }>,
    attempt: number
  ): number | undefined {
    if (answer._tag === "Unknown") {
      pending.uncertain = true
      pending.aimedAt = undefined
      this.preferred = undefined
      return answer.timedOut ? 0 : backoffMs(attempt, Math.random)
    }
    if (answer.sessionRejected === true) return undefined
    if (answer.leader !== undefined && answer.leader !== target) {
      pending.aimedAt = undefined
      this.preferred = answer.leader
      const up = this.cluster.reachableEndpoints().some((node) => node.id === answer.leader)
      return up ? 0 : backoffMs(attempt, Math.random)
    }
    if (answer.retryable) {
      this.preferred = undefined
      return backoffMs(attempt, Math.random)
    }
    return undefined
  }

  private pickTarget(pending: Pending): { readonly id: number; readonly endpoint: string } | undefined {
    const reachable = this.cluster.reachableEndpoints()
    const wanted = pending.aimedAt ?? this.preferred
    const chosen = reachable.find((node) => node.id === wanted)
    if (chosen !== undefined) return chosen
    if (reachable.length === 0) return undefined
    this.roundRobin += 1
    return reachable[this.roundRobin % reachable.length]
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
