/**
 * The scripted scenarios of the seed documents (the scenario report guide, the chaos tests, the ledger's) against
 * real nodes: each one's schedule, defined once in src/schedule/scenarios, replayed by the Docker replay, and held to
 * the same expectations the simulator holds it to, plus the standing checks every replay gets (linearizability of
 * the recorded history with unknown outcomes settled from the WALs, one leader per term, the nodes' own reports,
 * liveness after the heal). The schedules run compressed: steps, replica timers and network delays all at
 * `timeScale` (containers/replay/timeScale.ts). Artifacts: artifacts/<scenario>/.
 */
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import {
  checkScenario,
  scriptedScenarios,
  scriptedSchedule,
  type ScenarioRun,
  type ScriptedScenario
} from "../../src/schedule/scenarios/index.ts"
import { describeStep } from "../../src/schedule/index.ts"
import { recordTiming } from "../fixture/scenario.ts"
import { describeVerdicts, type Verdict } from "../fixture/verdicts.ts"
import { replaySchedule } from "../replay/dockerReplay.ts"

/** Wall milliseconds per schedule millisecond: the scripts' 4–16 s run in a third of that. */
const timeScale = 0.3
const scenarioTimeoutMs = 120_000

/** One verdict per expectation, and one that every step was performed (a skipped step leaves nothing to judge). */
export const scenarioVerdicts = (scenario: ScriptedScenario, run: ScenarioRun): ReadonlyArray<Verdict> => {
  const findings = checkScenario(scenario, run)
  const skipped = run.schedule.steps.filter((_, position) => run.steps[position]?.performed === false)
  return [
    {
      invariant: "scenario_expectation",
      ok: skipped.length === 0,
      message:
        skipped.length === 0
          ? `all ${run.schedule.steps.length} steps were performed`
          : `steps skipped (no replica had the role they name): ${skipped.map(describeStep).join("; ")}`
    },
    ...scenario.expectations.map((expectation): Verdict => {
      const broken = findings.filter((finding) => finding.expectation === expectation.description)
      return {
        invariant: "scenario_expectation",
        ok: broken.length === 0,
        message: broken.length === 0 ? expectation.description : broken.map((finding) => finding.message).join("; ")
      }
    })
  ]
}

const replayScenario = async (scenario: ScriptedScenario): Promise<void> => {
  const log = (line: string): void => console.log(`[containers] ${scenario.name}: ${line}`)
  const report = await replaySchedule(scriptedSchedule(scenario, 0), {
    timeScale,
    scaleTimers: true,
    startWithLeader: true,
    healWithoutWaiting: true,
    artifactsName: scenario.name,
    judge: (run) => scenarioVerdicts(scenario, run)
  })
  recordTiming({ scenario: scenario.name, clusterStartMs: report.clusterStartMs, durationMs: report.durationMs })
  log(
    `cluster started in ${(report.clusterStartMs / 1000).toFixed(1)} s, scenario took ${(report.durationMs / 1000).toFixed(1)} s, ${report.operations} operations (artifacts: ${path.relative(process.cwd(), report.artifacts)})`
  )
  const failed = report.verdicts.filter((verdict) => !verdict.ok)
  expect(failed, `${scenario.name}\n${describeVerdicts(report.verdicts)}\nnotes: ${report.notes.join("; ")}`).toEqual(
    []
  )
}

export const registerScriptedScenarios = (): void => {
  describe("scripted scenarios (src/schedule/scenarios), replayed on Docker", () => {
    for (const scenario of scriptedScenarios) {
      const expectations = scenario.expectations.map((expectation) => expectation.description).join("; ")
      it(`${scenario.name}: ${expectations}`, () => replayScenario(scenario), scenarioTimeoutMs)
    }
  })
}
