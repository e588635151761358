/**
 * The bug zoo: deliberate deviations from correct Raft that real systems or the literature have shipped,
 * each switchable per replica through `ReplicaConfig.bugs`. Inert unless named there, which only tests and
 * the simulator can do: the node's command line has no way to set it.
 */
export interface BugDescription {
  readonly name: string
  /** What the code does wrong. */
  readonly description: string
  /** The invariant this bug should break (model/ names). */
  readonly invariant: string
  /** Where the bug comes from. */
  readonly origin: string
  /** Bugs whose effect is on a host path (fsync, disk recovery) rather than inside step. */
  readonly hostPath: boolean
}

const bug = (
  name: string,
  description: string,
  invariant: string,
  origin: string,
  hostPath = false
): BugDescription => ({ name, description, invariant, origin, hostPath })

export const bugCatalog = [
  bug(
    "commitOldTermByCounting",
    "commits an entry of an earlier term once a majority holds it",
    "state_machine_safety",
    "Raft paper §5.4.2, Figure 8"
  ),
  bug(
    "voteWithoutLogCheck",
    "grants votes without the up-to-date log check",
    "leader_completeness",
    "Raft §5.4.1; seen in early toy implementations"
  ),
  bug(
    "votedForNotPersisted",
    "persists the term but not votedFor, so a restart can vote twice in a term",
    "election_safety",
    "etcd-raft issue history; LogCabin notes on durable votes"
  ),
  bug(
    "voteBeforePersist",
    "sends a granted vote before the vote is durable",
    "election_safety",
    "hashicorp/raft and etcd async-storage discussions"
  ),
  bug(
    "countDuplicateVotes",
    "counts the same voter twice when a response is duplicated",
    "election_safety",
    "duplicated-packet bugs found by Jepsen-style testing"
  ),
  bug(
    "countStaleVotes",
    "counts vote responses from earlier terms",
    "election_safety",
    "MIT 6.824 students' most common election bug"
  ),
  bug(
    "forgetVoteOnStepDown",
    "clears votedFor on stepping down even when the term is unchanged",
    "election_safety",
    "Raft thesis §3.4; a classic votedFor reset bug"
  ),
  bug(
    "truncateMatchingEntries",
    "truncates the log on an AppendEntries whose entries already match",
    "durability",
    'Raft §5.3 ("if an existing entry conflicts"); stale reordered AppendEntries erase entries'
  ),
  bug(
    "keepConflictingSuffix",
    "overwrites conflicting entries in place but keeps the stale suffix after them",
    "log_matching",
    "Raft §5.3 step 3 omitted"
  ),
  bug(
    "acceptStaleResponses",
    "advances matchIndex and commitIndex from responses of an earlier term",
    "state_machine_safety",
    "etcd-raft's term checks on MsgAppResp"
  ),
  bug(
    "matchIndexOffByOne",
    "acknowledges one entry more than the consistency check verified",
    "state_machine_safety",
    "an off-by-one in matchIndex"
  ),
  bug(
    "ackBeforePersist",
    "acknowledges appends and votes before their fsync",
    "durability",
    "stores that reply before fsync (the ALICE and Jepsen findings)",
    true
  ),
  bug(
    "replyBeforeCommit",
    "answers a client as soon as the leader appends, before commit",
    "linearizability",
    "leaders that acknowledge on local append"
  ),
  bug(
    "readWithoutQuorum",
    "serves reads from the leader without confirming leadership",
    "linearizability",
    "the stale read Jepsen found in etcd and Consul"
  ),
  bug(
    "followerReads",
    "lets followers answer reads from their local state",
    "linearizability",
    "follower reads without ReadIndex or leases"
  ),
  bug(
    "applyBeyondCommit",
    "applies entries past commitIndex",
    "state_machine_safety",
    "Raft §5.3; applying uncommitted entries"
  ),
  bug(
    "applyCorruptRecords",
    "recovers records that failed their checksum as if they were valid",
    "no_corrupt_record_applied",
    "protocol-aware recovery (Alagappan et al., FAST 2018)",
    true
  ),
  bug(
    "damagedTailAsTorn",
    "takes a damaged but complete last WAL record for a torn write and cuts it off, as if it had never been synced",
    "persisted_state_monotonic",
    "issue 13: a bit flip in the last fsynced record silently forgot an acknowledged vote",
    true
  ),
  bug(
    "noPreVote",
    "campaigns without PreVote, so a rejoining node deposes a stable leader",
    "leader_stability",
    "Raft thesis §9.6; the 2020 Cloudflare outage"
  ),
  bug(
    "noCheckQuorum",
    "a leader never steps down when it loses its majority",
    "leader_stability",
    "Raft thesis §6.2; etcd CheckQuorum"
  ),
  bug("noSessionDeduplication", "re-executes a retried client command", "exactly_once", "Raft thesis §6.3"),
  bug(
    "evictSessionsNondeterministically",
    "evicts a session chosen by replica-local information",
    "state_machine_determinism",
    "session tables that diverge across replicas"
  ),
  bug(
    "acceptInflatedCommit",
    "sets commitIndex from leaderCommit beyond the entries an AppendEntries carries",
    "state_machine_safety",
    'Raft Figure 2 "min(leaderCommit, index of last new entry)"; the VOPR\'s inflated-commit attack'
  ),
  bug("quorumOfF", "uses a quorum of f instead of f + 1", "election_safety", "a quorum arithmetic error")
] as const satisfies ReadonlyArray<BugDescription>

export type BugName = (typeof bugCatalog)[number]["name"]

export const bugNames: ReadonlyArray<BugName> = bugCatalog.map((entry) => entry.name)

export const isBugName = (name: string): name is BugName => (bugNames as ReadonlyArray<string>).includes(name)
