/**
 * What the run has shown to be committed: for each index, the entry a replica held there while its commit index
 * covered it, and the replica's term at that moment (the entry was committed in that term or earlier).
 * Leader completeness and durability both read it; a second, different entry claimed committed at the same
 * index breaks state machine safety and is reported here.
 */
import { type ClusterObservation, type LogEntryObservation, positionAfter } from "./observation.ts"
import type { Report } from "./violation.ts"

export interface CommittedEntry extends LogEntryObservation {
  readonly knownCommittedInTerm: number
  readonly node: number
  readonly atMs: number
}

export class CommittedEntries {
  readonly byIndex = new Map<number, CommittedEntry>()
  /** The same entries in the order they were learned: a reader remembers how many it has seen. */
  readonly learned: Array<CommittedEntry> = []
  /** Per node, the commit index up to which its log has been read, so that each entry is read once. */
  private readonly scannedThrough = new Map<number, number>()

  learn(cluster: ClusterObservation, report: Report): void {
    for (const replica of cluster.replicas) {
      if (!replica.alive) continue
      const from = this.scannedThrough.get(replica.node) ?? 0
      if (replica.commitIndex <= from) continue
      // From the first entry after `from`, so learning stays proportional to what was newly committed.
      for (let position = positionAfter(replica.log, from); position < replica.log.length; position++) {
        const entry = replica.log[position]!
        if (entry.index <= from) continue
        if (entry.index > replica.commitIndex) break
        const known = this.byIndex.get(entry.index)
        if (known !== undefined && known.digest === entry.digest && known.term === entry.term) continue
        this.add({ ...entry, knownCommittedInTerm: replica.term, node: replica.node, atMs: cluster.atMs }, report)
      }
      this.scannedThrough.set(replica.node, replica.commitIndex)
    }
  }

  private add(entry: CommittedEntry, report: Report): void {
    const known = this.byIndex.get(entry.index)
    if (known === undefined) {
      this.byIndex.set(entry.index, entry)
      this.learned.push(entry)
      return
    }
    if (known.digest === entry.digest && known.term === entry.term) return
    report(`committed:${entry.index}`, {
      invariant: "state_machine_safety",
      message: `Nodes ${known.node} and ${entry.node} each hold a different committed entry at index ${entry.index}.`,
      atMs: entry.atMs,
      evidence: {
        index: entry.index,
        first: { node: known.node, term: known.term, digest: known.digest, atMs: known.atMs },
        second: { node: entry.node, term: entry.term, digest: entry.digest, atMs: entry.atMs }
      }
    })
  }
}
