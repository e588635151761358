/**
 * A live replica's commit index and applied index never decrease. A crash wipes volatile state, so a restart
 * (or an observation of the replica down) starts a new baseline: after it, only the durable prefix matters,
 * and the durability check looks after that.
 */
import type { Monitor } from "./monitor.ts"
import type { ClusterObservation, ModelEvent } from "./observation.ts"
import { collect, type Report } from "./violation.ts"

interface Baseline {
  readonly commitIndex: number
  readonly lastApplied: number
  readonly atMs: number
}

export class VolatileMonotonicityMonitor implements Monitor {
  private readonly baselines = new Map<number, Baseline>()

  readonly record = (event: ModelEvent): void => {
    if (event._tag === "Restarted") this.baselines.delete(event.node)
  }

  readonly observe = (cluster: ClusterObservation, report: Report): void => {
    for (const replica of cluster.replicas) {
      if (!replica.alive) {
        this.baselines.delete(replica.node)
        continue
      }
      const before = this.baselines.get(replica.node)
      if (before !== undefined && replica.commitIndex < before.commitIndex) {
        report(`commit:${replica.node}:${before.atMs}`, {
          invariant: "commit_index_monotonic",
          message: `Node ${replica.node}'s commit index went back from ${before.commitIndex} to ${replica.commitIndex} without a restart.`,
          atMs: cluster.atMs,
          evidence: {
            node: replica.node,
            before: before.commitIndex,
            beforeAtMs: before.atMs,
            after: replica.commitIndex
          }
        })
      }
      if (before !== undefined && replica.lastApplied < before.lastApplied) {
        report(`applied:${replica.node}:${before.atMs}`, {
          invariant: "applied_index_monotonic",
          message: `Node ${replica.node}'s applied index went back from ${before.lastApplied} to ${replica.lastApplied} without a restart.`,
          atMs: cluster.atMs,
          evidence: {
            node: replica.node,
            before: before.lastApplied,
            beforeAtMs: before.atMs,
            after: replica.lastApplied
          }
        })
      }
      this.baselines.set(replica.node, {
        commitIndex: replica.commitIndex,
        lastApplied: replica.lastApplied,
        atMs: cluster.atMs
      })
    }
  }
}

/** Observations and events interleaved by time; at equal times an event comes first (a restart precedes what follows it). */
export type Trace = ReadonlyArray<
  | { readonly _tag: "Observation"; readonly cluster: ClusterObservation }
  | { readonly _tag: "Event"; readonly event: ModelEvent }
>

export const checkVolatileMonotonicity = (trace: Trace) =>
  collect((report) => {
    const monitor = new VolatileMonotonicityMonitor()
    for (const item of trace) {
      if (item._tag === "Event") monitor.record(item.event)
      else monitor.observe(item.cluster, report)
    }
  })
