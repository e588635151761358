/** Builders for hand-made snapshots in the invariant tests: a replica is described by its terms per index. */
import type { ClusterObservation, LogEntryObservation, ModelEvent, ReplicaObservation } from "./observation.ts"

/** Entries 1..n with the given terms; the digest names index and term unless overridden. */
export const logOf = (
  terms: ReadonlyArray<number>,
  digests: Readonly<Record<number, string>> = {}
): Array<LogEntryObservation> =>
  terms.map((term, position) => ({
    index: position + 1,
    term,
    digest: digests[position + 1] ?? `entry-${position + 1}-t${term}`
  }))

export const replica = (node: number, overrides: Partial<ReplicaObservation> = {}): ReplicaObservation => ({
  node,
  alive: true,
  role: "follower",
  term: 1,
  votedFor: null,
  commitIndex: 0,
  lastApplied: 0,
  log: [],
  durable: { term: overrides.term ?? 1, votedFor: overrides.votedFor ?? null },
  ...overrides
})

export const cluster = (atMs: number, replicas: ReadonlyArray<ReplicaObservation>): ClusterObservation => ({
  atMs,
  replicas
})

export const applied = (atMs: number, node: number, index: number, digest: string, term = 1): ModelEvent => ({
  _tag: "Applied",
  atMs,
  node,
  index,
  term,
  digest
})
