/**
 * The recovering marker survives a restart, as the node's file does: a replica whose log lost acknowledged
 * records to corruption refuses to vote until a leader has caught it up, and a crash before that must not
 * make it forget (its truncated log reads cleanly at the next start). Once caught up, the marker is gone.
 */
import { describe, expect, it } from "vitest"
import { defaultProfile, scheduleVersion, type Schedule, type Step } from "../schedule/index.ts"
import { runSchedule } from "./run.ts"

const writes: ReadonlyArray<Step> = Array.from({ length: 6 }, (_, position) => ({
  _tag: "Client" as const,
  at: 2_000 + position * 100,
  client: 0,
  op: { _tag: "Put" as const, key: "k", value: `v${position}` }
}))

/** Replica 2 is cut off, its disk damaged mid-log, restarted, crashed and restarted again while still cut off. */
const schedule = (steps: ReadonlyArray<Step>, endMs: number): Schedule => ({
  version: scheduleVersion,
  replicas: 3,
  seed: 3,
  profile: defaultProfile,
  limits: { simulatedMs: endMs, events: 1_000_000 },
  steps: [
    ...writes,
    { _tag: "Isolate", at: 3_000, node: 2 },
    { _tag: "Crash", at: 3_100, node: 2 },
    { _tag: "Corrupt", at: 3_150, node: 2, kind: "bitflip" },
    { _tag: "Restart", at: 3_200, node: 2 },
    { _tag: "Crash", at: 3_500, node: 2 },
    { _tag: "Restart", at: 3_600, node: 2 },
    ...steps
  ]
})

describe("the recovering marker", () => {
  it("keeps a damaged replica recovering across a restart until a leader catches it up", () => {
    const cutOff = runSchedule(
      schedule([{ _tag: "Client", at: 4_000, client: 1, op: { _tag: "Read", key: "k" } }], 5_000)
    )
    const damaged = cutOff.replicas[2]?.state
    expect(cutOff.trace.some((line) => line.text.includes("restart n2") && line.text.includes("DAMAGED"))).toBe(true)
    expect(damaged?.recovering).toBe(true)

    const healed = runSchedule(
      schedule(
        [
          { _tag: "Heal", at: 4_000 },
          { _tag: "Client", at: 6_000, client: 1, op: { _tag: "Read", key: "k" } }
        ],
        8_000
      )
    )
    expect(healed.violations).toEqual([])
    expect(healed.replicas[2]?.state?.recovering).toBe(false)
    expect(healed.replicas[2]?.state?.lastApplied).toBe(healed.replicas[0]?.state?.lastApplied)
  })
})
