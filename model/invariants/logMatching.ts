/**
 * Log matching (Raft §5.3): if two logs hold an entry with the same index and term, they hold the same entry
 * there and are identical in every entry before it. Walks whole logs, so the checker runs it as an audit.
 */
import type { Monitor } from "./monitor.ts"
import { type ClusterObservation, entryAt, isCompacted, type LogEntryObservation, type ReplicaObservation } from "./observation.ts"
import { collect, type Report } from "./violation.ts"

const entryEvidence = (entry: LogEntryObservation) => ({ index: entry.index, term: entry.term, digest: entry.digest })

/** The highest index at which both replicas hold an entry of the same term, or 0. */
const highestAgreement = (left: ReplicaObservation, right: ReplicaObservation): number => {
  for (let position = left.log.length - 1; position >= 0; position--) {
    const entry = left.log[position]!
    if (entryAt(right, entry.index)?.term === entry.term) return entry.index
  }
  return 0
}

const comparePair = (left: ReplicaObservation, right: ReplicaObservation, atMs: number, report: Report): void => {
  const agreedThrough = highestAgreement(left, right)
  if (agreedThrough === 0) return
  for (const entry of left.log) {
    if (entry.index > agreedThrough) break
    if (isCompacted(right, entry.index)) continue
    const other = entryAt(right, entry.index)
    if (other !== undefined && other.term === entry.term && other.digest === entry.digest) continue
    report(`${left.node}-${right.node}`, {
      invariant: "log_matching",
      message:
        `Nodes ${left.node} and ${right.node} agree on the entry at index ${agreedThrough} (same term) ` +
        `but differ at index ${entry.index} before it.`,
      atMs,
      evidence: {
        nodes: [left.node, right.node],
        agreedThroughIndex: agreedThrough,
        index: entry.index,
        left: entryEvidence(entry),
        right: other === undefined ? null : entryEvidence(other)
      }
    })
    return
  }
}

export class LogMatchingMonitor implements Monitor {
  readonly audit = (cluster: ClusterObservation, report: Report): void => {
    const replicas = cluster.replicas
    for (let left = 0; left < replicas.length; left++) {
      for (let right = left + 1; right < replicas.length; right++) comparePair(replicas[left]!, replicas[right]!, cluster.atMs, report)
    }
  }
}

export const checkLogMatching = (cluster: ClusterObservation) => collect((report) => new LogMatchingMonitor().audit(cluster, report))
