/**
 * The dashboard's spans come from the simulator's fault records, not from its lines of text: a crash until the
 * restart, a pause until the resume, a partition's cut links and an isolation until the heal, a clog for its
 * duration; role bands stop while a replica is down.
 */
import { describe, expect, it } from "vitest"
import type { Counterexample } from "../../../properties/counterexample.ts"
import { judge } from "../../../properties/judge.ts"
import { defaultProfile, type Schedule, type Step } from "../../schedule/index.ts"
import { runView } from "./runView.ts"

const steps: ReadonlyArray<Step> = [
  { _tag: "Crash", at: 2_000, node: 1 },
  { _tag: "Restart", at: 3_000, node: 1 },
  { _tag: "Pause", at: 3_500, node: 2, forMs: 500 },
  {
    _tag: "Partition",
    at: 5_000,
    cut: [
      [0, 1],
      [0, 2]
    ]
  },
  { _tag: "Clog", at: 5_200, from: 1, to: 2, forMs: 300 },
  { _tag: "Clog", at: 5_800, from: 2, to: 1, forMs: 2_000 },
  { _tag: "Isolate", at: 5_900, node: 2 },
  { _tag: "Heal", at: 6_000 }
]

const schedule: Schedule = {
  version: 1,
  replicas: 3,
  seed: 5,
  profile: defaultProfile,
  limits: { simulatedMs: 8_000, events: 1_000_000 },
  steps
}

const counterexample: Counterexample = {
  version: 1,
  scenario: "faults_drawn",
  bugs: [],
  fastCheck: { seed: 0, path: "" },
  healedAtMs: 6_000,
  schedule,
  violation: { invariant: "linearizability", message: "", atMs: 0 },
  traceHash: ""
}

describe("the dashboard's run view", () => {
  it("draws crashes, pauses, partitions, isolations and clogs as spans from the fault records", () => {
    // Arrange
    const judged = judge(schedule, { traceLinesKept: 100_000 })
    // Act
    const view = runView("faults.json", counterexample, judged)
    // Assert
    const spans = view.spans.map(({ node, kind, fromMs, toMs }) => ({ node, kind, fromMs, toMs }))
    expect(spans).toEqual(
      expect.arrayContaining([
        { node: 1, kind: "down", fromMs: 2_000, toMs: 3_000 },
        { node: 2, kind: "paused", fromMs: 3_500, toMs: 4_000 },
        { node: 0, kind: "cut", fromMs: 5_000, toMs: 6_000 },
        { node: 1, kind: "clogged", fromMs: 5_200, toMs: 5_500 },
        { node: 2, kind: "clogged", fromMs: 5_800, toMs: 6_000 },
        { node: 2, kind: "isolated", fromMs: 5_900, toMs: 6_000 }
      ])
    )
    expect(spans).toHaveLength(6)
    expect(view.spans.find((span) => span.kind === "cut")?.text).toBe("cut n0->n1 n0->n2")
  })

  it("stops a replica's role band while it is down", () => {
    const judged = judge(schedule, { traceLinesKept: 100_000 })
    const view = runView("faults.json", counterexample, judged)
    const down = view.bands.filter((band) => band.node === 1 && band.fromMs < 3_000 && band.toMs > 2_000)
    expect(down).toEqual([])
    expect(view.bands.some((band) => band.node === 1 && band.fromMs === 3_000)).toBe(true)
  })

  it("draws the acks of heartbeats as heartbeats, and acks that move a follower's match index as AppendOk", () => {
    const judged = judge(schedule, { traceLinesKept: 100_000 })
    const view = runView("faults.json", counterexample, judged)
    const acks = view.arrows.filter((arrow) => arrow.text.includes(" AppendOk("))
    expect(acks.some((arrow) => arrow.kind === "Heartbeat")).toBe(true)
    expect(acks.some((arrow) => arrow.kind === "AppendOk")).toBe(true)
    expect(acks.filter((arrow) => arrow.kind === "AppendOk").length).toBeLessThan(acks.length / 2)
  })
})
