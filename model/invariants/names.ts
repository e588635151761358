/**
 * Every name a judgement can carry, in one closed union: the simulator, the property suite and the Docker replay
 * report violations under these names and no others, so that "did the replay reproduce the counterexample?" is
 * an equality test, never a guess. Adding a check means adding its name here first.
 */
import { Schema } from "effect"

export const invariantNames = [
  // Safety (Raft Figure 3 and §5.4), model/invariants.
  "election_safety",
  "log_matching",
  "leader_completeness",
  "state_machine_safety",
  "state_machine_determinism",
  "commit_index_monotonic",
  "applied_index_monotonic",
  "persisted_state_monotonic",
  "persisted_before_reply",
  "durability",
  "exactly_once",
  "no_corrupt_record_applied",
  // Liveness after the heal, model/invariants/liveness.ts; leader_stability is the bug zoo's.
  "leader_after_heal",
  "operations_completed",
  "replicas_converged",
  "leader_stability",
  // Histories, model/linearizability and model/ledger.
  "linearizability",
  "history_well_formed",
  "ledger_balance_negative",
  "ledger_money_conserved",
  "ledger_idempotency",
  "ledger_linearizability",
  "ledger_history_well_formed",
  // The run itself: a replica assertion, a cap hit, a scripted scenario's own expectation, a thrown property.
  "assertion_failure",
  "run_completed",
  "scenario_expectation",
  "property"
] as const

export type InvariantName = (typeof invariantNames)[number]

export const InvariantName = Schema.Literal(...invariantNames)
