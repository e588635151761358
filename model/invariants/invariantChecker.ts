/**
 * The incremental checker a host runs alongside a simulation or a container run: `observe` after every step,
 * `record` for each event as it happens, `finish` at the end. Cheap checks run at every observation; whole-log
 * checks run every `auditEveryObservations` observations and at the end.
 *
 * One checker judges every world; a world says which safety invariants it can observe (`invariants`):
 * - the simulator sees everything and runs every safety monitor (the default);
 * - a world that reads each replica's role, term, indexes and durable hard state but not its log or its applies
 *   (the Docker replay and the container scenarios, from /status) runs `invariantsWithoutLogs`: election safety,
 *   commit and applied indexes that never go back without a restart, and persisted state; every other safety
 *   monitor needs logs or applied entries it cannot see.
 * Liveness (model/invariants/liveness.ts) runs in every world once the host says the faults healed: in the
 * options when the heal time is known ahead (the simulator, whose run ends settled: `endsSettled`), or through
 * `healed` when it happens (Docker).
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
import type { InvariantName } from "./names.ts"
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
  /** Liveness checks run at `finish` only when this is given (or `healed` is called): when faults healed. */
  readonly liveness?: LivenessOptions
  /**
   * The safety invariants this world can observe (default: all of them). A monitor runs when it judges one of
   * them; a name no safety monitor judges is refused.
   */
  readonly invariants?: ReadonlyArray<SafetyInvariant>
}

const defaultAuditEveryObservations = 64
const noViolations: ReadonlyArray<Violation> = Object.freeze([])

/** The safety monitors, each with the invariants it judges. */
const safetyMonitorTable = [
  { judges: ["election_safety"], make: () => new ElectionSafetyMonitor() },
  { judges: ["log_matching"], make: () => new LogMatchingMonitor() },
  { judges: ["leader_completeness"], make: () => new LeaderCompletenessMonitor() },
  { judges: ["state_machine_safety"], make: () => new StateMachineSafetyMonitor() },
  { judges: ["state_machine_determinism"], make: () => new StateMachineDeterminismMonitor() },
  {
    judges: ["commit_index_monotonic", "applied_index_monotonic"],
    make: () => new VolatileMonotonicityMonitor()
  },
  { judges: ["persisted_state_monotonic"], make: () => new PersistedStateMonitor() },
  { judges: ["durability"], make: () => new DurabilityMonitor() },
  { judges: ["exactly_once"], make: () => new ExactlyOnceMonitor() },
  { judges: ["no_corrupt_record_applied"], make: () => new CorruptRecordMonitor() }
] as const satisfies ReadonlyArray<{ readonly judges: ReadonlyArray<InvariantName>; readonly make: () => Monitor }>

/** The invariants a safety monitor judges: what `invariants` may select. */
export type SafetyInvariant = (typeof safetyMonitorTable)[number]["judges"][number]

/** The liveness invariants, judged once the faults healed. */
export const livenessInvariants = [
  "leader_after_heal",
  "operations_completed",
  "replicas_converged"
] as const satisfies ReadonlyArray<InvariantName>

/**
 * What a world that reads each replica's role, term, commit and applied indexes and durable hard state, but not
 * its log nor the entries it applies, can judge (the Docker replay reads /status).
 */
export const invariantsWithoutLogs: ReadonlyArray<SafetyInvariant> = [
  "election_safety",
  "commit_index_monotonic",
  "applied_index_monotonic",
  "persisted_state_monotonic"
]

const allSafetyInvariants: ReadonlyArray<SafetyInvariant> = safetyMonitorTable.flatMap((entry) => entry.judges)

export const safetyMonitors = (invariants: ReadonlyArray<SafetyInvariant> = allSafetyInvariants): Array<Monitor> => {
  const known = new Set<string>(allSafetyInvariants)
  for (const name of invariants) if (!known.has(name)) throw new RangeError(`no safety monitor judges ${name}`)
  const selected = new Set<string>(invariants)
  return safetyMonitorTable
    .filter((entry) => entry.judges.some((name) => selected.has(name)))
    .map((entry) => entry.make())
}

export const livenessMonitors = (options: LivenessOptions): Array<Monitor> => [
  new LeaderAfterHealMonitor(options),
  new PendingOperationsMonitor(options),
  new ConvergenceMonitor()
]

export class InvariantChecker {
  private readonly log = new ViolationLog()
  private readonly monitors: Array<Monitor>
  private readonly auditEveryObservations: number
  /** The invariants this checker rules on, in the order of the closed union's groups: safety, then liveness. */
  private readonly judgedNames: Array<InvariantName>
  private livenessStarted: boolean
  private observations = 0
  private finished = false

  constructor(options: InvariantCheckerOptions = {}) {
    this.auditEveryObservations = options.auditEveryObservations ?? defaultAuditEveryObservations
    if (!(this.auditEveryObservations >= 1)) throw new RangeError("auditEveryObservations should be at least 1")
    const invariants = options.invariants ?? allSafetyInvariants
    this.monitors = safetyMonitors(invariants)
    this.judgedNames = allSafetyInvariants.filter((name) => invariants.includes(name))
    this.livenessStarted = false
    if (options.liveness !== undefined) this.healed(options.liveness)
  }

  /** Every invariant this checker rules on: no violation of one of these means it held in this run. */
  get judged(): ReadonlyArray<InvariantName> {
    return this.judgedNames
  }

  /** The faults healed: the liveness checks start now, for a host that learns the heal time only as it happens. */
  healed(options: LivenessOptions): void {
    this.assertOpen()
    assert(!this.livenessStarted, "InvariantChecker is told of the heal once")
    this.livenessStarted = true
    this.monitors.push(...livenessMonitors(options))
    this.judgedNames.push(...livenessInvariants)
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
