/**
 * Leader completeness (Raft §5.4): an entry committed in some term is in the log of every leader of every later
 * term. A leader is checked when first seen in its term (cheap, and the moment that matters: it has just won
 * an election) and again at every audit — against the entries learned since its last check while its log is
 * the same (only appended-to) array, against all of them otherwise.
 */
import { CommittedEntries } from "./committedEntries.ts"
import type { Monitor } from "./monitor.ts"
import {
  type ClusterObservation,
  entryAt,
  isCompacted,
  type LogEntryObservation,
  type ReplicaObservation
} from "./observation.ts"
import { collect, type Report } from "./violation.ts"

export class LeaderCompletenessMonitor implements Monitor {
  /** (node, term) pairs already checked, as node + term × 1024 (node ids are below 1024): no string per step. */
  private readonly checkedLeaders = new Set<number>()
  /** Per node, the leader log last checked, its term, and how many learned committed entries it was checked against. */
  private readonly lastCheck = new Map<
    number,
    { readonly term: number; readonly log: ReadonlyArray<LogEntryObservation>; readonly checked: number }
  >()

  constructor(readonly committed: CommittedEntries = new CommittedEntries()) {}

  readonly observe = (cluster: ClusterObservation, report: Report): void => {
    this.committed.learn(cluster, report)
    for (const replica of cluster.replicas) {
      if (!replica.alive || replica.role !== "leader") continue
      const key = replica.node + replica.term * 1024
      if (this.checkedLeaders.has(key)) continue
      this.checkedLeaders.add(key)
      this.checkLeader(replica, cluster.atMs, report)
    }
  }

  readonly audit = (cluster: ClusterObservation, report: Report): void => {
    for (const replica of cluster.replicas) {
      if (replica.alive && replica.role === "leader") this.checkLeader(replica, cluster.atMs, report)
    }
  }

  private checkLeader(leader: ReplicaObservation, atMs: number, report: Report): void {
    const learned = this.committed.learned
    const previous = this.lastCheck.get(leader.node)
    const from =
      previous !== undefined && previous.term === leader.term && previous.log === leader.log ? previous.checked : 0
    this.lastCheck.set(leader.node, { term: leader.term, log: leader.log, checked: learned.length })
    for (let position = from; position < learned.length; position++) {
      const committed = learned[position]!
      if (committed.knownCommittedInTerm >= leader.term || isCompacted(leader, committed.index)) continue
      const held = entryAt(leader, committed.index)
      if (held !== undefined && held.term === committed.term && held.digest === committed.digest) continue
      report(`${leader.node}:${leader.term}:${committed.index}`, {
        invariant: "leader_completeness",
        message:
          `Node ${leader.node}, leader of term ${leader.term}, lacks the entry committed at index ${committed.index} ` +
          `(known committed by node ${committed.node} in term ${committed.knownCommittedInTerm}).`,
        atMs,
        evidence: {
          leader: leader.node,
          leaderTerm: leader.term,
          committed: {
            index: committed.index,
            term: committed.term,
            digest: committed.digest,
            node: committed.node,
            atMs: committed.atMs
          },
          leaderEntry: held === undefined ? null : { index: held.index, term: held.term, digest: held.digest }
        }
      })
    }
  }
}

export const checkLeaderCompleteness = (observations: ReadonlyArray<ClusterObservation>) =>
  collect((report) => {
    const monitor = new LeaderCompletenessMonitor()
    for (const cluster of observations) monitor.observe(cluster, report)
  })
