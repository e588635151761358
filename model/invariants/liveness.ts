/**
 * Liveness, judged once every fault has healed (the VOPR's liveness mode): a leader within a bound, no client
 * operation left pending, and all live replicas converged on the same applied index. A host that watches every
 * step feeds the monitors; a host that has only the end of the run (the property suite's judge) calls the
 * end-state functions at the bottom, which carry the same names.
 */
import type { HistoryEvent } from "../linearizability/history.ts"
import type { Monitor } from "./monitor.ts"
import type { ClusterObservation, ModelEvent } from "./observation.ts"
import { collect, type Report } from "./violation.ts"

export interface LivenessOptions {
  /** When the last fault was healed. */
  readonly healedAtMs: number
  /** A leader must be seen within this long after the heal. */
  readonly leaderWithinMs: number
}

/** A live leader whose term is the highest among live replicas: one that the others will follow. */
const hasAuthoritativeLeader = (cluster: ClusterObservation): boolean => {
  const live = cluster.replicas.filter((replica) => replica.alive)
  const highestTerm = Math.max(...live.map((replica) => replica.term))
  return live.some((replica) => replica.role === "leader" && replica.term === highestTerm)
}

export class LeaderAfterHealMonitor implements Monitor {
  private leaderSeenAtMs: number | null = null

  constructor(private readonly options: LivenessOptions) {}

  readonly observe = (cluster: ClusterObservation): void => {
    const deadline = this.options.healedAtMs + this.options.leaderWithinMs
    if (this.leaderSeenAtMs !== null || cluster.atMs < this.options.healedAtMs || cluster.atMs > deadline) return
    if (hasAuthoritativeLeader(cluster)) this.leaderSeenAtMs = cluster.atMs
  }

  /** Reports only when the run lasted past the deadline: a shorter run cannot tell. */
  readonly finish = (cluster: ClusterObservation, report: Report): void => {
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

  readonly record = (event: ModelEvent): void => {
    if (event._tag !== "ClientInvoked" && event._tag !== "ClientAcknowledged" && event._tag !== "ClientFailed") return
    const key = JSON.stringify([event.clientId, event.sequence])
    if (event._tag === "ClientInvoked")
      this.pending.set(key, { clientId: event.clientId, sequence: event.sequence, atMs: event.atMs })
    else this.pending.delete(key)
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

export const checkOperationsCompleted = (events: ReadonlyArray<ModelEvent>, finalCluster: ClusterObservation) =>
  collect((report) => {
    const monitor = new PendingOperationsMonitor()
    for (const event of events) monitor.record(event)
    monitor.finish(finalCluster, report)
  })

export const checkConvergence = (finalCluster: ClusterObservation) =>
  collect((report) => new ConvergenceMonitor().finish(finalCluster, report))

/** The final cluster has a leader the others follow (the end-state form of leader_after_heal). */
export const checkLeaderAtEnd = (finalCluster: ClusterObservation) =>
  collect((report) => {
    if (hasAuthoritativeLeader(finalCluster)) return
    const live = finalCluster.replicas.filter((replica) => replica.alive)
    const roles = live.map((replica) => `n${replica.node} ${replica.role} term ${replica.term}`).join(", ")
    report("leader", {
      invariant: "leader_after_heal",
      message: `no leader at the end of the liveness phase (${roles})`,
      atMs: finalCluster.atMs,
      evidence: { finalRoles: live.map((replica) => ({ node: replica.node, role: replica.role, term: replica.term })) }
    })
  })

/** What liveness reads of a client history: who invoked, and how each operation ended. */
export type HistoryOutcome = Pick<HistoryEvent<unknown, unknown>, "_tag" | "process" | "atTime">

export interface HistoryCompletionOptions extends LivenessOptions {
  /** Names the history in messages ("key-value", "ledger"). */
  readonly what: string
  readonly endMs: number
}

/**
 * operations_completed over a recorded history: an operation invoked once a leader had time to emerge after the
 * heal must end ok or failed, never unknown, and no operation may be left without an outcome at the end.
 */
export const checkHistoryCompleted = (history: ReadonlyArray<HistoryOutcome>, options: HistoryCompletionOptions) =>
  collect((report) => {
    const invokedAt = new Map<number, number>()
    const ended = new Set<number>()
    for (const event of history) {
      if (event._tag === "Invoke") {
        invokedAt.set(event.process, event.atTime)
        ended.delete(event.process)
        continue
      }
      ended.add(event.process)
      const at = invokedAt.get(event.process) ?? 0
      if (event._tag !== "Unknown" || at < options.healedAtMs + options.leaderWithinMs) continue
      report(`unknown:${event.process}:${at}`, {
        invariant: "operations_completed",
        message: `process ${event.process}'s ${options.what} operation invoked at ${at} ms never completed after the heal`,
        atMs: event.atTime,
        evidence: { process: event.process, invokedAtMs: at, healedAtMs: options.healedAtMs }
      })
    }
    const open = [...invokedAt.keys()].filter((process) => !ended.has(process))
    if (open.length === 0) return
    report("pending", {
      invariant: "operations_completed",
      message: `${open.length} ${options.what} operation(s) were still pending at the end`,
      atMs: options.endMs,
      evidence: { processes: open.slice(0, pendingListedMax) }
    })
  })
