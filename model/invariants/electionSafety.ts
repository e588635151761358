/**
 * Election safety (Raft §5.2, Figure 3): at most one leader per term, over the whole run, not just at one
 * instant. The monitor remembers the first leader seen for every term.
 */
import type { Monitor } from "./monitor.ts"
import type { ClusterObservation } from "./observation.ts"
import { collect, type Report } from "./violation.ts"

export class ElectionSafetyMonitor implements Monitor {
  private readonly leaderOfTerm = new Map<number, { readonly node: number; readonly atMs: number }>()

  readonly observe = (cluster: ClusterObservation, report: Report): void => {
    for (const replica of cluster.replicas) {
      // A crashed replica's role is whatever it was when it died; it leads nothing.
      if (!replica.alive || replica.role !== "leader") continue
      const first = this.leaderOfTerm.get(replica.term)
      if (first === undefined) {
        this.leaderOfTerm.set(replica.term, { node: replica.node, atMs: cluster.atMs })
        continue
      }
      if (first.node === replica.node) continue
      report(`${replica.term}:${replica.node}`, {
        invariant: "election_safety",
        message: `Nodes ${first.node} and ${replica.node} were both leader of term ${replica.term}.`,
        atMs: cluster.atMs,
        evidence: { term: replica.term, firstLeader: first.node, firstSeenAtMs: first.atMs, secondLeader: replica.node }
      })
    }
  }
}

export const checkElectionSafety = (observations: ReadonlyArray<ClusterObservation>) =>
  collect((report) => {
    const monitor = new ElectionSafetyMonitor()
    for (const cluster of observations) monitor.observe(cluster, report)
  })
