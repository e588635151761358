/**
 * A write whose acknowledgements never reach the leader is retried in its session: the leader cannot commit it
 * and steps down (CheckQuorum), the followers that hold it elect one of themselves, which commits it, and the
 * client's retry under the same session and sequence must then be answered from the session table, not run
 * again. With noSessionDeduplication the retried compare-and-set runs twice and answers a mismatch naming its own
 * value. The same schedule is kept for Docker as containers/regressions/session-retry-after-lost-acknowledgements.json,
 * where the nodes draw the simulator's election timeouts, so the same replica leads when the cut begins.
 */
import { describe, expect, it } from "vitest"
import type { BugName } from "../protocol/bugs.ts"
import { defaultProfile, scheduleVersion, type Schedule, type Step } from "../schedule/index.ts"
import { runSchedule, type RunResult } from "./run.ts"

const seed = 904_115_203

const scheduleOf = (steps: ReadonlyArray<Step>): Schedule => ({
  version: scheduleVersion,
  replicas: 3,
  seed,
  profile: { ...defaultProfile, clients: { timeoutMs: 2000, attemptsMax: 30 } },
  limits: { simulatedMs: 40_000, events: 3_000_000 },
  steps
})

const firstPut: Step = { _tag: "Client", at: 2000, client: 0, op: { _tag: "Put", key: "k0", value: "v0" } }

/** Every follower's link to the leader cut while a compare-and-set is in flight, then healed and read. */
const lostAcknowledgements = (leader: number): ReadonlyArray<Step> => [
  firstPut,
  { _tag: "Partition", at: 2500, cut: [0, 1, 2].filter((node) => node !== leader).map((node) => [node, leader]) },
  { _tag: "Client", at: 2600, client: 0, op: { _tag: "Cas", key: "k0", expected: "v0", value: "v1" } },
  { _tag: "Heal", at: 8000 },
  { _tag: "Client", at: 9000, client: 1, op: { _tag: "Read", key: "k0" } }
]

const run = (steps: ReadonlyArray<Step>, bugs: ReadonlyArray<BugName> = []): RunResult =>
  runSchedule(scheduleOf(steps), { bugs: new Set(bugs) })

const casOutcome = (result: RunResult): unknown =>
  result.history.filter((event) => event._tag === "Ok" && event.process === 0).at(1)

describe("a command retried after its acknowledgements were lost", () => {
  const quiet = run([firstPut])
  const leader = quiet.replicas.find((replica) => replica.state?.role === "leader")?.node ?? -1

  it("runs once on the correct replica: the retry is answered from the session table", () => {
    // Act
    const result = run(lostAcknowledgements(leader))
    // Assert
    expect(leader).toBeGreaterThanOrEqual(0)
    expect(result.violations).toEqual([])
    expect(casOutcome(result)).toMatchObject({ output: { _tag: "Ok" } })
  })

  it("runs twice with noSessionDeduplication: the retry answers a mismatch naming its own value", () => {
    // Act
    const result = run(lostAcknowledgements(leader), ["noSessionDeduplication"])
    // Assert
    expect(casOutcome(result)).toMatchObject({ output: { _tag: "CasMismatch", current: "v1" } })
    expect(result.violations.map((violation) => violation.invariant)).toContain("linearizability")
  })
})
