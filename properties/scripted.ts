/**
 * The seed documents' scripted scenarios (the scenario report guide and the chaos tests) as fixed schedules
 * with their own expectations. Only the simulator seed varies, so each runs under many network timings.
 * Nodes are numbered from 0: the guide's "node3" is n2. Roles ("leader", "follower", "crashed") are
 * resolved when a step runs.
 */
import fc from "fast-check"
import type { Finding, SimObserver, StepObservation } from "../src/sim/observer.ts"
import type { RunResult } from "../src/sim/run.ts"
import {
  defaultProfile,
  type ClientOperation,
  type FaultProfile,
  type Schedule,
  type Step
} from "../src/schedule/index.ts"
import { balances } from "../src/app/ledger/index.ts"
import type { BuiltSchedule, ScheduleShape } from "./arbitraries/schedule.ts"

export const scriptedShape: ScheduleShape = { faults: [] }

export interface Expectations {
  /** Observers that flag a broken expectation while the run goes on. */
  readonly observers?: () => ReadonlyArray<SimObserver>
  /** Checks of the finished run. */
  readonly atEnd?: (result: RunResult) => ReadonlyArray<Finding>
}

interface Script {
  readonly steps: ReadonlyArray<Step>
  readonly endMs: number
  readonly healedAtMs: number
  readonly profile?: FaultProfile
  readonly expectations?: Expectations
}

const put = (at: number, key: string, value: string, client = 0): Step => ({
  _tag: "Client",
  at,
  client,
  op: { _tag: "Put", key, value }
})
const op = (at: number, operation: ClientOperation, client = 0): Step => ({ _tag: "Client", at, client, op: operation })
const expectation = (message: string): Finding => ({ invariant: "scenario_expectation", message })

const live = (result: RunResult) => result.replicas.filter((replica) => replica.up && replica.state !== null)

const oneLeader = (result: RunResult): ReadonlyArray<Finding> => {
  const leaders = live(result).filter((replica) => replica.state?.role === "leader")
  return leaders.length === 1 ? [] : [expectation(`expected exactly one leader at the end, saw ${leaders.length}`)]
}

const allApplied =
  (minimumIndex: number) =>
  (result: RunResult): ReadonlyArray<Finding> =>
    live(result)
      .filter((replica) => (replica.state?.lastApplied ?? 0) < minimumIndex)
      .map((replica) =>
        expectation(
          `n${replica.node} applied only up to ${replica.state?.lastApplied}, expected at least ${minimumIndex}`
        )
      )

/** Every Ok output in the history, in order. */
const okOutputs = (result: RunResult) => result.history.flatMap((event) => (event._tag === "Ok" ? [event.output] : []))

/** A replica's lastApplied must not move inside a window (it is cut off). */
class FrozenDuring implements SimObserver {
  readonly name = "FrozenDuring"
  private appliedAtStart: number | undefined
  constructor(
    private readonly node: number,
    private readonly fromMs: number,
    private readonly untilMs: number
  ) {}
  afterStep(observation: StepObservation): ReadonlyArray<Finding> {
    if (observation.node !== this.node || observation.atMs < this.fromMs || observation.atMs >= this.untilMs) return []
    this.appliedAtStart ??= observation.before.lastApplied
    if (observation.after.lastApplied <= this.appliedAtStart) return []
    return [
      expectation(
        `n${this.node} applied index ${observation.after.lastApplied} while cut off (${this.fromMs}–${this.untilMs} ms)`
      )
    ]
  }
}

/** No entry may commit anywhere inside a window (no quorum). */
class NoCommitDuring implements SimObserver {
  readonly name = "NoCommitDuring"
  private readonly highest = new Map<number, number>()
  constructor(
    private readonly fromMs: number,
    private readonly untilMs: number
  ) {}
  afterStep(observation: StepObservation): ReadonlyArray<Finding> {
    if (observation.atMs < this.fromMs) {
      this.highest.set(
        observation.node,
        Math.max(this.highest.get(observation.node) ?? 0, observation.after.commitIndex)
      )
      return []
    }
    if (observation.atMs >= this.untilMs) return []
    const before = Math.max(this.highest.get(observation.node) ?? 0, observation.before.commitIndex)
    if (observation.after.commitIndex <= before) return []
    return [expectation(`n${observation.node} committed index ${observation.after.commitIndex} without a quorum`)]
  }
}

const writes = (count: number, fromMs: number, gapMs: number, prefix: string): Array<Step> =>
  Array.from({ length: count }, (_, position) =>
    put(fromMs + position * gapMs, `${prefix}${position}`, `${prefix}-value-${position}`)
  )

const readsBack = (count: number, fromMs: number, prefix: string, client = 1): Array<Step> =>
  Array.from({ length: count }, (_, position) =>
    op(fromMs + position, { _tag: "Read", key: `${prefix}${position}` }, client)
  )

/** After a failover every acknowledged write reads back (the durability chaos test). */
const allReadBack =
  (count: number) =>
  (result: RunResult): ReadonlyArray<Finding> => {
    const reads = okOutputs(result).filter((output) => output._tag === "Ok" && output.value !== null)
    return reads.length >= count ? [] : [expectation(`only ${reads.length} of ${count} acknowledged writes read back`)]
  }

/** The ledger history's Ok outputs of one kind of operation, in order. */
const ledgerOutputs = (result: RunResult, tag: string) => {
  const invoked = new Map<number, string>()
  const outputs: Array<{ readonly _tag: string; readonly balance?: number }> = []
  for (const event of result.ledgerHistory) {
    if (event._tag === "Invoke") invoked.set(event.process, event.input._tag)
    else if (event._tag === "Ok" && invoked.get(event.process) === tag) outputs.push(event.output)
  }
  return outputs
}

/** The seed's concurrent withdrawals: exactly `succeed` succeed, the rest are refused, the balance ends at 0 everywhere. */
const withdrawalsRace =
  (withdrawals: number, succeed: number) =>
  (result: RunResult): ReadonlyArray<Finding> => {
    const outcomes = ledgerOutputs(result, "Withdraw")
    const succeeded = outcomes.filter((output) => output._tag === "AccountOk").length
    const refused = outcomes.filter((output) => output._tag === "InsufficientFunds").length
    const findings: Array<Finding> = []
    if (succeeded !== succeed || refused !== withdrawals - succeed) {
      findings.push(
        expectation(
          `expected ${succeed} withdrawals to succeed and ${withdrawals - succeed} to be refused, saw ${succeeded} and ${refused} (of ${outcomes.length} answered)`
        )
      )
    }
    const reads = ledgerOutputs(result, "GetAccount")
    const finalRead = reads.at(-1)
    if (finalRead?._tag !== "AccountOk" || finalRead.balance !== 0)
      findings.push(expectation(`expected the final read to show balance 0, saw ${JSON.stringify(finalRead)}`))
    for (const replica of live(result)) {
      const account =
        replica.state === null ? undefined : balances(replica.state.app.ledger).find((view) => view.account === "alice")
      if (account?.balance !== 0)
        findings.push(expectation(`n${replica.node} ends with alice at ${JSON.stringify(account)}, expected balance 0`))
    }
    return findings
  }

const concurrentWithdrawals = (count: number, at: number, amount: number): Array<Step> =>
  Array.from({ length: count }, (_, position) => op(at, { _tag: "Withdraw", account: "alice", amount }, position + 2))

const scripts: Readonly<Record<string, Script>> = {
  ledger_concurrent_withdrawals: {
    steps: [
      op(3000, { _tag: "CreateAccount", account: "alice", idempotencyKey: "open-alice" }, 0),
      op(3000, { _tag: "Deposit", account: "alice", amount: 10_000, idempotencyKey: "fund-alice" }, 0),
      ...concurrentWithdrawals(100, 3500, 1_000),
      op(8000, { _tag: "ReadAccount", account: "alice" }, 1)
    ],
    endMs: 10_000,
    healedAtMs: 0,
    expectations: { atEnd: withdrawalsRace(100, 10) }
  },
  smoke: { steps: [], endMs: 4000, healedAtMs: 0, expectations: { atEnd: oneLeader } },
  kv_replication: { steps: [put(3000, "k", "v")], endMs: 6000, healedAtMs: 0, expectations: { atEnd: allApplied(2) } },
  cas: {
    steps: [
      put(3000, "k", "v1"),
      op(3100, { _tag: "Cas", key: "k", expected: "v1", value: "v2" }),
      op(3200, { _tag: "Cas", key: "k", expected: "wrong", value: "v3" }),
      op(3300, { _tag: "Read", key: "k" })
    ],
    endMs: 6000,
    healedAtMs: 0,
    expectations: {
      atEnd: (result) => {
        const outputs = okOutputs(result).map((output) => JSON.stringify(output))
        const expected = [
          `{"_tag":"Ok","value":null}`,
          `{"_tag":"Ok","value":null}`,
          `{"_tag":"CasMismatch","current":"v2"}`,
          `{"_tag":"Ok","value":"v2"}`
        ]
        return outputs.join() === expected.join()
          ? []
          : [expectation(`expected ${expected.join(" ")}, saw ${outputs.join(" ")}`)]
      }
    }
  },
  kill_leader: {
    steps: [
      put(3000, "a", "1"),
      { _tag: "Crash", at: 3500, node: "leader" },
      put(4000, "b", "2"),
      { _tag: "Restart", at: 8000, node: "crashed" },
      put(8500, "c", "3")
    ],
    endMs: 13_000,
    healedAtMs: 8000,
    expectations: { atEnd: (result) => [...oneLeader(result), ...allApplied(5)(result)] }
  },
  pause_follower: {
    steps: [{ _tag: "Pause", at: 3000, node: "follower", forMs: 3000 }, put(3100, "a", "1"), put(3200, "b", "2")],
    endMs: 9000,
    healedAtMs: 6000,
    expectations: { atEnd: allApplied(3) }
  },
  pause_leader: {
    steps: [{ _tag: "Pause", at: 3000, node: "leader", forMs: 4000 }, put(3500, "a", "1")],
    endMs: 12_000,
    healedAtMs: 7000,
    expectations: {
      atEnd: (result) => {
        const terms = live(result).map((replica) => replica.state?.term ?? 0)
        const changed =
          Math.min(...terms) >= 2
            ? []
            : [expectation(`expected a new term after pausing the leader, terms are ${terms}`)]
        return [...changed, ...oneLeader(result)]
      }
    }
  },
  crash_recovery: {
    steps: [
      { _tag: "Crash", at: 3000, node: "follower" },
      ...writes(5, 3200, 100, "k"),
      { _tag: "Restart", at: 6000, node: "crashed" }
    ],
    endMs: 10_000,
    healedAtMs: 6000,
    expectations: { atEnd: allApplied(6) }
  },
  no_quorum: {
    steps: [
      { _tag: "Crash", at: 3000, node: "follower" },
      { _tag: "Crash", at: 3001, node: "follower" },
      put(3500, "k", "v"),
      { _tag: "Restart", at: 9000, node: "crashed" },
      { _tag: "Restart", at: 9001, node: "crashed" }
    ],
    endMs: 15_000,
    healedAtMs: 9001,
    expectations: { observers: () => [new NoCommitDuring(3001, 9000)] }
  },
  partition_2_1: {
    steps: [
      {
        _tag: "Partition",
        at: 3000,
        cut: [
          [2, 0],
          [0, 2],
          [2, 1],
          [1, 2]
        ]
      },
      ...writes(4, 3200, 200, "k"),
      { _tag: "Heal", at: 6000 }
    ],
    endMs: 10_000,
    healedAtMs: 6000,
    expectations: { observers: () => [new FrozenDuring(2, 3050, 6000)], atEnd: allApplied(5) }
  },
  partition_isolate_leader: {
    steps: [{ _tag: "Isolate", at: 3000, node: "leader" }, put(4000, "k", "v"), { _tag: "Heal", at: 7000 }],
    endMs: 12_000,
    healedAtMs: 7000,
    expectations: { atEnd: oneLeader }
  },
  latency_instability: {
    steps: writes(10, 3000, 300, "k"),
    endMs: 12_000,
    healedAtMs: 0,
    profile: {
      ...defaultProfile,
      network: {
        ...defaultProfile.network,
        delayMinMs: 20,
        delayMaxMs: 450,
        reorderProbability: 0.1,
        reorderDelayMaxMs: 200
      }
    },
    expectations: {
      atEnd: (result) => {
        const changes = Math.max(0, ...live(result).map((replica) => replica.state?.stats.leaderChanges ?? 0))
        return changes >= 1 ? [] : [expectation("no leader change was recorded at all")]
      }
    }
  },
  catchup_after_degradation: {
    steps: [
      { _tag: "Clog", at: 3000, from: 0, to: 2, forMs: 3000 },
      { _tag: "Clog", at: 3000, from: 1, to: 2, forMs: 3000 },
      ...writes(8, 3100, 150, "k")
    ],
    endMs: 11_000,
    healedAtMs: 6000,
    profile: { ...defaultProfile, network: { ...defaultProfile.network, delayMaxMs: 60, lossProbability: 0.05 } },
    expectations: { atEnd: allApplied(9) }
  },
  leader_failover_during_writes: {
    steps: [
      ...writes(50, 3000, 20, "k"),
      { _tag: "Crash", at: 4100, node: "leader" },
      ...writes(50, 4200, 20, "m"),
      { _tag: "Restart", at: 9000, node: "crashed" },
      ...readsBack(50, 12_000, "k"),
      ...readsBack(50, 12_100, "m", 2)
    ],
    endMs: 16_000,
    healedAtMs: 9000,
    expectations: { atEnd: allReadBack(100) }
  },
  writes_during_election: {
    steps: [
      { _tag: "Crash", at: 3000, node: "leader" },
      put(3050, "k", "from-0", 0),
      put(3050, "k", "from-1", 1),
      put(3050, "k", "from-2", 2),
      op(9000, { _tag: "Read", key: "k" }, 3),
      { _tag: "Restart", at: 9500, node: "crashed" }
    ],
    endMs: 14_000,
    healedAtMs: 9500,
    expectations: { atEnd: oneLeader }
  }
}

const scheduleOf = (script: Script, seed: number): Schedule => {
  const end: Step = { _tag: "Heal", at: script.endMs }
  return {
    version: 1,
    replicas: 3,
    seed,
    profile: script.profile ?? defaultProfile,
    limits: { simulatedMs: script.endMs + 60_000, events: 3_000_000 },
    steps: [...script.steps, end].sort((left, right) => left.at - right.at)
  }
}

const scriptOf = (name: string): Script => {
  const script = scripts[name]
  if (script === undefined) throw new Error(`no scripted scenario "${name}"`)
  return script
}

/** Only the simulator seed varies: fast-check shrinks it towards 0. */
export const scriptedSchedule = (name: string): fc.Arbitrary<BuiltSchedule> => {
  const script = scriptOf(name)
  return fc
    .nat({ max: 2 ** 31 - 1 })
    .map((seed) => ({ schedule: scheduleOf(script, seed), healedAtMs: script.healedAtMs }))
}

export const scriptExpectations = (name: string): Expectations => scriptOf(name).expectations ?? {}
