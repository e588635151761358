/**
 * What the nodes say about themselves on /status, for the checks a history cannot make: the node's durability
 * witness (src/node/durabilityWitness.ts: a vote or acknowledgement sent before its fdatasync returned, the
 * simulator's `persisted_before_reply`), the entries its WAL recovery took from records that failed their
 * checksum (`no_corrupt_record_applied`; only a test image with applyCorruptRecords can have any), and the planted
 * bugs it was built with; and that the durable hard state never goes back, across a restart included
 * (`persisted_state_monotonic`, judged by model/'s PersistedStateMonitor on the durable and recovered hard states
 * read, with a restart from a damaged disk told to it as the simulator tells it). Counters live in the process,
 * so a restart starts them again: the collector keeps, per node and start, the highest reading it saw, polled
 * after every step and at the end.
 */
import { Either, Schema } from "effect"
import { PersistedStateMonitor } from "../../model/invariants/persistedState.ts"
import type { ReplicaObservation } from "../../model/invariants/observation.ts"
import { ViolationLog } from "../../model/invariants/violation.ts"
import type { DockerCluster } from "../fixture/cluster.ts"
import type { Verdict } from "../fixture/verdicts.ts"

const HardState = Schema.Struct({ term: Schema.Number, votedFor: Schema.NullOr(Schema.Number) })
type HardState = typeof HardState.Type

const SelfReport = Schema.Struct({
  id: Schema.Number,
  testBugs: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  durability: Schema.Struct({
    sentBeforeDurable: Schema.Number,
    examples: Schema.Array(Schema.String),
    durableHardState: HardState,
    recoveredHardState: HardState,
    recoveredDamaged: Schema.Boolean
  }),
  wal: Schema.Struct({ corruptRecordsTrusted: Schema.optionalWith(Schema.Number, { default: () => 0 }) })
})
type SelfReport = typeof SelfReport.Type

/** A node's hard state as model/ observes a replica: the persisted-state check reads its node and `durable`. */
const hardStateObservation = (node: number, durable: HardState): ReplicaObservation => ({
  node,
  alive: true,
  role: "follower",
  term: durable.term,
  votedFor: durable.votedFor,
  commitIndex: 0,
  lastApplied: 0,
  log: [],
  durable
})

export class NodeReportCollector {
  /** Highest reading per node and container start ("n1#2"): a restarted process counts from zero again. */
  private readonly latest = new Map<string, SelfReport>()
  private readonly starts = new Map<number, number>()
  readonly testBugsSeen = new Set<string>()
  /** Restarted nodes whose new process has not been read yet. */
  private readonly awaitingRecovery = new Set<number>()
  private readonly persistedState = new PersistedStateMonitor()
  private readonly persistedStateLog = new ViolationLog()

  /** A node was restarted: its next readings belong to a new process. */
  restarted(node: number): void {
    this.starts.set(node, (this.starts.get(node) ?? 0) + 1)
    this.awaitingRecovery.add(node)
  }

  async poll(cluster: Pick<DockerCluster, "statuses">): Promise<void> {
    const statuses = await cluster.statuses(1_000)
    for (const [node, reading] of statuses) {
      if (reading instanceof Error) continue
      const decoded = Schema.decodeUnknownEither(SelfReport)(reading.raw)
      if (Either.isLeft(decoded)) continue
      for (const bug of decoded.right.testBugs) this.testBugsSeen.add(bug)
      this.latest.set(`n${node}#${this.starts.get(node) ?? 0}`, decoded.right)
      this.observeHardState(node, decoded.right)
    }
  }

  /**
   * persisted_state_monotonic: every durable hard state read goes to model/'s monitor. The first reading of a
   * restarted process first says the restart happened (and whether recovery found its disk damaged: then the node
   * refuses to vote until caught up, the correct answer to corruption) and shows what recovery read back.
   */
  private observeHardState(node: number, report: SelfReport): void {
    const observe = (durable: HardState): void =>
      this.persistedState.observe(
        { atMs: Date.now(), replicas: [hardStateObservation(node, durable)] },
        this.persistedStateLog.report
      )
    if (this.awaitingRecovery.delete(node)) {
      const atMs = Date.now()
      this.persistedState.record({ _tag: "Restarted", atMs, node, diskDamaged: report.durability.recoveredDamaged })
      observe(report.durability.recoveredHardState)
    }
    observe(report.durability.durableHardState)
  }

  verdicts(): ReadonlyArray<Verdict> {
    const reports = [...this.latest.entries()]
    const early = reports.filter(([, report]) => report.durability.sentBeforeDurable > 0)
    const corrupt = reports.filter(([, report]) => report.wal.corruptRecordsTrusted > 0)
    return [
      this.persistedStateLog.violations.length === 0
        ? {
            invariant: "persisted_state_monotonic",
            ok: true,
            message:
              "no node's durable hard state went back, across restarts included, unless it said its disk was damaged"
          }
        : {
            invariant: "persisted_state_monotonic",
            ok: false,
            message: this.persistedStateLog.violations.map((violation) => violation.message).join("\n")
          },
      early.length === 0
        ? {
            invariant: "persisted_before_reply",
            ok: true,
            message: "no node sent a vote or an acknowledgement before its fdatasync returned"
          }
        : {
            invariant: "persisted_before_reply",
            ok: false,
            message: early
              .map(
                ([key, report]) =>
                  `${key}: ${report.durability.sentBeforeDurable} sent before durable, e.g. ${report.durability.examples.slice(0, 2).join("; ")}`
              )
              .join("\n")
          },
      corrupt.length === 0
        ? {
            invariant: "no_corrupt_record_applied",
            ok: true,
            message: "no node replayed a WAL record that failed its checksum"
          }
        : {
            invariant: "no_corrupt_record_applied",
            ok: false,
            message: corrupt
              .map(
                ([key, report]) =>
                  `${key} replayed ${report.wal.corruptRecordsTrusted} WAL records that failed their checksum`
              )
              .join("\n")
          }
    ]
  }
}
