/**
 * The end-of-run check settles unknown outcomes from the replicas' applied logs: under crashes, partitions, leader faults and
 * clients that give up after one short attempt, many operations end "unknown"; every one of them is settled
 * (applied with its result, or never applied), and the verdict is the one the raw history gets.
 */
import { describe, expect, it } from "vitest"
import { defaultWorkload, generateSchedule } from "../../properties/scenarios/generate.ts"
import { checkLinearizable } from "./linearizability.ts"
import { runSchedule } from "./run.ts"

const impatientRun = (seed: number) => {
  const base = generateSchedule({
    seed,
    replicas: 3,
    workload: defaultWorkload,
    faults: ["crash", "partition", "onLeader"]
  })
  return runSchedule({ ...base, profile: { ...base.profile, clients: { timeoutMs: 100, attemptsMax: 1 } } })
}

describe("ground truth from the applied logs", () => {
  it.each([2, 3])("settles every unknown outcome of seed %i and agrees with the raw check", (seed) => {
    // Arrange
    const result = impatientRun(seed)
    const unknown = result.history.filter((event) => event._tag === "Unknown").length
    // Act
    const raw = checkLinearizable(result.history)
    // Assert
    expect(unknown).toBeGreaterThan(10)
    expect(result.violations).toEqual([])
    const note = result.trace.find((line) => line.text.startsWith("linearizability:"))?.text ?? ""
    const settled = /(\d+) unknown outcomes settled from the applied logs \((\d+) applied, (\d+) not\)/.exec(note)
    expect(settled?.[1]).toBe(String(unknown))
    expect(Number(settled?.[2])).toBeGreaterThan(0)
    expect(raw._tag === "Checked" && raw.result.verdict).toBe("linearizable")
  })
})
