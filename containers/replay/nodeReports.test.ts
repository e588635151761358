/**
 * The checks the Docker replay makes from the nodes' own /status reports, on scripted readings (no Docker): the
 * counters the collector reads, and the durable hard state that the run's judge (model/'s checker) reads from
 * the same reports.
 */
import { describe, expect, it } from "vitest"
import type { StatusReading } from "../fixture/nodeApi.ts"
import { StatusJudge } from "../fixture/statusJudge.ts"
import { NodeReportCollector } from "./nodeReports.ts"

interface Reading {
  readonly term: number
  readonly votedFor: number | null
  readonly recovered?: { readonly term: number; readonly votedFor: number | null }
  readonly damaged?: boolean
  readonly early?: number
  readonly trusted?: number
}

const clusterReading = (readings: ReadonlyMap<number, Reading>) => ({
  statuses: async (): Promise<Map<number, StatusReading | Error>> =>
    new Map(
      [...readings].map(([id, reading]): [number, StatusReading | Error] => [
        id,
        {
          status: {
            id,
            role: "follower",
            term: reading.term,
            leader: null,
            commitIndex: 0,
            lastApplied: 0,
            leaderChanges: 0
          },
          raw: {
            id,
            testBugs: [],
            durability: {
              sentBeforeDurable: reading.early ?? 0,
              examples: reading.early ? ["granted a vote in term 1 to n0 while the disk says term 0, vote none"] : [],
              durableHardState: { term: reading.term, votedFor: reading.votedFor },
              recoveredHardState: reading.recovered ?? { term: 0, votedFor: null },
              recoveredDamaged: reading.damaged ?? false
            },
            wal: { corruptRecordsTrusted: reading.trusted ?? 0 }
          }
        }
      ])
    )
})

const failed = (collector: NodeReportCollector): ReadonlyArray<string> =>
  collector
    .verdicts()
    .filter((verdict) => !verdict.ok)
    .map((verdict) => `${verdict.invariant}: ${verdict.message}`)

/** The judge reading what the cluster reads: each poll's readings go to it, restarts are told to it. */
class Judged {
  readonly judge = new StatusJudge(() => 0)

  async poll(readings: ReadonlyMap<number, Reading>): Promise<void> {
    this.judge.observe(await clusterReading(readings).statuses())
  }

  restarted(node: number): void {
    this.judge.restarted(node)
  }

  failed(): ReadonlyArray<string> {
    return this.judge
      .finish(new Map())
      .filter((verdict) => !verdict.ok)
      .map((verdict) => `${verdict.invariant}: ${verdict.message}`)
  }
}

describe("node self-reports in the Docker replay", () => {
  it("a restart that recovers the durable vote is clean", async () => {
    const run = new Judged()
    await run.poll(new Map([[0, { term: 1, votedFor: 1 }]]))
    run.restarted(0)
    await run.poll(new Map([[0, { term: 1, votedFor: 1, recovered: { term: 1, votedFor: 1 } }]]))
    expect(run.failed()).toEqual([])
  })

  it("a restart that forgets the durable vote is persisted_state_monotonic, unless the node says its disk was damaged", async () => {
    const forgetful = new Judged()
    await forgetful.poll(new Map([[0, { term: 1, votedFor: 1 }]]))
    forgetful.restarted(0)
    await forgetful.poll(new Map([[0, { term: 1, votedFor: null, recovered: { term: 1, votedFor: null } }]]))
    expect(forgetful.failed()).toEqual([
      "persisted_state_monotonic: Node 0's durable vote in term 1 changed from 1 to none."
    ])

    const honest = new Judged()
    await honest.poll(new Map([[0, { term: 1, votedFor: 1 }]]))
    honest.restarted(0)
    await honest.poll(new Map([[0, { term: 1, votedFor: 1, recovered: { term: 0, votedFor: null }, damaged: true }]]))
    expect(honest.failed()).toEqual([])
  })

  it("a restart that recovers an older durable term is persisted_state_monotonic", async () => {
    const run = new Judged()
    await run.poll(new Map([[0, { term: 3, votedFor: 0 }]]))
    run.restarted(0)
    await run.poll(new Map([[0, { term: 3, votedFor: 0, recovered: { term: 2, votedFor: 0 } }]]))
    expect(run.failed()).toEqual(["persisted_state_monotonic: Node 0's durable term went back from 3 to 2."])
  })

  it("acknowledgements before fdatasync and trusted corrupt records fail their checks", async () => {
    const collector = new NodeReportCollector()
    await collector.poll(
      clusterReading(
        new Map([
          [0, { term: 1, votedFor: 0, early: 2 }],
          [1, { term: 1, votedFor: 0, trusted: 1 }]
        ])
      )
    )
    expect(failed(collector).map((line) => line.split(":")[0])).toEqual([
      "persisted_before_reply",
      "no_corrupt_record_applied"
    ])
  })
})
