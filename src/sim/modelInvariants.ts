/**
 * model/'s protocol invariants, fed by the simulator: after every replica step a ClusterObservation (cheap to
 * build: each replica's observed log is extended in place as entries are appended, and rebuilt only after a
 * truncation), and the events as they happen (applies, restarts, client invocations and acknowledgements).
 * Given the heal, the same checker judges liveness too; its liveness violations are handed back apart from the
 * safety ones, at the end, so that they neither stop the run nor enter its trace.
 */
import { InvariantChecker, livenessInvariants } from "../../model/invariants/invariantChecker.ts"
import type { LivenessOptions } from "../../model/invariants/liveness.ts"
import type {
  ClusterObservation,
  LogEntryObservation,
  ModelEvent,
  ReplicaObservation
} from "../../model/invariants/observation.ts"
import type { Violation as ModelViolation } from "../../model/invariants/violation.ts"
import { entryDigest, type Entry } from "../protocol/entry.ts"
import { emptyLog, entryAt, type Log } from "../protocol/log.ts"
import type { ReplicaState } from "../protocol/state.ts"
import { AppliedStateDigest } from "./appliedDigest.ts"
import type { SimReplica } from "./replica.ts"

/** The end of the run as the checker judged it: safety violations, and liveness ones when the heal was given. */
export interface ModelFinish {
  readonly safety: ReadonlyArray<ModelViolation>
  readonly liveness: ReadonlyArray<ModelViolation>
}

const livenessNames: ReadonlySet<string> = new Set(livenessInvariants)

const isLiveness = (violation: ModelViolation): boolean => livenessNames.has(violation.invariant)

/** The safety violations among a few new ones (nearly always none: then the same empty array). */
const safetyOnly = (violations: ReadonlyArray<ModelViolation>): ReadonlyArray<ModelViolation> =>
  violations.length === 0 ? violations : violations.filter((violation) => !isLiveness(violation))

interface LogCache {
  log: Log
  observed: Array<LogEntryObservation>
}

export class ModelInvariants {
  readonly checker: InvariantChecker
  private readonly caches = new Map<number, LogCache>()
  private readonly lastSequenceApplied = new Map<number, Map<string, number>>()
  private readonly appliedDigests = new Map<number, AppliedStateDigest>()
  /**
   * Entries are immutable and shared between replicas in the simulator: each is turned into a digest once. A Map
   * rather than a WeakMap: it lives for one run, and a large WeakMap costs every garbage collection.
   */
  private readonly digests = new Map<Entry, string>()

  /** With `liveness`, the checker also judges the phase after the heal (model/invariants/liveness.ts). */
  constructor(
    private readonly replicas: ReadonlyArray<SimReplica>,
    liveness?: LivenessOptions
  ) {
    this.checker = new InvariantChecker(liveness === undefined ? {} : { liveness })
  }

  private observedLog(node: number, state: ReplicaState): ReadonlyArray<LogEntryObservation> {
    const log = state.log
    let cache = this.caches.get(node)
    if (cache === undefined) {
      cache = { log: emptyLog, observed: [] }
      this.caches.set(node, cache)
    }
    if (cache.log === log) return cache.observed
    const kept = cache.observed.length
    // The same entry object at the last cached position means the log only grew past it (entries are immutable).
    const lastCached = kept > 0 ? entryAt(cache.log, cache.log.baseIndex + kept) : undefined
    const prefixKept =
      lastCached !== undefined && kept <= log.length && entryAt(log, log.baseIndex + kept) === lastCached
    const observed = prefixKept ? cache.observed : []
    for (let position = observed.length; position < log.length; position += 1) {
      const entry = log.backing[position] as Entry
      observed.push({ index: entry.index, term: entry.term, digest: this.digestOfEntry(entry) })
    }
    cache.log = log
    cache.observed = observed
    return observed
  }

  private replicaObservation(replica: SimReplica): ReplicaObservation {
    const state = replica.state
    const durable = replica.durableHardState
    if (state === null) {
      const log = this.caches.get(replica.node)?.observed ?? []
      return {
        node: replica.node,
        alive: false,
        role: "follower",
        term: durable.term,
        votedFor: durable.votedFor,
        commitIndex: 0,
        lastApplied: 0,
        log,
        durable
      }
    }
    return {
      node: replica.node,
      alive: true,
      role: state.role,
      term: state.term,
      votedFor: state.votedFor,
      commitIndex: state.commitIndex,
      lastApplied: state.lastApplied,
      log: this.observedLog(replica.node, state),
      durable,
      ...(state.lastApplied === 0 ? {} : { appliedStateDigest: this.digestOf(replica.node).of(state) })
    }
  }

  private digestOfEntry(entry: Entry): string {
    let digest = this.digests.get(entry)
    if (digest === undefined) {
      digest = entryDigest(entry)
      this.digests.set(entry, digest)
    }
    return digest
  }

  private digestOf(node: number): AppliedStateDigest {
    let digest = this.appliedDigests.get(node)
    if (digest === undefined) {
      digest = new AppliedStateDigest()
      this.appliedDigests.set(node, digest)
    }
    return digest
  }

  cluster(atMs: number): ClusterObservation {
    return { atMs, replicas: this.replicas.map((replica) => this.replicaObservation(replica)) }
  }

  observe(atMs: number): ReadonlyArray<ModelViolation> {
    return safetyOnly(this.checker.observe(this.cluster(atMs)))
  }

  record(event: ModelEvent): ReadonlyArray<ModelViolation> {
    if (event._tag === "Restarted") {
      // A restarted replica applies its log again from an empty state machine.
      this.lastSequenceApplied.delete(event.node)
      this.appliedDigests.delete(event.node)
    }
    return safetyOnly(this.checker.record(event))
  }

  /** The Applied event for an entry, with whether this replica's session table already held it. */
  applied(atMs: number, node: number, entry: Entry, executed: boolean): ModelEvent {
    this.digestOf(node).applied(entry.index, executed)
    const payload = entry.payload
    const digest = this.digestOfEntry(entry)
    if (payload._tag !== "Command") return { _tag: "Applied", atMs, node, index: entry.index, term: entry.term, digest }
    let sessions = this.lastSequenceApplied.get(node)
    if (sessions === undefined) {
      sessions = new Map()
      this.lastSequenceApplied.set(node, sessions)
    }
    const last = sessions.get(payload.session.clientId) ?? 0
    const duplicate = payload.session.sequence <= last
    if (!duplicate) sessions.set(payload.session.clientId, payload.session.sequence)
    const session = { clientId: payload.session.clientId, sequence: payload.session.sequence, duplicate }
    return { _tag: "Applied", atMs, node, index: entry.index, term: entry.term, digest, session }
  }

  finish(atMs: number): ModelFinish {
    const violations = this.checker.finish(this.cluster(atMs))
    return {
      safety: violations.filter((violation) => !isLiveness(violation)),
      liveness: violations.filter(isLiveness)
    }
  }
}
