/**
 * The hard state on disk never regresses, across restarts included (Raft §5.1, Figure 2 "updated on stable
 * storage before responding"): the durable term never decreases, and within one durable term a vote once cast
 * never changes, or a replica could vote twice in a term and elect two leaders.
 */
import type { Monitor } from "./monitor.ts"
import type { ClusterObservation, ModelEvent } from "./observation.ts"
import { collect, type Report } from "./violation.ts"

export class PersistedStateMonitor implements Monitor {
  private readonly previous = new Map<
    number,
    { readonly term: number; readonly votedFor: number | null; readonly atMs: number }
  >()

  /** A replica restarted from a damaged disk starts a new record: what it lost, it knows it lost. */
  readonly record = (event: ModelEvent): void => {
    if (event._tag === "Restarted" && event.diskDamaged === true) this.previous.delete(event.node)
  }

  readonly observe = (cluster: ClusterObservation, report: Report): void => {
    for (const replica of cluster.replicas) {
      const now = replica.durable
      const before = this.previous.get(replica.node)
      if (before !== undefined && now.term < before.term) {
        report(`term:${replica.node}:${before.term}`, {
          invariant: "persisted_state_monotonic",
          message: `Node ${replica.node}'s durable term went back from ${before.term} to ${now.term}.`,
          atMs: cluster.atMs,
          evidence: {
            node: replica.node,
            before: { term: before.term, votedFor: before.votedFor, atMs: before.atMs },
            after: { term: now.term, votedFor: now.votedFor }
          }
        })
      } else if (
        before !== undefined &&
        now.term === before.term &&
        before.votedFor !== null &&
        now.votedFor !== before.votedFor
      ) {
        report(`vote:${replica.node}:${now.term}`, {
          invariant: "persisted_state_monotonic",
          message: `Node ${replica.node}'s durable vote in term ${now.term} changed from ${before.votedFor} to ${now.votedFor ?? "none"}.`,
          atMs: cluster.atMs,
          evidence: {
            node: replica.node,
            term: now.term,
            before: before.votedFor,
            beforeAtMs: before.atMs,
            after: now.votedFor
          }
        })
      }
      // Keep the highest state seen, so a regression is reported against what was really on disk.
      if (before === undefined || now.term > before.term || (now.term === before.term && before.votedFor === null)) {
        this.previous.set(replica.node, { term: now.term, votedFor: now.votedFor, atMs: cluster.atMs })
      }
    }
  }
}

export const checkPersistedState = (observations: ReadonlyArray<ClusterObservation>) =>
  collect((report) => {
    const monitor = new PersistedStateMonitor()
    for (const cluster of observations) monitor.observe(cluster, report)
  })
