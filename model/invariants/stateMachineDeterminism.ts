/**
 * State machine determinism (Raft §5.4.3 and thesis §6.3: the state machine, its client session table
 * included, is a deterministic function of the applied prefix). Replicas that have applied the same prefix of
 * the log must hold the same applied state. State machine safety says they applied the same entries; this says
 * the entries did the same thing — a session evicted by replica-local information, or a command executed on one
 * replica and deduplicated on another, makes the states diverge while every log still matches.
 *
 * The host supplies `appliedStateDigest`: any stable string of the state at `lastApplied` (the simulator folds
 * in, per applied entry, whether it executed, and the session table). The first digest seen at an index is the
 * reference; every replica seen later at that index must match it.
 */
import type { Monitor } from "./monitor.ts"
import type { ClusterObservation } from "./observation.ts"
import { collect, type Report } from "./violation.ts"

interface FirstDigest {
  readonly node: number
  readonly digest: string
  readonly atMs: number
}

export class StateMachineDeterminismMonitor implements Monitor {
  private readonly digestAt = new Map<number, FirstDigest>()

  readonly observe = (cluster: ClusterObservation, report: Report): void => {
    for (const replica of cluster.replicas) {
      const digest = replica.appliedStateDigest
      if (!replica.alive || digest === undefined || replica.lastApplied === 0) continue
      const index = replica.lastApplied
      const first = this.digestAt.get(index)
      if (first === undefined) {
        this.digestAt.set(index, { node: replica.node, digest, atMs: cluster.atMs })
        continue
      }
      if (first.digest === digest) continue
      report(`determinism:${index}:${replica.node}`, {
        invariant: "state_machine_determinism",
        message: `Node ${replica.node} and node ${first.node} applied the same ${index} entries but hold different states (${digest} vs ${first.digest}).`,
        atMs: cluster.atMs,
        evidence: {
          index,
          first: { node: first.node, digest: first.digest, atMs: first.atMs },
          second: { node: replica.node, digest, atMs: cluster.atMs }
        }
      })
    }
  }
}

export const checkStateMachineDeterminism = (observations: ReadonlyArray<ClusterObservation>) =>
  collect((report) => {
    const monitor = new StateMachineDeterminismMonitor()
    for (const cluster of observations) monitor.observe(cluster, report)
  })
