/**
 * Client-facing safety: every acknowledged write is committed at the end (durability), a session's command
 * is executed at most once per replica (exactly-once), and no record that failed its checksum is ever applied.
 */
import type { Monitor } from "./monitor.ts"
import { type ClusterObservation, entryAt, type ModelEvent } from "./observation.ts"
import { collect, type Report } from "./violation.ts"

type Acknowledged = Extract<ModelEvent, { _tag: "ClientAcknowledged" }>

export class DurabilityMonitor implements Monitor {
  private readonly acknowledged: Array<Acknowledged> = []
  /** Digests applied per index: the evidence for entries that are now compacted into snapshots. */
  private readonly appliedDigests = new Map<number, string>()

  readonly record = (event: ModelEvent): void => {
    if (event._tag === "ClientAcknowledged" && event.write !== null) this.acknowledged.push(event)
    if (event._tag === "Applied" && !this.appliedDigests.has(event.index))
      this.appliedDigests.set(event.index, event.digest)
  }

  readonly finish = (cluster: ClusterObservation, report: Report): void => {
    const live = cluster.replicas.filter((replica) => replica.alive)
    // A retried command may sit at several indexes; any committed copy (at the acknowledged index, if named) will do.
    const committedIndexes = new Map<string, Set<number>>()
    const remember = (digest: string, index: number) => {
      const indexes = committedIndexes.get(digest)
      if (indexes === undefined) committedIndexes.set(digest, new Set([index]))
      else indexes.add(index)
    }
    for (const replica of live) {
      for (const entry of replica.log) if (entry.index <= replica.commitIndex) remember(entry.digest, entry.index)
      for (const [index, digest] of this.appliedDigests)
        if (index <= (replica.compactedThrough ?? 0)) remember(digest, index)
    }
    for (const acknowledgement of this.acknowledged) {
      const write = acknowledgement.write!
      const indexes = committedIndexes.get(write.digest)
      if (indexes !== undefined && (write.index === undefined || indexes.has(write.index))) continue
      const where = write.index === undefined ? "" : ` at index ${write.index}`
      report(`${acknowledgement.clientId}:${acknowledgement.sequence}`, {
        invariant: "durability",
        message: `The write of client ${acknowledgement.clientId} (sequence ${acknowledgement.sequence}) was acknowledged but is not committed${where} on any live replica at the end.`,
        atMs: cluster.atMs,
        evidence: {
          clientId: acknowledgement.clientId,
          sequence: acknowledgement.sequence,
          acknowledgedAtMs: acknowledgement.atMs,
          digest: write.digest,
          acknowledgedIndex: write.index ?? null,
          committedAtIndexes: indexes === undefined ? [] : [...indexes].sort((left, right) => left - right),
          finalCommitIndexes: live.map((replica) => ({
            node: replica.node,
            commitIndex: replica.commitIndex,
            holds: entryAt(replica, write.index ?? -1)?.digest ?? null
          }))
        }
      })
    }
  }
}

export class ExactlyOnceMonitor implements Monitor {
  private readonly executedAt = new Map<string, { readonly index: number; readonly atMs: number }>()

  readonly record = (event: ModelEvent, report: Report): void => {
    if (event._tag !== "Applied" || event.session === undefined || event.session.duplicate) return
    const { clientId, sequence } = event.session
    const key = `${event.node}\u0000${clientId}\u0000${sequence}`
    const first = this.executedAt.get(key)
    if (first === undefined) {
      this.executedAt.set(key, { index: event.index, atMs: event.atMs })
      return
    }
    // Re-applying the same index after a restart rebuilds the same history; a second index is a second execution.
    if (first.index === event.index) return
    report(key, {
      invariant: "exactly_once",
      message: `Node ${event.node} executed command ${sequence} of client ${clientId} twice, at indexes ${first.index} and ${event.index}.`,
      atMs: event.atMs,
      evidence: {
        node: event.node,
        clientId,
        sequence,
        firstIndex: first.index,
        firstAtMs: first.atMs,
        secondIndex: event.index
      }
    })
  }
}

export class CorruptRecordMonitor implements Monitor {
  readonly record = (event: ModelEvent, report: Report): void => {
    if (event._tag !== "CorruptRecordApplied") return
    report(`${event.node}:${event.index}:${event.atMs}`, {
      invariant: "no_corrupt_record_applied",
      message: `Node ${event.node} applied the record at index ${event.index} although it failed its checksum.`,
      atMs: event.atMs,
      evidence: { node: event.node, index: event.index }
    })
  }
}

export const checkDurability = (events: ReadonlyArray<ModelEvent>, finalCluster: ClusterObservation) =>
  collect((report) => {
    const monitor = new DurabilityMonitor()
    for (const event of events) monitor.record(event)
    monitor.finish(finalCluster, report)
  })

export const checkExactlyOnce = (events: ReadonlyArray<ModelEvent>) =>
  collect((report) => {
    const monitor = new ExactlyOnceMonitor()
    for (const event of events) monitor.record(event, report)
  })

export const checkNoCorruptRecordApplied = (events: ReadonlyArray<ModelEvent>) =>
  collect((report) => {
    const monitor = new CorruptRecordMonitor()
    for (const event of events) monitor.record(event, report)
  })
