/**
 * The judge's liveness findings come from the run's own InvariantChecker, the one that judged its safety: a
 * cluster left without a quorum after the heal is caught, and asking for liveness leaves the trace as it was.
 */
import { describe, expect, test } from "vitest"
import { findScriptedScenario, scriptedSchedule } from "../src/schedule/scenarios/scripted.ts"
import type { Schedule } from "../src/schedule/index.ts"
import { runSchedule } from "../src/sim/run.ts"
import { findCatalogScenario, sampleSchedule } from "./catalog.ts"
import { judge } from "./judge.ts"

const smoke = (): Schedule => {
  const scenario = findScriptedScenario("smoke")
  if (scenario === undefined) throw new Error("the smoke scenario is in the catalog")
  return scriptedSchedule(scenario, 1)
}

/** The leader and a follower of the three replicas crash after the heal and never come back: none can be elected. */
const withoutQuorum = (schedule: Schedule): Schedule => ({
  ...schedule,
  steps: [
    ...schedule.steps.filter((step) => step.at < 2000),
    { _tag: "Crash", at: 2000, node: "leader" },
    { _tag: "Crash", at: 2000, node: "follower" },
    ...schedule.steps.filter((step) => step.at >= 2000)
  ]
})

describe("liveness judged by the run's checker", () => {
  test("a healthy run has no finding", () => {
    expect(judge(smoke(), { healedAtMs: 0 }).findings).toEqual([])
  })

  test("a cluster that cannot elect after the heal breaks leader_after_heal", () => {
    // Arrange
    const schedule = withoutQuorum(smoke())
    // Act
    const judgement = judge(schedule, { healedAtMs: 0 })
    // Assert
    expect(judgement.findings[0]?.invariant).toBe("leader_after_heal")
    expect(judgement.findings[0]?.message).toMatch(
      /^no leader at the end of the liveness phase \(n\d (follower|candidate|precandidate) term \d+\)$/
    )
    expect(judgement.result.violations).toEqual([])
  })

  test("liveness is left out of the run's violations and trace: the trace hash is the same without it", () => {
    const schedule = withoutQuorum(smoke())
    const withLiveness = runSchedule(schedule, { liveness: { healedAtMs: 0, leaderWithinMs: 8000, endsSettled: true } })
    const withoutLiveness = runSchedule(schedule)
    expect(withLiveness.liveness.map((violation) => violation.invariant)).toEqual(["leader_after_heal"])
    expect(withoutLiveness.liveness).toEqual([])
    expect(withLiveness.traceHash).toBe(withoutLiveness.traceHash)
  })

  test("a run stopped early is not judged on liveness", () => {
    const judgement = judge(withoutQuorum(smoke()), { healedAtMs: 0, stopAfterStep: 5 })
    expect(judgement.result.liveness).toEqual([])
  })

  test("a planted bug whose runs fail to recover is caught on liveness (noPreVote in zoo_split_votes)", () => {
    // Arrange: the two seeds of the first ten that fail with this bug, each on a liveness invariant.
    const scenario = findCatalogScenario("zoo_split_votes")
    if (scenario === undefined) throw new Error("zoo_split_votes is in the catalog")
    const judged = (seed: number, bugs: ReadonlySet<"noPreVote">) => {
      const built = sampleSchedule(scenario, seed)
      return judge(built.schedule, { bugs, healedAtMs: built.healedAtMs, expectations: scenario.expectations })
    }
    // Act
    const unknownAfterHeal = judged(4, new Set(["noPreVote"]))
    const diverged = judged(10, new Set(["noPreVote"]))
    // Assert
    expect(unknownAfterHeal.findings.map((finding) => finding.invariant)).toEqual(["operations_completed"])
    expect(unknownAfterHeal.findings[0]?.message).toMatch(/never completed after the heal$/)
    expect(diverged.findings[0]?.invariant).toBe("replicas_converged")
    expect(judged(4, new Set()).findings).toEqual([])
    expect(judged(10, new Set()).findings).toEqual([])
  })
})
