/**
 * Liveness, judged once every fault has healed (the VOPR's liveness mode): a leader within a bound, no client
 * operation left pending, and all live replicas converged on the same applied index. Every host feeds these
 * monitors through its InvariantChecker; a run that ends settled (`endsSettled`, the simulator) is also held to a
 * leader in its final cluster and to no operation ending unknown once a leader had time to emerge.
 */
import type { Monitor } from "./monitor.ts"
import type { ClusterObservation, ModelEvent } from "./observation.ts"
import { collect, type Report } from "./violation.ts"

export interface LivenessOptions {
  /** When the last fault was healed. */
  readonly healedAtMs: number
  /** A leader must be seen within this long after the heal. */
  readonly leaderWithinMs: number
  /**
   * The run ends settled and stamps every event with its own time (the simulator ends once every step has run and
   * every client is idle, and its liveness phase may be shorter than `leaderWithinMs`): its final cluster must
   * have a leader the others follow, instead of a leader seen by the deadline, and an operation invoked once a
   * leader had time to emerge must not end unknown. A host that hands over its histories only at the end (the
   * Docker replay) leaves it off.
   */
  readonly endsSettled?: boolean
}

/** A live leader whose term is the highest among live replicas: one that the others will follow. */
const hasAuthoritativeLeader = (cluster: ClusterObservation): boolean => {
  const live = cluster.replicas.filter((replica) => replica.alive)
  const highestTerm = Math.max(...live.map((replica) => replica.term))
  return live.some((replica) => replica.role === "leader" && replica.term === highestTerm)
}

/** The final cluster of a settled run has a leader the others follow. */
const reportNoLeaderAtEnd = (finalCluster: ClusterObservation, report: Report): void => {
  if (hasAuthoritativeLeader(finalCluster)) return
  const live = finalCluster.replicas.filter((replica) => replica.alive)
  const roles = live.map((replica) => `n${replica.node} ${replica.role} term ${replica.term}`).join(", ")
  report("leaderAtEnd", {
    invariant: "leader_after_heal",
    message: `no leader at the end of the liveness phase (${roles})`,
    atMs: finalCluster.atMs,
    evidence: { finalRoles: live.map((replica) => ({ node: replica.node, role: replica.role, term: replica.term })) }
  })
}

export class LeaderAfterHealMonitor implements Monitor {
  private leaderSeenAtMs: number | null = null

  constructor(private readonly options: LivenessOptions) {}

  readonly observe = (cluster: ClusterObservation): void => {
    if (this.options.endsSettled === true) return
    const deadline = this.options.healedAtMs + this.options.leaderWithinMs
    if (this.leaderSeenAtMs !== null || cluster.atMs < this.options.healedAtMs || cluster.atMs > deadline) return
    if (hasAuthoritativeLeader(cluster)) this.leaderSeenAtMs = cluster.atMs
  }

  /**
   * A run that ends settled is judged on its final cluster. Otherwise the deadline is judged, only when the run
   * lasted past it: a shorter run cannot tell.
   */
  readonly finish = (cluster: ClusterObservation, report: Report): void => {
    if (this.options.endsSettled === true) return reportNoLeaderAtEnd(cluster, report)
    this.observe(cluster)
    const deadline = this.options.healedAtMs + this.options.leaderWithinMs
    if (this.leaderSeenAtMs !== null || cluster.atMs < deadline) return
    report("leader", {
      invariant: "leader_after_heal",
      message: `No leader was elected within ${this.options.leaderWithinMs} ms of the heal at ${this.options.healedAtMs} ms.`,
      atMs: deadline,
      evidence: {
        healedAtMs: this.options.healedAtMs,
        leaderWithinMs: this.options.leaderWithinMs,
        finalRoles: cluster.replicas.map((replica) => ({
          node: replica.node,
          alive: replica.alive,
          role: replica.role,
          term: replica.term
        }))
      }
    })
  }
}

/** At most this many pending operations are listed in the evidence. */
const pendingListedMax = 20

export class PendingOperationsMonitor implements Monitor {
  private readonly pending = new Map<
    string,
    { readonly clientId: string; readonly sequence: number; readonly atMs: number }
  >()

  /** Without options (or `endsSettled`), only the operations left pending at the end are reported. */
  constructor(private readonly options?: LivenessOptions) {}

  readonly record = (event: ModelEvent, report: Report): void => {
    if (event._tag !== "ClientInvoked" && event._tag !== "ClientAcknowledged" && event._tag !== "ClientFailed") return
    const key = JSON.stringify([event.clientId, event.sequence])
    if (event._tag === "ClientInvoked") {
      this.pending.set(key, { clientId: event.clientId, sequence: event.sequence, atMs: event.atMs })
      return
    }
    const invoked = this.pending.get(key)
    this.pending.delete(key)
    if (event._tag === "ClientFailed" && event.reason === "unknown" && invoked !== undefined)
      this.unknownAfterHeal(invoked, event.atMs, report)
  }

  /** In a settled run, an operation invoked once a leader had time to emerge must end ok or failed. */
  private unknownAfterHeal(
    invoked: { readonly clientId: string; readonly sequence: number; readonly atMs: number },
    endedAtMs: number,
    report: Report
  ): void {
    const options = this.options
    if (options?.endsSettled !== true || invoked.atMs < options.healedAtMs + options.leaderWithinMs) return
    report(`unknown:${invoked.clientId}:${invoked.sequence}`, {
      invariant: "operations_completed",
      message: `client ${invoked.clientId}'s operation ${invoked.sequence} invoked at ${invoked.atMs} ms never completed after the heal`,
      atMs: endedAtMs,
      evidence: {
        clientId: invoked.clientId,
        sequence: invoked.sequence,
        invokedAtMs: invoked.atMs,
        healedAtMs: options.healedAtMs
      }
    })
  }

  readonly finish = (cluster: ClusterObservation, report: Report): void => {
    if (this.pending.size === 0) return
    const pending = [...this.pending.values()]
    report("pending", {
      invariant: "operations_completed",
      message: `${pending.length} client operation(s) neither completed nor failed by the end of the run.`,
      atMs: cluster.atMs,
      evidence: {
        count: pending.length,
        pending: pending.slice(0, pendingListedMax).map((operation) => ({ ...operation, invokedAtMs: operation.atMs }))
      }
    })
  }
}

export class ConvergenceMonitor implements Monitor {
  readonly finish = (cluster: ClusterObservation, report: Report): void => {
    const live = cluster.replicas.filter((replica) => replica.alive)
    const appliedIndexes = new Set(live.map((replica) => replica.lastApplied))
    if (appliedIndexes.size <= 1) return
    report("converged", {
      invariant: "replicas_converged",
      message: `Live replicas ended on different applied indexes: ${live.map((replica) => `node ${replica.node} at ${replica.lastApplied}`).join(", ")}.`,
      atMs: cluster.atMs,
      evidence: {
        appliedIndexes: live.map((replica) => ({
          node: replica.node,
          lastApplied: replica.lastApplied,
          commitIndex: replica.commitIndex
        }))
      }
    })
  }
}

export const checkLeaderAfterHeal = (observations: ReadonlyArray<ClusterObservation>, options: LivenessOptions) =>
  collect((report) => {
    const monitor = new LeaderAfterHealMonitor(options)
    const last = observations[observations.length - 1]
    for (const cluster of observations) monitor.observe(cluster)
    if (last !== undefined) monitor.finish(last, report)
  })

export const checkOperationsCompleted = (
  events: ReadonlyArray<ModelEvent>,
  finalCluster: ClusterObservation,
  options?: LivenessOptions
) =>
  collect((report) => {
    const monitor = new PendingOperationsMonitor(options)
    for (const event of events) monitor.record(event, report)
    monitor.finish(finalCluster, report)
  })

export const checkConvergence = (finalCluster: ClusterObservation) =>
  collect((report) => new ConvergenceMonitor().finish(finalCluster, report))
