/**
 * Every scenario of the seed documents, by name, with its Raft analogue. The VOPR reference describes
 * Viewstamped Replication: a primary is a leader, a view change is an election, a DoViewChange / StartView
 * is the RequestVote / AppendEntries traffic of a new term, a Prepare is an AppendEntries carrying entries,
 * commit_number is commitIndex. `recipe` says which fault kinds a scenario turns on and how hard; the catalog
 * (index.ts) turns a recipe into a schedule generator.
 */
import type { InvariantName } from "../../model/invariants/names.ts"
import type { AttackKind } from "../../src/sim/adversary.ts"
import type { LedgerWorkload } from "../arbitraries/ledger.ts"
import type { ScheduleShape } from "../arbitraries/schedule.ts"
import type { FaultKind } from "./generate.ts"

export type Phase =
  | "zoo"
  | "core"
  | "byzantine"
  | "corruption"
  | "crash"
  | "gray"
  | "race"
  | "clock"
  | "session"
  | "repair"
  | "scrub"
  | "reconfig"
  | "seed"
  | "chaos"
  | "ledger"

export interface Recipe {
  readonly faults: ReadonlyArray<FaultKind>
  readonly attacks?: ReadonlyArray<AttackKind>
  /** A lossy, duplicating, reordering network. */
  readonly noisyNetwork?: boolean
  readonly faultEveryMs?: number
  readonly replicas?: number
  readonly clients?: number
  readonly keys?: number
  readonly opsPerSecond?: number
  /** Scripted steps instead of random fault windows (the seed scenarios). */
  readonly script?: string
  /** The bug zoo's hunting scenarios: the schedule's shape, tuned at one bug class (shorter runs, harder knobs). */
  readonly tuning?: Omit<ScheduleShape, "faults" | "attacks" | "noisyNetwork">
  /** A ledger workload instead of key-value operations (../arbitraries/ledger.ts). */
  readonly ledger?: LedgerWorkload
  /** Extra checks of properties/zoo/checks.ts this scenario holds runs to. */
  readonly checks?: ReadonlyArray<"leader_stability" | "persisted_before_reply">
}

export interface ScenarioDescription {
  readonly name: string
  readonly phase: Phase
  readonly description: string
  /** `runs`, or `needs <feature>` when the feature it tests has not landed. */
  readonly status: "runs" | `needs ${string}`
  readonly invariants: ReadonlyArray<InvariantName>
  readonly recipe: Recipe
}

const ledgerInvariants: ReadonlyArray<InvariantName> = [
  "ledger_balance_negative",
  "ledger_money_conserved",
  "ledger_idempotency",
  "ledger_linearizability"
]

const safety: ReadonlyArray<InvariantName> = [
  "election_safety",
  "log_matching",
  "leader_completeness",
  "state_machine_safety",
  "linearizability",
  "durability"
]

const entry = (
  name: string,
  phase: Phase,
  description: string,
  recipe: Recipe,
  invariants: ReadonlyArray<InvariantName> = safety,
  status: ScenarioDescription["status"] = "runs"
): ScenarioDescription => ({ name, phase, description, status, invariants, recipe })

const zoo = (name: string, description: string, recipe: Recipe, invariants: ReadonlyArray<InvariantName>) =>
  entry(
    name,
    "zoo",
    description,
    {
      faultEveryMs: 1000,
      ...recipe,
      tuning: { safetyMs: 3000, livenessTrafficMs: 1500, settleMs: 2500, ...recipe.tuning }
    },
    invariants
  )

const attack = (
  name: string,
  description: string,
  attacks: ReadonlyArray<AttackKind>,
  invariants: ReadonlyArray<InvariantName> = safety
) =>
  entry(
    name,
    "byzantine",
    description,
    { faults: ["forge", "crash", "partition"], attacks, faultEveryMs: 400 },
    invariants
  )

export const descriptions: ReadonlyArray<ScenarioDescription> = [
  // Phase 0: core
  entry("baseline", "core", "No faults: the reference run; every operation completes and linearizes.", { faults: [] }),
  entry(
    "swizzle_clogging",
    "core",
    "Links clog and unclog (flap) at random while clients write; the cluster stays available and safe.",
    { faults: ["clog"], faultEveryMs: 400 }
  ),
  entry(
    "gray_failures",
    "core",
    "Partial failures: a slow or paused replica, a one-way cut, a slow disk — nodes that are neither up nor down.",
    { faults: ["pause", "clog", "partition"], noisyNetwork: true }
  ),
  entry(
    "multi_tenant_isolation",
    "core",
    "Many clients over disjoint key ranges under crashes and partitions: each tenant's keys linearize on their own (per-key partitions of the checker).",
    { faults: ["crash", "partition"], clients: 8, keys: 16 }
  ),
  entry(
    "time_compression",
    "core",
    "A long run compressed into simulated time: many election timeouts and heartbeats pass; timers and sessions behave over hours of virtual time.",
    { faults: ["crash", "pause"], opsPerSecond: 20 }
  ),
  entry(
    "combined",
    "core",
    "Every fault at once: lossy, duplicating, reordering network, crashes, pauses, partitions, clogging, disk corruption, clock faults and forged messages.",
    {
      faults: ["crash", "powerFailure", "pause", "partition", "clog", "corrupt", "clock", "forge"],
      noisyNetwork: true,
      faultEveryMs: 1000
    }
  ),
  // Phase 1: byzantine (VSR attacks mapped to forged Raft messages)
  attack(
    "byzantine_view_change_merge",
    "Force an election after commits, then inject conflicting entries: forged AppendEntries of a newer term that try to overwrite committed entries (refused: TruncatesCommitted, InconsistentTerms).",
    ["inconsistentBatch", "wrongTerm"]
  ),
  attack(
    "byzantine_commit_desync",
    "A StartView with a high commit number but a short log becomes an AppendEntries whose leaderCommit exceeds the entries it carries (refused: InflatedCommit).",
    ["inflatedCommit"]
  ),
  attack(
    "byzantine_inflated_commit",
    "An inflated commit number in DoViewChange becomes an inflated leaderCommit in forged AppendEntries (refused: InflatedCommit).",
    ["inflatedCommit"]
  ),
  attack(
    "byzantine_invalid_metadata",
    "A Prepare with the wrong view becomes AppendEntries whose entries carry terms beyond the message's term or out of order (refused: InconsistentTerms, EntriesOutOfOrder).",
    ["inconsistentBatch", "outOfOrder", "wrongTerm"]
  ),
  attack(
    "byzantine_malicious_view_change",
    "Colluding replicas prefer a stale log in a view change: forged RequestVotes from stale candidates, which the up-to-date check refuses.",
    ["wrongTerm", "invalidRange"]
  ),
  attack(
    "byzantine_leader_race",
    "Several replicas claim to lead at once: forged AppendEntries from a second leader of the current term (refused: SecondLeaderInTerm).",
    ["wrongTerm", "inconsistentBatch"]
  ),
  attack(
    "byzantine_dvc_tail_length_mismatch",
    "A DoViewChange whose tail length disagrees with its tail becomes an AppendEntries whose entries do not follow prevLogIndex (refused: EntriesOutOfOrder, InvalidRange).",
    ["outOfOrder", "invalidRange"]
  ),
  attack(
    "byzantine_dvc_identical_claims",
    "Two replicas make identical (view, commit) claims with different logs: duplicated forged AppendEntries with conflicting entries for the same term.",
    ["inconsistentBatch", "wrongTerm"]
  ),
  attack(
    "byzantine_oversized_start_view",
    "An oversized StartView becomes an AppendEntries with more entries than a message may carry (refused: OversizedBatch) — bounded memory.",
    ["oversizedBatch"]
  ),
  attack(
    "byzantine_invalid_repair_range",
    "A repair request with an impossible range becomes AppendEntries and responses with impossible (index, term) pairs (refused: InvalidRange).",
    ["invalidRange"]
  ),
  attack(
    "byzantine_invalid_kernel_command",
    "A Prepare with a malformed command becomes entries whose command does not decode or is invalid (refused: Malformed, InvalidCommand).",
    ["junk", "unknownSender"]
  ),
  // Phase 2: corruption
  entry(
    "corruption_bit_flip",
    "corruption",
    "A random bit flips in a stored WAL record: detected by CRC32C on recovery, never applied; the replica recovers the entries from peers.",
    { faults: ["corrupt", "crash"] },
    [...safety, "no_corrupt_record_applied"]
  ),
  entry(
    "corruption_checksum_validation",
    "corruption",
    "Every corruption kind (bit flip, misdirected write, torn write, latent read error) is detected by the record checksums and the hash chain.",
    { faults: ["corrupt"], faultEveryMs: 800 },
    [...safety, "no_corrupt_record_applied"]
  ),
  entry(
    "corruption_silent_disk_failure",
    "corruption",
    "A disk returns wrong data without an error (misdirected writes): the hash chain detects it and the damaged suffix is never counted as the replica's own.",
    { faults: ["corrupt", "crash"] },
    [...safety, "no_corrupt_record_applied"]
  ),
  // Phase 3: crash and recovery
  entry(
    "crash_during_commit",
    "crash",
    "Replicas crash while entries are being committed and applied — one at a time and all at once (power failure); unsynced writes are lost, acknowledged writes survive.",
    { faults: ["crash", "powerFailure", "partition"], faultEveryMs: 700 }
  ),
  entry(
    "crash_during_view_change",
    "crash",
    "Replicas crash during elections (a view change is an election): votes were persisted before they were sent, so no term has two leaders.",
    { faults: ["crash", "powerFailure", "partition"], faultEveryMs: 600 }
  ),
  entry(
    "recovery_corrupt_log",
    "crash",
    "A replica restarts from a corrupt log: it discards the damaged suffix, neither votes nor campaigns until a leader has repaired it.",
    { faults: ["corrupt", "crash"] },
    [...safety, "no_corrupt_record_applied"]
  ),
  // Phase 4: gray failures
  entry(
    "gray_failure_slow_disk",
    "gray",
    "A replica's fsync is slow and variable: the leader keeps committing on the others; nothing is acknowledged before it is durable.",
    { faults: ["corrupt"], faultEveryMs: 600 }
  ),
  entry(
    "gray_failure_intermittent_network",
    "gray",
    "Messages are lost, duplicated and reordered intermittently: pipelining, retransmission and deduplication keep the logs consistent.",
    { faults: ["clog"], noisyNetwork: true }
  ),
  // Phase 5: races
  entry(
    "race_concurrent_view_changes",
    "race",
    "Several replicas time out together and campaign at once (concurrent elections); PreVote and randomized timeouts settle it with one leader per term.",
    { faults: ["partition", "pause"], faultEveryMs: 500 }
  ),
  entry(
    "race_commit_during_dvc",
    "race",
    "A commit arrives while an election is under way: AppendEntries of the old term reach candidates of the new one and are refused as stale.",
    { faults: ["partition", "crash"], noisyNetwork: true, faultEveryMs: 500 }
  ),
  // Phase 6: clocks
  entry(
    "clock_drift",
    "clock",
    "Replica clocks run fast or slow (drift in ppm): election timeouts and heartbeats stretch, safety holds since Raft never relies on clocks for safety.",
    { faults: ["clock"], faultEveryMs: 800 }
  ),
  entry(
    "clock_offset_exceeded",
    "clock",
    "A replica's clock jumps by seconds: its timers fire early or late; the replica's time never runs backwards and safety holds (no clock-synchronisation protocol to exceed).",
    { faults: ["clock"], faultEveryMs: 600 }
  ),
  entry(
    "clock_ntp_failure",
    "clock",
    "NTP-style failures: a clock that is wrong, then corrected, then drifts; Faultline has no clock synchronisation protocol, so this runs the offset/drift faults and checks safety.",
    { faults: ["clock", "pause"] }
  ),
  // Phase 7: client sessions
  entry(
    "client_session_crash",
    "session",
    "Clients time out and retry through crashes of the leader: each (clientId, sequence) takes effect at most once.",
    { faults: ["crash", "powerFailure"], clients: 5 },
    [...safety, "exactly_once"]
  ),
  entry(
    "client_session_view_change_lockout",
    "session",
    "Retries across elections are not locked out: a retried command after a leader change is answered from the session table, never applied twice.",
    { faults: ["partition", "crash"], clients: 5 },
    [...safety, "exactly_once"]
  ),
  entry(
    "client_session_eviction",
    "session",
    "The session table fills: the least recently used session (by log index) is evicted identically on every replica, and its retries get SessionExpired.",
    { faults: ["crash"], clients: 12 },
    [...safety, "exactly_once"]
  ),
  // Phase 8: repair and timeouts
  entry(
    "repair_budget_prevents_storm",
    "repair",
    "A lagging replica catches up at a bounded rate: at most maxInflightBatches of maxEntriesPerMessage in flight per follower (Raft's pipelining bound is the repair budget).",
    { faults: ["crash", "clog"] }
  ),
  entry(
    "repair_ewma_selection",
    "repair",
    "Choosing the fastest peer to repair from (EWMA); in Raft only the leader repairs followers.",
    { faults: [] },
    safety,
    "needs repair from any peer (not in Raft: only the leader repairs)"
  ),
  entry(
    "repair_sync_timeout",
    "repair",
    "A replica too far behind escalates to state transfer (InstallSnapshot).",
    { faults: [] },
    safety,
    "needs state transfer (snapshots)"
  ),
  entry(
    "primary_abdicate_partition",
    "repair",
    "A leader partitioned from its quorum steps down (CheckQuorum) instead of serving forever.",
    { faults: ["partition"], faultEveryMs: 1200 },
    [...safety, "leader_stability"]
  ),
  entry(
    "commit_stall_detection",
    "repair",
    "When commits stall (leader cut off), followers' election timers fire and a new leader restores progress.",
    { faults: ["partition", "pause"] },
    [...safety, "leader_after_heal", "operations_completed", "replicas_converged"]
  ),
  // Phase 9: scrubbing
  entry(
    "scrub_detects_corruption",
    "scrub",
    "A background scrubber re-reads the WAL and detects corruption before a restart does.",
    { faults: [] },
    safety,
    "needs scrubbing"
  ),
  entry(
    "scrub_completes_tour",
    "scrub",
    "The scrubber visits every record within a time limit.",
    { faults: [] },
    safety,
    "needs scrubbing"
  ),
  entry(
    "scrub_rate_limited",
    "scrub",
    "The scrubber respects an I/O budget.",
    { faults: [] },
    safety,
    "needs scrubbing"
  ),
  entry(
    "scrub_triggers_repair",
    "scrub",
    "Corruption found by the scrubber triggers repair from peers.",
    { faults: [] },
    safety,
    "needs scrubbing"
  ),
  // Phase 10: reconfiguration
  entry(
    "reconfig_add_replicas",
    "reconfig",
    "Grow the cluster from 3 to 5 voters through configuration entries.",
    { faults: [] },
    safety,
    "needs membership change"
  ),
  entry(
    "reconfig_remove_replicas",
    "reconfig",
    "Shrink the cluster from 5 to 3 voters.",
    { faults: [] },
    safety,
    "needs membership change"
  ),
  entry(
    "reconfig_during_partition",
    "reconfig",
    "Change membership while a partition is in place.",
    { faults: [] },
    safety,
    "needs membership change"
  ),
  // The seed's scenario report guide, in memory (the containers suite runs them against real nodes).
  entry("smoke", "seed", "Start the cluster; exactly one leader is elected.", { faults: [], script: "smoke" }),
  entry("kv_replication", "seed", "Write a key; every replica advances lastApplied.", {
    faults: [],
    script: "kv_replication"
  }),
  entry(
    "cas",
    "seed",
    "PUT, then CAS with the right expected value (succeeds), then with a wrong one (mismatch, nothing changes).",
    { faults: [], script: "cas" }
  ),
  entry(
    "kill_leader",
    "seed",
    "Crash the leader; a new leader is elected; writes go on; the old leader restarts and catches up.",
    { faults: [], script: "kill_leader" }
  ),
  entry("pause_follower", "seed", "Pause a follower, write, resume it: it applies the entries it missed.", {
    faults: [],
    script: "pause_follower"
  }),
  entry("pause_leader", "seed", "Pause the leader: a new leader is elected; the old one steps down when it resumes.", {
    faults: [],
    script: "pause_leader"
  }),
  entry(
    "crash_recovery",
    "seed",
    "Crash a follower, write, restart it: the data is still there and the follower catches up.",
    { faults: [], script: "crash_recovery" }
  ),
  entry(
    "no_quorum",
    "seed",
    "Crash two of three replicas: writes do not commit (clients time out) until a quorum is back.",
    { faults: [], script: "no_quorum" }
  ),
  entry(
    "partition_2_1",
    "seed",
    "Cut node 3 from nodes 1 and 2: the majority commits, the isolated node applies nothing until the heal.",
    { faults: [], script: "partition_2_1" }
  ),
  entry(
    "partition_isolate_leader",
    "seed",
    "Isolate the leader: the others elect a new one; the old leader steps down after the heal.",
    { faults: [], script: "partition_isolate_leader" }
  ),
  entry(
    "latency_instability",
    "seed",
    "Raise latency on every link, then more: leader changes are recorded and may increase; safety holds.",
    { faults: [], script: "latency_instability" }
  ),
  entry(
    "catchup_after_degradation",
    "seed",
    "Lossy, slow links to one node while keys are written; after the heal it catches up and applies everything.",
    { faults: [], script: "catchup_after_degradation" }
  ),
  // The chaos tests.
  entry(
    "leader_failover_during_writes",
    "chaos",
    "50 acknowledged writes, the leader is killed, a new leader, 50 more writes; all 100 read back (durability).",
    { faults: [], script: "leader_failover_during_writes" }
  ),
  entry(
    "writes_during_election",
    "chaos",
    "The leader is killed and writes go to every surviving replica during the election: at most one accepts, all converge.",
    { faults: [], script: "writes_during_election" }
  ),
  // The bug zoo's hunting scenarios (properties/zoo): each aims its faults at one class of bug, with a short
  // safety phase so that a failure shrinks in seconds. Not from the seed documents.
  zoo(
    "zoo_power_loss_slow_fsync",
    "Power failures of the whole cluster while writes stream in and fsyncs are slow (up to 200 ms): an acknowledgement or a vote sent before its fsync is lost with the page cache.",
    {
      faults: ["powerFailure", "crash"],
      tuning: {
        replicasMin: 3,
        replicasMax: 3,
        keys: 2,
        maxOperations: 40,
        maxFaults: 4,
        swarm: { fsyncMaxMsMax: 200 }
      },
      checks: ["persisted_before_reply"]
    },
    ["durability", "election_safety", "persisted_state_monotonic", "persisted_before_reply", "linearizability"]
  ),
  zoo(
    "zoo_crash_during_elections",
    "Single crashes, most of them aimed at the leader, with slow fsyncs: restarts land in the middle of elections, where a vote that was not durable (or was forgotten) is cast twice.",
    {
      faults: ["crash", "pause"],
      tuning: { replicasMin: 3, replicasMax: 5, maxFaults: 8, maxOperations: 20, swarm: { fsyncMaxMsMax: 100 } },
      checks: ["persisted_before_reply"]
    },
    ["election_safety", "persisted_state_monotonic", "persisted_before_reply"]
  ),
  zoo(
    "zoo_divergent_logs",
    "Five replicas; leaders crash or are cut off with entries only they hold, so elections in later terms meet divergent logs (Raft Figure 8) while clients keep writing.",
    {
      faults: ["crash", "partition", "clog"],
      noisyNetwork: true,
      tuning: { replicasMin: 5, replicasMax: 5, keys: 2, maxFaults: 10, maxOperations: 50, faultLengthMsMax: 1500 }
    },
    ["state_machine_safety", "log_matching", "leader_completeness", "durability"]
  ),
  zoo(
    "zoo_duplicated_votes",
    "A network that duplicates up to half of all messages and reorders them, with pauses and cuts that start concurrent elections in five-replica clusters: one voter must never count twice, a vote from an old term never at all.",
    {
      faults: ["pause", "partition", "clog"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 5,
        replicasMax: 5,
        maxFaults: 10,
        maxOperations: 20,
        swarm: { duplicatePercentMax: 50, reorderPercentMax: 40, delayMaxMsMax: 120 }
      }
    },
    ["election_safety"]
  ),
  zoo(
    "zoo_reordered_appends",
    "Heavy reordering and long delays of AppendEntries and their responses, with crashes: a stale AppendEntries arriving late must never erase entries, a stale response never advance matchIndex.",
    {
      faults: ["crash", "clog"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 3,
        replicasMax: 3,
        keys: 2,
        maxFaults: 6,
        maxOperations: 50,
        swarm: { reorderPercentMax: 60, delayMaxMsMax: 150, lossPercentMax: 5 }
      }
    },
    ["durability", "state_machine_safety", "log_matching"]
  ),
  zoo(
    "zoo_bit_flips",
    "Bit flips in stored WAL records of a crashed replica: a record that fails its checksum must never be recovered, let alone applied.",
    {
      faults: ["corrupt"],
      tuning: { replicasMin: 3, replicasMax: 3, maxFaults: 6, maxOperations: 30, diskFaults: ["bitflip"] }
    },
    ["no_corrupt_record_applied", "state_machine_safety"]
  ),
  zoo(
    "zoo_damaged_tail",
    "A bit flips in the last synced WAL record of a crashed replica, amid crashes that keep elections going, so that record often holds a vote or a new term: taken for a torn write it is cut off and the vote silently forgotten; reported as corruption, the replica recovers knowing it lost something and votes in no election until caught up.",
    {
      faults: ["crash", "corrupt"],
      faultEveryMs: 500,
      tuning: {
        replicasMin: 3,
        replicasMax: 3,
        maxFaults: 14,
        maxOperations: 6,
        diskFaults: ["bitflipTail"],
        swarm: { fsyncMaxMsMax: 100 }
      }
    },
    ["persisted_state_monotonic", "election_safety", "state_machine_safety"]
  ),
  zoo(
    "zoo_stale_reads",
    "Reads (some sent to a named replica, as a client of one node asks it) while the leader is cut off or paused and a new leader takes writes: a read served without confirming leadership, or by a follower, returns stale data.",
    {
      faults: ["partition", "pause", "clog"],
      tuning: {
        replicasMin: 3,
        replicasMax: 3,
        keys: 1,
        maxFaults: 6,
        maxOperations: 60,
        faultLengthMsMax: 3000,
        aimedReads: true
      }
    },
    ["linearizability"]
  ),
  zoo(
    "zoo_client_retries",
    "Leaders crash and messages are lost while clients retry: a retried command must take effect once, and no client may hear success for a write that is then lost.",
    {
      faults: ["crash", "partition"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 3,
        replicasMax: 3,
        keys: 2,
        clients: 4,
        maxFaults: 6,
        maxOperations: 40,
        swarm: { lossPercentMax: 20 }
      }
    },
    ["exactly_once", "linearizability", "durability"]
  ),
  zoo(
    "zoo_partial_partitions",
    "Long partial partitions (one replica cut off, or the leader isolated, for up to 7 s) on a quiet network: a leader cut from its majority steps down (CheckQuorum), and a rejoining replica does not depose a leader of a healthy majority (PreVote).",
    {
      faults: ["partition"],
      tuning: {
        replicasMin: 3,
        replicasMax: 5,
        maxFaults: 3,
        maxOperations: 20,
        faultLengthMsMax: 7000,
        safetyMs: 8000
      },
      checks: ["leader_stability"]
    },
    [...safety, "leader_stability"]
  ),
  zoo(
    "zoo_figure8_batch1",
    "Raft Figure 8 made reachable: one entry per AppendEntries and one batch in flight, five replicas, leaders isolated or crashed with entries only they hold, so a later leader re-replicates entries of earlier terms one round trip at a time before its own no-op.",
    {
      faults: ["crash", "partition", "clog"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 5,
        replicasMax: 5,
        keys: 2,
        maxFaults: 12,
        maxOperations: 60,
        faultLengthMsMax: 2500,
        safetyMs: 5000,
        settleMs: 8000,
        replicaConfig: { maxEntriesPerMessage: 1, maxInflightBatches: 1 },
        swarm: { delayMaxMsMax: 80 }
      }
    },
    ["state_machine_safety", "leader_completeness", "durability"]
  ),
  zoo(
    "zoo_stale_responses",
    "A long tail: up to 15% of messages held back for up to 4 s, with crashes, pauses and cuts that change the leader meanwhile, and one entry per AppendEntries: an append response of an earlier term, or an acknowledgement beyond what was verified, must never count towards a commit.",
    {
      faults: ["crash", "partition", "pause"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 3,
        replicasMax: 5,
        keys: 2,
        maxFaults: 8,
        maxOperations: 40,
        settleMs: 8000,
        replicaConfig: { maxEntriesPerMessage: 1 },
        swarm: { delayMaxMsMax: 60, holdBackPerMilleMax: 150, holdBackMaxMsMax: 4000 }
      }
    },
    ["state_machine_safety", "leader_completeness", "log_matching", "durability"]
  ),
  zoo(
    "zoo_figure8_leader_faults",
    "Raft Figure 8 by trigger: one entry per AppendEntries and one batch in flight, and OnLeader faults that cut off or crash a replica the moment it wins an election (or a few round trips later), so one leader's entry of its term reaches nobody while the next re-replicates entries of earlier terms.",
    {
      faults: ["onLeader", "partition", "crash"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 3,
        replicasMax: 5,
        keys: 2,
        maxFaults: 16,
        maxOperations: 80,
        faultLengthMsMax: 2500,
        safetyMs: 8000,
        settleMs: 8000,
        replicaConfig: {
          maxEntriesPerMessage: 1,
          maxInflightBatches: 1,
          heartbeatIntervalMs: 50,
          electionTimeoutMinMs: 300,
          electionTimeoutMaxMs: 600
        },
        swarm: { delayMaxMsMax: 40, lossPercentMax: 3, duplicatePercentMax: 3 }
      }
    },
    ["state_machine_safety", "leader_completeness", "durability"]
  ),
  zoo(
    "zoo_stale_leader_faults",
    "A long tail with OnLeader faults: up to 20% of messages held back for up to 4 s while new leaders are cut off or crashed soon after they win, so responses and votes of an earlier term arrive after another election; they must never count.",
    {
      faults: ["onLeader", "pause", "partition"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 3,
        replicasMax: 5,
        keys: 2,
        maxFaults: 10,
        maxOperations: 40,
        safetyMs: 5000,
        settleMs: 8000,
        replicaConfig: { maxEntriesPerMessage: 1 },
        swarm: { delayMaxMsMax: 60, holdBackPerMilleMax: 200, holdBackMaxMsMax: 4000 }
      }
    },
    ["election_safety", "state_machine_safety", "leader_completeness", "durability"]
  ),
  zoo(
    "zoo_split_vote_leader_faults",
    "Split votes with a long tail and OnLeader faults: three replicas whose election timeouts fall within 100 ms of each other, so two candidates run in one term; the winner is cut off the moment it wins, steps down by CheckQuorum in that same term and rejoins while the loser still campaigns, and a RequestVote or a vote held back for seconds arrives then. A replica must not vote twice in a term, nor a candidate count a vote of an earlier term.",
    {
      faults: ["onLeader", "partition"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 3,
        replicasMax: 3,
        maxFaults: 10,
        maxOperations: 10,
        safetyMs: 8000,
        settleMs: 8000,
        faultLengthMsMax: 2500,
        replicaConfig: { electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 1100 },
        swarm: { delayMaxMsMax: 40, holdBackPerMilleMax: 300, holdBackMaxMsMax: 2500 }
      }
    },
    ["election_safety"]
  ),
  zoo(
    "zoo_stale_votes",
    "Elections under a long tail: up to 25% of messages held back for up to 3 s while pauses and cuts force new elections in three-replica clusters whose election timeouts fall within 50 ms of each other, so a vote granted in an earlier term arrives during a later candidacy; it must never be counted.",
    {
      faults: ["pause", "partition"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 3,
        replicasMax: 3,
        maxFaults: 8,
        maxOperations: 10,
        settleMs: 8000,
        replicaConfig: { electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 1050 },
        swarm: { delayMaxMsMax: 60, holdBackPerMilleMax: 300, holdBackMaxMsMax: 2500 }
      }
    },
    ["election_safety"]
  ),
  zoo(
    "zoo_split_votes",
    "Split-vote storms: five replicas whose election timeouts fall in a narrow window (1000–1030 ms), high delay variance and a long tail, so several candidates run in one term, losers step down to the winner, and a slow RequestVote of that same term reaches a replica that already voted.",
    {
      faults: ["pause", "partition", "crash"],
      noisyNetwork: true,
      tuning: {
        replicasMin: 5,
        replicasMax: 5,
        maxFaults: 10,
        maxOperations: 10,
        settleMs: 8000,
        replicaConfig: { electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 1030 },
        swarm: { delayMaxMsMax: 150, holdBackPerMilleMax: 100, holdBackMaxMsMax: 2000 }
      }
    },
    ["election_safety"]
  ),
  zoo(
    "zoo_session_eviction",
    "A session table of two entries and six clients on a quiet network: sessions are evicted all the time, and every replica must evict the same one (state_machine_determinism: the same applied prefix, the same session table).",
    {
      faults: [],
      tuning: {
        replicasMin: 3,
        replicasMax: 3,
        keys: 2,
        clients: 6,
        maxOperations: 20,
        replicaConfig: { maxSessions: 2 }
      }
    },
    ["state_machine_determinism", "exactly_once", "linearizability"]
  ),
  // The ledger seed: a ledger workload over few accounts (so operations collide), its history checked against
  // model/ledger's spec, and its invariants judged over what every live replica applied.
  entry(
    "ledger_concurrent_withdrawals",
    "ledger",
    "100 concurrent $10 withdrawals against $100, each from its own client, no expected versions: exactly 10 succeed, 90 are refused, the balance ends at 0 on every replica.",
    { faults: [], script: "ledger_concurrent_withdrawals" },
    [...ledgerInvariants, "scenario_expectation"]
  ),
  entry(
    "ledger_follower_crash_during_writes",
    "ledger",
    "30 keyed $1 withdrawals from $1000, one at a time; a follower is crashed after the tenth and restarted: all 30 are answered, the final read shows $970, the restarted follower catches up.",
    { faults: [], script: "ledger_follower_crash_during_writes" },
    [...ledgerInvariants, "scenario_expectation"]
  ),
  entry(
    "ledger_minority_partition",
    "ledger",
    "Node 3 is cut off while five keyed $10 withdrawals go on: it applies nothing until the heal, all five are answered, the final read shows $50.",
    { faults: [], script: "ledger_minority_partition" },
    [...ledgerInvariants, "scenario_expectation"]
  ),
  entry(
    "ledger_leader_killed_mid_request",
    "ledger",
    "50 keyed $10 withdrawals at once from $1000, the leader killed 20 ms in, clients retrying under their keys; a retry of an answered key later: every withdrawal answered, each key moves money once, the answers step the balance down from $990 to $500.",
    { faults: [], script: "ledger_leader_killed_mid_request" },
    [...ledgerInvariants, "scenario_expectation"]
  ),
  entry(
    "ledger_crash_during_writes",
    "ledger",
    "Replicas (the leader among them) crash and restart during ledger writes: the majority goes on, the restarted replica catches up; money is conserved, no balance goes negative.",
    {
      faults: ["crash"],
      faultEveryMs: 800,
      clients: 4,
      ledger: { accounts: 2, keyedPercent: 50, openingBalance: 1_000 }
    },
    [...safety, ...ledgerInvariants]
  ),
  entry(
    "ledger_partition",
    "ledger",
    "Partitions cut a replica (or the leader) off: the minority cannot commit, the majority goes on; after the heal the replicas converge and the ledger linearizes.",
    {
      faults: ["partition"],
      faultEveryMs: 800,
      clients: 4,
      ledger: { accounts: 2, keyedPercent: 50, openingBalance: 1_000 }
    },
    [...safety, ...ledgerInvariants]
  ),
  entry(
    "ledger_retry_idempotency",
    "ledger",
    "Leaders crash and pause mid-request on a lossy network while clients retry every money movement with its idempotency key: each key moves money at most once (no double spend).",
    {
      faults: ["crash", "pause"],
      noisyNetwork: true,
      faultEveryMs: 600,
      clients: 4,
      ledger: { accounts: 2, keyedPercent: 100, openingBalance: 1_000 }
    },
    [...safety, ...ledgerInvariants]
  )
]
