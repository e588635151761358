/**
 * Deliberate deviations from correct Raft, switchable per replica for the bug zoo and the planted-bug tests.
 * Each is inert unless named in `ReplicaConfig.bugs`, which only tests and the simulator can set.
 */
export const bugNames = [
  "commitOldTermByCounting",
  "voteWithoutLogCheck",
  "ackBeforePersist",
  "quorumOfF"
] as const

export type BugName = (typeof bugNames)[number]
