/**
 * The seed documents' scripted scenarios (the scenario report guide, the chaos tests, the ledger's concurrent
 * withdrawals, a follower crash, a minority partition and a leader killed mid-request), each defined once: a fixed schedule and its expectations. The simulator runs them under many
 * seeds (properties/scripted.ts); the Docker suite replays the same schedules against real nodes and holds them
 * to the same expectations (containers/suites/scripted.ts). Nodes are numbered from 0: the guide's "node3" is n2.
 * Roles ("leader", "follower", "crashed") are resolved when a step runs, in both worlds.
 */
import { defaultProfile, type ClientOperation, type FaultProfile, type Schedule, type Step } from "../schedule.ts"
import {
  appliedAtLeast,
  eachKeyMovesOnce,
  finalBalanceRead,
  frozenDuring,
  leaderChangeRecorded,
  noCommitDuring,
  okOutputsAre,
  oneLeaderAtEnd,
  readsBackAtLeast,
  termAtLeastAtEnd,
  withdrawalBalancesAre,
  withdrawalsAnswered,
  withdrawalsRace,
  type ScenarioExpectation
} from "./expectations.ts"
import type { ScenarioRun } from "./observation.ts"

export interface ScriptedScenario {
  readonly name: string
  /** Sorted by time; the schedule adds a final heal at `endMs`. */
  readonly steps: ReadonlyArray<Step>
  readonly endMs: number
  /** When the last fault is healed: the liveness checks start from here. */
  readonly healedAtMs: number
  readonly profile: FaultProfile
  readonly expectations: ReadonlyArray<ScenarioExpectation>
}

const put = (at: number, key: string, value: string, client = 0): Step => ({
  _tag: "Client",
  at,
  client,
  op: { _tag: "Put", key, value }
})
const op = (at: number, operation: ClientOperation, client = 0): Step => ({ _tag: "Client", at, client, op: operation })

const writes = (count: number, fromMs: number, gapMs: number, prefix: string): Array<Step> =>
  Array.from({ length: count }, (_, position) =>
    put(fromMs + position * gapMs, `${prefix}${position}`, `${prefix}-value-${position}`)
  )

const readsBack = (count: number, fromMs: number, prefix: string, client = 1): Array<Step> =>
  Array.from({ length: count }, (_, position) =>
    op(fromMs + position, { _tag: "Read", key: `${prefix}${position}` }, client)
  )

const concurrentWithdrawals = (count: number, at: number, amount: number): Array<Step> =>
  Array.from({ length: count }, (_, position) => op(at, { _tag: "Withdraw", account: "alice", amount }, position + 2))

interface Script {
  readonly steps: ReadonlyArray<Step>
  readonly endMs: number
  readonly healedAtMs: number
  readonly profile?: FaultProfile
  readonly expectations: ReadonlyArray<ScenarioExpectation>
}

const scenario = (name: string, script: Script): ScriptedScenario => ({
  name,
  steps: [...script.steps].sort((left, right) => left.at - right.at),
  endMs: script.endMs,
  healedAtMs: script.healedAtMs,
  profile: script.profile ?? defaultProfile,
  expectations: script.expectations
})

const noQuorum = (() => {
  const secondCrash: Step = { _tag: "Crash", at: 3001, node: "follower" }
  const firstRestart: Step = { _tag: "Restart", at: 9000, node: "crashed" }
  return scenario("no_quorum", {
    steps: [
      { _tag: "Crash", at: 3000, node: "follower" },
      secondCrash,
      put(3500, "k", "v"),
      firstRestart,
      { _tag: "Restart", at: 9001, node: "crashed" }
    ],
    endMs: 15_000,
    healedAtMs: 9001,
    expectations: [noCommitDuring({ after: secondCrash, graceMs: 0, until: firstRestart })]
  })
})()

const partitionTwoOne = (() => {
  const cut: Step = {
    _tag: "Partition",
    at: 3000,
    cut: [
      [2, 0],
      [0, 2],
      [2, 1],
      [1, 2]
    ]
  }
  const heal: Step = { _tag: "Heal", at: 6000 }
  return scenario("partition_2_1", {
    steps: [cut, ...writes(4, 3200, 200, "k"), heal],
    endMs: 10_000,
    healedAtMs: 6000,
    expectations: [frozenDuring(2, { after: cut, graceMs: 50, until: heal }), appliedAtLeast(5)]
  })
})()

/** The ledger's keyed withdrawals, each under its own idempotency key. */
const keyedWithdrawal = (at: number, account: string, amount: number, key: string, client: number): Step =>
  op(at, { _tag: "Withdraw", account, amount, idempotencyKey: key }, client)

const openAccount = (at: number, account: string, amount: number): Array<Step> => [
  op(at, { _tag: "CreateAccount", account, idempotencyKey: `open-${account}` }, 0),
  op(at, { _tag: "Deposit", account, amount, idempotencyKey: `fund-${account}` }, 0)
]

const ledgerMinorityPartition = (() => {
  const cut: Step = { _tag: "Isolate", at: 3500, node: 2 }
  const heal: Step = { _tag: "Heal", at: 6000 }
  return scenario("ledger_minority_partition", {
    steps: [
      ...openAccount(3000, "carol", 10_000),
      cut,
      ...Array.from({ length: 5 }, (_, position) =>
        keyedWithdrawal(3700 + position * 200, "carol", 1_000, `carol-${position}`, 0)
      ),
      heal,
      op(7000, { _tag: "ReadAccount", account: "carol" }, 0)
    ],
    endMs: 9000,
    healedAtMs: 6000,
    expectations: [
      frozenDuring(2, { after: cut, graceMs: 50, until: heal }),
      withdrawalsAnswered(5),
      finalBalanceRead("carol", 5_000)
    ]
  })
})()

export const scriptedScenarios: ReadonlyArray<ScriptedScenario> = [
  scenario("smoke", { steps: [], endMs: 4000, healedAtMs: 0, expectations: [oneLeaderAtEnd] }),
  scenario("kv_replication", {
    steps: [put(3000, "k", "v")],
    endMs: 6000,
    healedAtMs: 0,
    expectations: [appliedAtLeast(2)]
  }),
  scenario("cas", {
    steps: [
      put(3000, "k", "v1"),
      op(3100, { _tag: "Cas", key: "k", expected: "v1", value: "v2" }),
      op(3200, { _tag: "Cas", key: "k", expected: "wrong", value: "v3" }),
      op(3300, { _tag: "Read", key: "k" })
    ],
    endMs: 6000,
    healedAtMs: 0,
    expectations: [
      okOutputsAre([
        { _tag: "Ok", value: null },
        { _tag: "Ok", value: null },
        { _tag: "CasMismatch", current: "v2" },
        { _tag: "Ok", value: "v2" }
      ])
    ]
  }),
  scenario("kill_leader", {
    steps: [
      put(3000, "a", "1"),
      { _tag: "Crash", at: 3500, node: "leader" },
      put(4000, "b", "2"),
      { _tag: "Restart", at: 8000, node: "crashed" },
      put(8500, "c", "3")
    ],
    endMs: 13_000,
    healedAtMs: 8000,
    expectations: [oneLeaderAtEnd, appliedAtLeast(5)]
  }),
  scenario("pause_follower", {
    steps: [{ _tag: "Pause", at: 3000, node: "follower", forMs: 3000 }, put(3100, "a", "1"), put(3200, "b", "2")],
    endMs: 9000,
    healedAtMs: 6000,
    expectations: [appliedAtLeast(3)]
  }),
  scenario("pause_leader", {
    steps: [{ _tag: "Pause", at: 3000, node: "leader", forMs: 4000 }, put(3500, "a", "1")],
    endMs: 12_000,
    healedAtMs: 7000,
    expectations: [termAtLeastAtEnd(2), oneLeaderAtEnd]
  }),
  scenario("crash_recovery", {
    steps: [
      { _tag: "Crash", at: 3000, node: "follower" },
      ...writes(5, 3200, 100, "k"),
      { _tag: "Restart", at: 6000, node: "crashed" }
    ],
    endMs: 10_000,
    healedAtMs: 6000,
    expectations: [appliedAtLeast(6)]
  }),
  noQuorum,
  partitionTwoOne,
  scenario("partition_isolate_leader", {
    steps: [{ _tag: "Isolate", at: 3000, node: "leader" }, put(4000, "k", "v"), { _tag: "Heal", at: 7000 }],
    endMs: 12_000,
    healedAtMs: 7000,
    expectations: [oneLeaderAtEnd]
  }),
  scenario("latency_instability", {
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
    expectations: [leaderChangeRecorded]
  }),
  scenario("catchup_after_degradation", {
    steps: [
      { _tag: "Clog", at: 3000, from: 0, to: 2, forMs: 3000 },
      { _tag: "Clog", at: 3000, from: 1, to: 2, forMs: 3000 },
      ...writes(8, 3100, 150, "k")
    ],
    endMs: 11_000,
    healedAtMs: 6000,
    profile: { ...defaultProfile, network: { ...defaultProfile.network, delayMaxMs: 60, lossProbability: 0.05 } },
    expectations: [appliedAtLeast(9)]
  }),
  scenario("leader_failover_during_writes", {
    steps: [
      ...writes(50, 3000, 20, "k"),
      { _tag: "Crash", at: 4100, node: "leader" },
      ...writes(50, 4200, 20, "m"),
      { _tag: "Restart", at: 9000, node: "crashed" },
      // Read by the writer, so that each read follows every write in both worlds: a real node under load can be
      // seconds behind a schedule written for the simulator's speed, and a read racing its write would see nothing.
      ...readsBack(50, 12_000, "k", 0),
      ...readsBack(50, 12_100, "m", 0)
    ],
    endMs: 16_000,
    healedAtMs: 9000,
    expectations: [readsBackAtLeast(100)]
  }),
  scenario("writes_during_election", {
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
    expectations: [oneLeaderAtEnd]
  }),
  scenario("ledger_concurrent_withdrawals", {
    steps: [
      op(3000, { _tag: "CreateAccount", account: "alice", idempotencyKey: "open-alice" }, 0),
      op(3000, { _tag: "Deposit", account: "alice", amount: 10_000, idempotencyKey: "fund-alice" }, 0),
      ...concurrentWithdrawals(100, 3500, 1_000),
      op(8000, { _tag: "ReadAccount", account: "alice" }, 1)
    ],
    endMs: 10_000,
    healedAtMs: 0,
    expectations: [withdrawalsRace("alice", 100, 10)]
  }),
  scenario("ledger_follower_crash_during_writes", {
    steps: [
      ...openAccount(3000, "bob", 100_000),
      ...Array.from({ length: 30 }, (_, position) =>
        keyedWithdrawal(3200 + position * 100, "bob", 100, `bob-${position}`, 0)
      ),
      { _tag: "Crash", at: 4150, node: "follower" },
      { _tag: "Restart", at: 7000, node: "crashed" },
      // By the writer: the read follows every withdrawal, however far behind the schedule they run.
      op(8000, { _tag: "ReadAccount", account: "bob" }, 0)
    ],
    endMs: 10_000,
    healedAtMs: 7000,
    // The first leader's no-op, the account's two entries and the 30 withdrawals: the restarted follower has them.
    expectations: [withdrawalsAnswered(30), finalBalanceRead("bob", 97_000), appliedAtLeast(33)]
  }),
  ledgerMinorityPartition,
  scenario("ledger_leader_killed_mid_request", {
    steps: [
      ...openAccount(3000, "dave", 100_000),
      ...Array.from({ length: 50 }, (_, position) =>
        keyedWithdrawal(3500, "dave", 1_000, `dave-${position}`, position + 2)
      ),
      { _tag: "Crash", at: 3520, node: "leader" },
      { _tag: "Restart", at: 8000, node: "crashed" },
      // A retry of an answered key, later: answered with its first result, moving nothing.
      keyedWithdrawal(9000, "dave", 1_000, "dave-0", 1)
    ],
    endMs: 12_000,
    healedAtMs: 8000,
    // Judged by the answers rather than by a read after them: 50 withdrawals from 50 clients have no last one.
    expectations: [
      withdrawalsAnswered(51),
      eachKeyMovesOnce,
      withdrawalBalancesAre(Array.from({ length: 50 }, (_, position) => 100_000 - (position + 1) * 1_000))
    ]
  })
]

export const findScriptedScenario = (name: string): ScriptedScenario | undefined =>
  scriptedScenarios.find((scenario) => scenario.name === name)

/** The scenario's schedule under one simulator seed: its steps, then a heal at its end. */
export const scriptedSchedule = (scenario: ScriptedScenario, seed: number): Schedule => {
  const end: Step = { _tag: "Heal", at: scenario.endMs }
  return {
    version: 1,
    replicas: 3,
    seed,
    profile: scenario.profile,
    limits: { simulatedMs: scenario.endMs + 60_000, events: 3_000_000 },
    steps: [...scenario.steps, end].sort((left, right) => left.at - right.at)
  }
}

export interface ScenarioFinding {
  readonly expectation: string
  readonly message: string
}

/** Every expectation of the scenario over one run; empty when all held. */
export const checkScenario = (scenario: ScriptedScenario, run: ScenarioRun): ReadonlyArray<ScenarioFinding> =>
  scenario.expectations.flatMap((expectation) =>
    expectation.check(run).map((message) => ({ expectation: expectation.description, message }))
  )
