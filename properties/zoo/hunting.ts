/**
 * Where to look for each bug of the zoo: catalog scenarios, most promising first. The campaign tries them
 * round-robin (swarm style: each seed draws its own fault profile inside the scenario), so a bug whose first
 * scenario is a poor fit still gets a share of the budget on the next.
 */
import type { BugName } from "../../src/protocol/bugs.ts"

export const hunting: Readonly<Record<BugName, ReadonlyArray<string>>> = {
  commitOldTermByCounting: ["zoo_figure8_leader_faults"],
  voteWithoutLogCheck: ["zoo_divergent_logs", "zoo_crash_during_elections", "zoo_power_loss_slow_fsync", "combined"],
  votedForNotPersisted: ["zoo_crash_during_elections", "zoo_power_loss_slow_fsync", "crash_during_view_change"],
  voteBeforePersist: ["zoo_power_loss_slow_fsync", "zoo_crash_during_elections"],
  countDuplicateVotes: ["zoo_duplicated_votes", "combined"],
  countStaleVotes: ["zoo_split_vote_leader_faults", "zoo_stale_leader_faults", "zoo_stale_votes"],
  forgetVoteOnStepDown: ["zoo_split_vote_leader_faults", "zoo_split_votes"],
  truncateMatchingEntries: ["zoo_reordered_appends", "zoo_divergent_logs"],
  keepConflictingSuffix: ["zoo_divergent_logs", "combined"],
  acceptStaleResponses: ["zoo_stale_leader_faults", "zoo_stale_responses", "zoo_figure8_leader_faults"],
  matchIndexOffByOne: ["zoo_stale_responses", "zoo_figure8_batch1"],
  ackBeforePersist: ["zoo_power_loss_slow_fsync"],
  replyBeforeCommit: ["zoo_client_retries", "zoo_divergent_logs"],
  readWithoutQuorum: ["zoo_stale_reads", "combined"],
  followerReads: ["zoo_stale_reads"],
  applyBeyondCommit: ["zoo_divergent_logs", "zoo_client_retries"],
  applyCorruptRecords: ["zoo_bit_flips", "corruption_bit_flip"],
  damagedTailAsTorn: ["zoo_damaged_tail"],
  noPreVote: ["zoo_partial_partitions"],
  noCheckQuorum: ["zoo_partial_partitions"],
  noSessionDeduplication: ["zoo_client_retries", "crash_during_commit"],
  evictSessionsNondeterministically: ["zoo_session_eviction"],
  acceptInflatedCommit: ["zoo_divergent_logs", "byzantine_inflated_commit"],
  quorumOfF: ["zoo_divergent_logs", "combined"]
}

/** Every scenario some bug hunts in: the correct replica's campaign runs over these. */
export const huntingScenarios = (): ReadonlyArray<string> => [...new Set(Object.values(hunting).flat())]
