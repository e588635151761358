/**
 * What the nodes say about themselves on /status, for the checks a history cannot make: the node's durability
 * witness (src/node/durabilityWitness.ts: a vote or acknowledgement sent before its fdatasync returned, the
 * simulator's `persisted_before_reply`), the entries its WAL recovery took from records that failed their
 * checksum (`no_corrupt_record_applied`; only a test image with applyCorruptRecords can have any), and the planted
 * bugs it was built with. (The durable hard state in the same reports is judged by model/'s checker, which
 * every /status reading reaches: fixture/statusJudge.ts.) Counters live in the process, so a restart starts them
 * again: the collector keeps, per node and start, the highest reading it saw, polled after every step and at the
 * end.
 */
import { Either, Schema } from "effect"
import type { DockerCluster } from "../fixture/cluster.ts"
import type { Verdict } from "../fixture/verdicts.ts"

const SelfReport = Schema.Struct({
  id: Schema.Number,
  testBugs: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  durability: Schema.Struct({
    sentBeforeDurable: Schema.Number,
    examples: Schema.Array(Schema.String)
  }),
  wal: Schema.Struct({ corruptRecordsTrusted: Schema.optionalWith(Schema.Number, { default: () => 0 }) })
})
type SelfReport = typeof SelfReport.Type

export class NodeReportCollector {
  /** Highest reading per node and container start ("n1#2"): a restarted process counts from zero again. */
  private readonly latest = new Map<string, SelfReport>()
  private readonly starts = new Map<number, number>()
  readonly testBugsSeen = new Set<string>()

  /** A node was restarted: its next readings belong to a new process. */
  restarted(node: number): void {
    this.starts.set(node, (this.starts.get(node) ?? 0) + 1)
  }

  async poll(cluster: Pick<DockerCluster, "statuses">): Promise<void> {
    const statuses = await cluster.statuses(1_000)
    for (const [node, reading] of statuses) {
      if (reading instanceof Error) continue
      const decoded = Schema.decodeUnknownEither(SelfReport)(reading.raw)
      if (Either.isLeft(decoded)) continue
      for (const bug of decoded.right.testBugs) this.testBugsSeen.add(bug)
      this.latest.set(`n${node}#${this.starts.get(node) ?? 0}`, decoded.right)
    }
  }

  verdicts(): ReadonlyArray<Verdict> {
    const reports = [...this.latest.entries()]
    const early = reports.filter(([, report]) => report.durability.sentBeforeDurable > 0)
    const corrupt = reports.filter(([, report]) => report.wal.corruptRecordsTrusted > 0)
    return [
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
