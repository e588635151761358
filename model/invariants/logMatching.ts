/**
 * Log matching (Raft §5.3): if two logs hold an entry with the same index and term, they hold the same entry
 * there and are identical in every entry before it. Walks whole logs, so the checker runs it as an audit; a
 * pair of logs handed over again as the same (only appended-to) arrays is checked from where the last audit
 * stopped.
 */
import type { Monitor } from "./monitor.ts"
import {
  type ClusterObservation,
  entryAt,
  isCompacted,
  type LogEntryObservation,
  positionAfter,
  type ReplicaObservation
} from "./observation.ts"
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

/** Two logs as last audited, and the index up to which they were found identical. */
interface Audited {
  readonly left: ReadonlyArray<LogEntryObservation>
  readonly right: ReadonlyArray<LogEntryObservation>
  readonly identicalThrough: number
}

/** Returns the index through which the two logs are now known to be identical (0 when they disagree). */
const comparePair = (
  left: ReplicaObservation,
  right: ReplicaObservation,
  atMs: number,
  report: Report,
  checkedThrough: number
): number => {
  const agreedThrough = highestAgreement(left, right)
  if (agreedThrough === 0) return 0
  for (let position = positionAfter(left.log, checkedThrough); position < left.log.length; position++) {
    const entry = left.log[position]!
    if (entry.index <= checkedThrough) continue
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
    return 0
  }
  return agreedThrough
}

export class LogMatchingMonitor implements Monitor {
  /** Per pair of replicas (left + right × 1024), what the last audit established. */
  private readonly audited = new Map<number, Audited>()

  readonly audit = (cluster: ClusterObservation, report: Report): void => {
    const replicas = cluster.replicas
    for (let left = 0; left < replicas.length; left++) {
      for (let right = left + 1; right < replicas.length; right++) {
        const leftReplica = replicas[left]!
        const rightReplica = replicas[right]!
        const key = leftReplica.node + rightReplica.node * 1024
        const previous = this.audited.get(key)
        const unchanged =
          previous !== undefined && previous.left === leftReplica.log && previous.right === rightReplica.log
        const identicalThrough = comparePair(
          leftReplica,
          rightReplica,
          cluster.atMs,
          report,
          unchanged ? previous.identicalThrough : 0
        )
        this.audited.set(key, { left: leftReplica.log, right: rightReplica.log, identicalThrough })
      }
    }
  }
}

export const checkLogMatching = (cluster: ClusterObservation) =>
  collect((report) => new LogMatchingMonitor().audit(cluster, report))
