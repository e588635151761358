/**
 * The timeline a person reads: the filters behind `--node`, `--from`/`--to` and `--kinds`, heartbeats folded into
 * one line per quiet stretch, timer and clog lines, and the window `repro` centres on the violation. The filters are
 * shown on hand-made entries (their expectations are then plain to read); the rest on a run of the simulator.
 */
import { describe, expect, it } from "vitest"
import { judge } from "../../properties/judge.ts"
import { defaultProfile, type Schedule, type Step } from "../schedule/index.ts"
import {
  explainedWindow,
  filterEntries,
  foldHeartbeats,
  timelineEntries,
  violationWindow,
  type TimelineEntry,
  type TimelineKind
} from "./timelineView.ts"

const entry = (atMs: number, kind: TimelineKind, nodes: ReadonlyArray<number>, text = `${kind} ${atMs}`) => ({
  atMs,
  kind,
  nodes,
  text
})

const sample: ReadonlyArray<TimelineEntry> = [
  entry(0, "step", [], "STEP client 0 put"),
  entry(100, "heartbeat", [0, 1]),
  entry(110, "heartbeat", [1, 0]),
  entry(120, "heartbeat", [0, 2]),
  entry(1000, "timer", [2], "n2 precandidate t1 (election timeout fired: PreVote round)"),
  entry(1010, "message", [2, 1]),
  entry(1020, "heartbeat", [0, 1]),
  entry(1500, "fault", [1], "crash n1"),
  entry(2000, "violation", [], "VIOLATION ElectionSafety: n0 and n2 both became leader in term 1")
]

const schedule = (steps: ReadonlyArray<Step>): Schedule => ({
  version: 1,
  replicas: 3,
  seed: 7,
  profile: defaultProfile,
  limits: { simulatedMs: 8_000, events: 1_000_000 },
  steps
})

describe("timeline filters", () => {
  it("--node keeps the entries about that replica (either end of a message) and every violation", () => {
    // Act
    const kept = filterEntries(sample, { nodes: [1] })
    // Assert
    expect(kept.map((item) => item.atMs)).toEqual([100, 110, 1010, 1020, 1500, 2000])
  })

  it("--node takes several replicas", () => {
    const kept = filterEntries(sample, { nodes: [2, 1] })
    expect(kept.map((item) => item.atMs)).toEqual([100, 110, 120, 1000, 1010, 1020, 1500, 2000])
  })

  it("--from and --to keep a window of simulated time, both ends included", () => {
    expect(filterEntries(sample, { fromMs: 110, toMs: 1010 }).map((item) => item.atMs)).toEqual([110, 120, 1000, 1010])
    expect(filterEntries(sample, { fromMs: 1500 }).map((item) => item.atMs)).toEqual([1500, 2000])
    expect(filterEntries(sample, { toMs: 0 }).map((item) => item.atMs)).toEqual([0])
  })

  it("--kinds keeps only the kinds named", () => {
    const kept = filterEntries(sample, { kinds: ["timer", "fault"] })
    expect(kept.map((item) => item.text)).toEqual([
      "n2 precandidate t1 (election timeout fired: PreVote round)",
      "crash n1"
    ])
  })

  it("filters combine: all of them must hold", () => {
    const kept = filterEntries(sample, { nodes: [0], fromMs: 105, kinds: ["heartbeat"] })
    expect(kept.map((item) => item.atMs)).toEqual([110, 120, 1020])
  })

  it("no filter keeps everything", () => {
    expect(filterEntries(sample, {})).toEqual(sample)
  })
})

describe("heartbeat folding", () => {
  it("folds each run of consecutive heartbeats into one line: how many, among whom, until when", () => {
    // Act
    const folded = foldHeartbeats(sample)
    // Assert
    expect(folded.map((item) => item.text)).toEqual([
      "STEP client 0 put",
      "~ 3 heartbeats and acks among n0 n1 n2 until 120 ms",
      "n2 precandidate t1 (election timeout fired: PreVote round)",
      "message 1010",
      "heartbeat 1020",
      "crash n1",
      "VIOLATION ElectionSafety: n0 and n2 both became leader in term 1"
    ])
    expect(folded[1]).toMatchObject({ atMs: 100, kind: "heartbeat", nodes: [0, 1, 2] })
  })

  it("a quiet cluster's timeline is a few lines, with the election's timer, candidacy and win", () => {
    // Arrange
    const judged = judge(schedule([{ _tag: "Heal", at: 7_000 }]), { traceLinesKept: 100_000 })
    // Act
    const all = timelineEntries([{ _tag: "Heal", at: 7_000 }], judged.result.events)
    const folded = foldHeartbeats(all)
    // Assert
    const heartbeats = all.filter((item) => item.kind === "heartbeat").length
    expect(heartbeats).toBeGreaterThan(50)
    expect(folded.length).toBeLessThan(all.length - heartbeats + 10)
    const texts = folded.map((item) => item.text)
    expect(texts.some((text) => text.includes("election timeout fired"))).toBe(true)
    expect(texts.some((text) => text.includes("candidacy"))).toBe(true)
    expect(texts.some((text) => text.includes("won the election"))).toBe(true)
    expect(folded.filter((item) => item.kind === "timer").every((item) => item.nodes.length === 1)).toBe(true)
  })

  it("names the winner's own vote, and a win in the very step the timer fired (quorumOfF counts one vote of three)", () => {
    const judged = judge(schedule([{ _tag: "Heal", at: 3_000 }]), {
      traceLinesKept: 100_000,
      bugs: new Set(["quorumOfF"])
    })
    const wins = timelineEntries([], judged.result.events).filter((item) => item.text.includes("won the election"))
    expect(wins[0]?.text).toMatch(
      /^n(\d) leader t1 voted n\1 \(election timeout fired: candidacy and won the election with the votes of n\1 in the same step\)$/
    )
    expect(wins[0]?.kind).toBe("timer")
  })

  it("shows what a clog held and what a partition dropped, and each fault with the replicas it struck", () => {
    // Arrange: the leader elected by 2 s; its links to n1 clogged, then n0 cut off from n2.
    const steps: ReadonlyArray<Step> = [
      { _tag: "Clog", at: 3_000, from: 0, to: 1, forMs: 400 },
      { _tag: "Clog", at: 3_000, from: 1, to: 0, forMs: 400 },
      { _tag: "Clog", at: 3_000, from: 2, to: 0, forMs: 400 },
      { _tag: "Clog", at: 3_000, from: 0, to: 2, forMs: 400 },
      { _tag: "Partition", at: 4_000, cut: [[2, 0]] },
      { _tag: "Crash", at: 4_500, node: 1 },
      { _tag: "Heal", at: 5_000 },
      { _tag: "Restart", at: 5_500, node: 1 }
    ]
    const judged = judge(schedule(steps), { traceLinesKept: 100_000 })
    // Act
    const entries = timelineEntries(steps, judged.result.events)
    // Assert
    expect(entries.some((item) => item.text.includes("held") && item.text.includes("by a clog"))).toBe(true)
    expect(entries.some((item) => item.kind === "drop" && item.text.includes("drop (partition)"))).toBe(true)
    const faults = entries.filter((item) => item.kind === "fault")
    expect(faults.find((item) => item.text.startsWith("crash n1"))?.nodes).toEqual([1])
    expect(faults.find((item) => item.text.startsWith("partition"))?.nodes).toEqual([0, 2])
    expect(faults.find((item) => item.text.startsWith("clog n0->n1"))?.nodes).toEqual([0, 1])
    expect(filterEntries(entries, { nodes: [1], kinds: ["fault"] }).map((item) => item.text)).toEqual([
      "clog n0->n1 for 400 ms",
      "clog n1->n0 for 400 ms",
      "crash n1",
      expect.stringMatching(/^restart n1: /)
    ])
  })
})

describe("the window repro shows", () => {
  it("keeps the named replicas' role changes and timers however far back, then the last events, then the violation", () => {
    // Arrange: n0 and n2 are named; n1's entries are not about them.
    const entries: ReadonlyArray<TimelineEntry> = [
      entry(10, "timer", [2], "n2 precandidate t0 (election timeout fired: PreVote round)"),
      entry(20, "role", [2], "n2 candidate t1 (PreVote won: candidacy)"),
      entry(25, "role", [1], "n1 follower t1 (saw term 1 from n2)"),
      ...Array.from({ length: 30 }, (_, index) => entry(100 + index, "message", [1, 2], `vote ${index}`)),
      entry(200, "heartbeat", [0, 2]),
      entry(210, "persist", [2]),
      entry(220, "role", [0], "n0 leader t1 (won the election)"),
      entry(230, "role", [2], "n2 leader t1 (won the election)"),
      entry(230, "violation", [], "VIOLATION ElectionSafety: n0 and n2 both became leader in term 1")
    ]
    // Act
    const window = violationWindow(entries, { atMs: 230, message: "n0 and n2 both became leader in term 1" }, 4)
    // Assert
    expect(window.map((item) => item.text)).toEqual([
      "n2 precandidate t0 (election timeout fired: PreVote round)",
      "n2 candidate t1 (PreVote won: candidacy)",
      "vote 28",
      "vote 29",
      "n0 leader t1 (won the election)",
      "n2 leader t1 (won the election)",
      "VIOLATION ElectionSafety: n0 and n2 both became leader in term 1"
    ])
  })

  it("for a history that is not linearizable, shows what happened while the operations the checker names ran", () => {
    // Arrange: a write returns at 2506, a read of the same key from a follower at 2507-2509 misses it.
    const entries: ReadonlyArray<TimelineEntry> = [
      entry(1554, "role", [1], "n1 leader t1"),
      entry(2500, "client", [], "client 1 p0 invoke put"),
      entry(2505, "apply", [1], "n1 apply 2/t1 Command"),
      entry(2505, "persist", [1]),
      entry(2506, "client", [], "client 1 p0 ok"),
      entry(2509, "client", [0], "client 0 <- n0 Read (request 2)"),
      entry(2515, "apply", [0], "n0 apply 2/t1 Command"),
      entry(9501, "violation", [], "VIOLATION linearizability: not linearizable")
    ]
    const explanation = {
      blocking: { callTime: 2507, returnTime: 2509 },
      longestPrefix: [{ callTime: 2500, returnTime: 2506 }]
    }
    // Act
    const window = explainedWindow(entries, explanation, 16)
    // Assert
    expect(window.map((item) => item.atMs)).toEqual([2500, 2505, 2506, 2509, 9501])
  })
})
