/**
 * What the nodes say about themselves on /status, for the checks a history cannot make: the node's durability
 * witness (src/node/durabilityWitness.ts: a vote or acknowledgement sent before its fdatasync returned, the
 * simulator's `persisted_before_reply`), the entries its WAL recovery took from records that failed their
 * checksum (`no_corrupt_record_applied`; only a test image with applyCorruptRecords can have any), and the planted
 * bugs it was built with; and across a restart, that the recovered hard state is not behind the durable one read
 * before the crash (`persisted_state_monotonic`). Counters live in the process, so a restart starts them again: the collector keeps, per
 * node and start, the highest reading it saw, polled after every step and at the end.
 */
import { Either, Schema } from "effect"
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

export class NodeReportCollector {
  /** Highest reading per node and container start ("n1#2"): a restarted process counts from zero again. */
  private readonly latest = new Map<string, SelfReport>()
  private readonly starts = new Map<number, number>()
  readonly testBugsSeen = new Set<string>()
  /** The last durable hard state read from each node's current process. */
  private readonly lastDurable = new Map<number, HardState>()
  /** Restarted nodes whose new process has not been read yet: what their disk held before. */
  private readonly awaitingRecovery = new Map<number, HardState>()
  private readonly regressions: Array<string> = []

  /** A node was restarted: its next readings belong to a new process. */
  restarted(node: number): void {
    this.starts.set(node, (this.starts.get(node) ?? 0) + 1)
    const before = this.lastDurable.get(node)
    if (before !== undefined) this.awaitingRecovery.set(node, before)
    this.lastDurable.delete(node)
  }

  async poll(cluster: Pick<DockerCluster, "statuses">): Promise<void> {
    const statuses = await cluster.statuses(1_000)
    for (const [node, reading] of statuses) {
      if (reading instanceof Error) continue
      const decoded = Schema.decodeUnknownEither(SelfReport)(reading.raw)
      if (Either.isLeft(decoded)) continue
      for (const bug of decoded.right.testBugs) this.testBugsSeen.add(bug)
      this.latest.set(`n${node}#${this.starts.get(node) ?? 0}`, decoded.right)
      this.checkRecovery(node, decoded.right)
      this.lastDurable.set(node, decoded.right.durability.durableHardState)
    }
  }

  /**
   * persisted_state_monotonic across a restart: the recovered term may not be lower than the durable term read
   * before the crash, nor the vote in that term different, unless the node says its disk was damaged (then it
   * refuses to vote until caught up, which is the correct answer to corruption).
   */
  private checkRecovery(node: number, report: SelfReport): void {
    const before = this.awaitingRecovery.get(node)
    if (before === undefined) return
    this.awaitingRecovery.delete(node)
    const after = report.durability.recoveredHardState
    if (report.durability.recoveredDamaged) return
    const vote = (votedFor: number | null): string => (votedFor === null ? "none" : String(votedFor))
    if (after.term < before.term) {
      this.regressions.push(
        `n${node}'s durable term went from ${before.term} to ${after.term} across a restart, with no damage reported`
      )
    } else if (after.term === before.term && after.votedFor !== before.votedFor) {
      this.regressions.push(
        `n${node}'s durable vote in term ${before.term} changed from ${vote(before.votedFor)} to ${vote(after.votedFor)} across a restart, with no damage reported`
      )
    }
  }

  verdicts(): ReadonlyArray<Verdict> {
    const reports = [...this.latest.entries()]
    const early = reports.filter(([, report]) => report.durability.sentBeforeDurable > 0)
    const corrupt = reports.filter(([, report]) => report.wal.corruptRecordsTrusted > 0)
    return [
      this.regressions.length === 0
        ? {
            invariant: "persisted_state_monotonic",
            ok: true,
            message:
              "every restarted node recovered at least the hard state it had made durable, or said its disk was damaged"
          }
        : { invariant: "persisted_state_monotonic", ok: false, message: this.regressions.join("\n") },
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
