/**
 * The replay's clients for a schedule's ledger operations, recording model/ledger's history (the simulator's
 * clients record the same: src/sim/ledgerHistory.ts). They retry by the key-value clients' own policy
 * (fixture/clusterClient.ts's ClusterClient.perform, after the simulator's clients). A keyed command runs under its
 * Idempotency-Key, any other under the client's session, so a retry is never applied twice.
 */
import type { LedgerInput, LedgerOutput } from "../../model/ledger/ledger.ts"
import type { HistoryEvent } from "../../model/linearizability/index.ts"
import { ClusterClient, HistoryRecorder, type EndpointSource } from "../fixture/clusterClient.ts"
import { attemptLedger } from "../fixture/nodeApi.ts"

export type LedgerEvent = HistoryEvent<LedgerInput, LedgerOutput>

export class LedgerHistoryRecorder {
  readonly events: Array<LedgerEvent> = []
  private readonly originMs = performance.now()

  now(): number {
    return performance.now() - this.originMs
  }
}

/**
 * A client of the ledger's HTTP API: the key-value clients' retry policy (ClusterClient.perform), with its own
 * sessions, recording model/ledger's history.
 */
export class LedgerClient {
  private readonly retrying: ClusterClient

  constructor(
    cluster: EndpointSource,
    private readonly recorder: LedgerHistoryRecorder,
    readonly process: number,
    options: { readonly attemptTimeoutMs: number; readonly attemptsMax: number }
  ) {
    // Its history recorder is unused: ledger operations are recorded through perform's callbacks below.
    this.retrying = new ClusterClient(cluster, new HistoryRecorder(), process, options)
  }

  async run(input: LedgerInput, aimedAt?: number): Promise<void> {
    const record = (event: LedgerEvent): number => this.recorder.events.push(event)
    const at = (): number => this.recorder.now()
    await this.retrying.perform<LedgerOutput>({
      sessionless: input._tag === "GetAccount",
      aimedAt,
      attempt: async (endpoint, session, timeoutMs) => {
        const answer = await attemptLedger(endpoint, input, session, timeoutMs)
        return answer._tag === "Done" ? { _tag: "Done", value: answer.output } : answer
      },
      invoked: () => record({ _tag: "Invoke", process: this.process, atTime: at(), input }),
      ok: (output) => void record({ _tag: "Ok", process: this.process, atTime: at(), output }),
      unknown: () => void record({ _tag: "Unknown", process: this.process, atTime: at() }),
      fail: () => void record({ _tag: "Fail", process: this.process, atTime: at() })
    })
  }
}
