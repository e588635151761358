/**
 * The incremental checker a host runs alongside a simulation or a container run: `observe` after every step,
 * `record` for each event as it happens, `finish` at the end. Cheap checks run at every observation; whole-log
 * checks run every `auditEveryObservations` observations and at the end.
 */
import { DurabilityMonitor, CorruptRecordMonitor, ExactlyOnceMonitor } from "./clientSessions.ts"
import { ElectionSafetyMonitor } from "./electionSafety.ts"
import { LeaderCompletenessMonitor } from "./leaderCompleteness.ts"
import {
  ConvergenceMonitor,
  LeaderAfterHealMonitor,
  type LivenessOptions,
  PendingOperationsMonitor
} from "./liveness.ts"
import { LogMatchingMonitor } from "./logMatching.ts"
import type { Monitor } from "./monitor.ts"
import type { ClusterObservation, ModelEvent } from "./observation.ts"
import { PersistedStateMonitor } from "./persistedState.ts"
import { StateMachineDeterminismMonitor } from "./stateMachineDeterminism.ts"
import { StateMachineSafetyMonitor } from "./stateMachineSafety.ts"
import { type Violation, ViolationLog } from "./violation.ts"
import { VolatileMonotonicityMonitor } from "./volatileMonotonicity.ts"
import { assert } from "../../src/assert.ts"

export interface InvariantCheckerOptions {
  /** How often the whole-log checks run (default 64); they always run at `finish`. */
  readonly auditEveryObservations?: number
  /** Liveness checks run at `finish` only when this is given: the host says when faults healed. */
  readonly liveness?: LivenessOptions
}

const defaultAuditEveryObservations = 64
const noViolations: ReadonlyArray<Violation> = Object.freeze([])

export const safetyMonitors = (): Array<Monitor> => [
  new ElectionSafetyMonitor(),
  new LogMatchingMonitor(),
  new LeaderCompletenessMonitor(),
  new StateMachineSafetyMonitor(),
  new StateMachineDeterminismMonitor(),
  new VolatileMonotonicityMonitor(),
  new PersistedStateMonitor(),
  new DurabilityMonitor(),
  new ExactlyOnceMonitor(),
  new CorruptRecordMonitor()
]

export const livenessMonitors = (options: LivenessOptions): Array<Monitor> => [
  new LeaderAfterHealMonitor(options),
  new PendingOperationsMonitor(),
  new ConvergenceMonitor()
]

export class InvariantChecker {
  private readonly log = new ViolationLog()
  private readonly monitors: ReadonlyArray<Monitor>
  private readonly auditEveryObservations: number
  private observations = 0
  private finished = false

  constructor(options: InvariantCheckerOptions = {}) {
    this.auditEveryObservations = options.auditEveryObservations ?? defaultAuditEveryObservations
    if (!(this.auditEveryObservations >= 1)) throw new RangeError("auditEveryObservations should be at least 1")
    this.monitors = [...safetyMonitors(), ...(options.liveness === undefined ? [] : livenessMonitors(options.liveness))]
  }

  /** All violations so far, each fact once, in the order found. */
  get violations(): ReadonlyArray<Violation> {
    return this.log.violations
  }

  /** Checks one cluster observation; returns the violations it revealed. */
  observe(cluster: ClusterObservation): ReadonlyArray<Violation> {
    this.assertOpen()
    const before = this.log.violations.length
    this.observations++
    for (const monitor of this.monitors) monitor.observe?.(cluster, this.log.report)
    if (this.observations % this.auditEveryObservations === 0) {
      for (const monitor of this.monitors) monitor.audit?.(cluster, this.log.report)
    }
    return this.newSince(before)
  }

  /** Checks one event; returns the violations it revealed. */
  record(event: ModelEvent): ReadonlyArray<Violation> {
    this.assertOpen()
    const before = this.log.violations.length
    for (const monitor of this.monitors) monitor.record?.(event, this.log.report)
    return this.newSince(before)
  }

  /** Runs the end-of-run checks on the final cluster; returns every violation of the run. */
  finish(finalCluster: ClusterObservation): ReadonlyArray<Violation> {
    this.assertOpen()
    for (const monitor of this.monitors) monitor.observe?.(finalCluster, this.log.report)
    for (const monitor of this.monitors) monitor.audit?.(finalCluster, this.log.report)
    for (const monitor of this.monitors) monitor.finish?.(finalCluster, this.log.report)
    this.finished = true
    return this.log.violations
  }

  /** The violations found since the log held `before`; nearly always none, and then no array is made. */
  private newSince(before: number): ReadonlyArray<Violation> {
    return this.log.violations.length === before ? noViolations : this.log.violations.slice(before)
  }

  private assertOpen(): void {
    assert(!this.finished, "InvariantChecker is fed nothing after finish()")
  }
}
