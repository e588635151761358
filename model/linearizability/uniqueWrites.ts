/**
 * A polynomial-time check for a register partition in which every written value is unique (Gibbons & Korach,
 * "Testing shared memories", SIAM J. Comput. 1997; the zone formulation of Golab, Li & Shah, PODC 2011; Lee &
 * Mathur, OOPSLA 2025, for the general picture). With unique writes each read names the write it read from, so
 * the history falls into clusters (a write and the reads of its value; the initial value is a write at -∞), and
 * it is linearizable exactly when
 *   1. every read reads a value that some write (possibly one with an unknown outcome) wrote, or the initial one;
 *   2. no read returned before the call of the write it read from;
 *   3. the clusters' zones are compatible. A cluster's zone runs between the earliest return and the latest call
 *      of its operations: a forward zone (earliest return < latest call) is a stretch the cluster must cover
 *      without another write inside it, so two forward zones may not overlap, and no cluster whose operations all
 *      overlap (a backward zone) may lie strictly inside a forward one.
 * Times follow the search's convention: operations that touch the same instant are concurrent, so zones are
 * open intervals. A write with an unknown outcome that nobody read is dropped (it may never have taken effect);
 * one that was read must have, at some time after its call. Sorting makes the whole check O(n log n).
 *
 * The check applies only when the spec says how each operation reads or writes the register
 * (`registerAccess`) and every write in the partition has its own value; otherwise the caller falls back to the
 * general search. check.uniqueWrites.test.ts cross-checks the two.
 */
import type { Operation } from "./history.ts"
import type { LinearizabilitySpec, RegisterAccess } from "./spec.ts"

export type UniqueWritesOutcome =
  | { readonly _tag: "Linearizable" }
  /** `operations` are the partition's indexes the reason speaks of. */
  | { readonly _tag: "NotLinearizable"; readonly reason: string; readonly operations: ReadonlyArray<number> }

interface Cluster {
  /** The write's index in the partition, or -1 for the initial value. */
  readonly write: number
  readonly reads: Array<number>
}

interface Zone {
  readonly cluster: Cluster
  /** The earliest return of the cluster's operations. */
  readonly earliestReturn: number
  /** The latest call of the cluster's operations. */
  readonly latestCall: number
}

/** Null when the partition is not a unique-writes register history (the general search must decide it). */
export const checkUniqueWrites = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>
): UniqueWritesOutcome | null => {
  const clusters = clustersOf(spec, operations)
  if (clusters === null) return null
  if (!(clusters instanceof Map)) return clusters
  const zones: Array<Zone> = []
  for (const cluster of clusters.values()) {
    const problem = readBeforeItsWrite(spec, operations, cluster)
    if (problem !== undefined) return problem
    const zone = zoneOf(operations, cluster)
    if (zone !== undefined) zones.push(zone)
  }
  return compatibleZones(spec, operations, zones) ?? { _tag: "Linearizable" }
}

const describe = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  index: number
): string => {
  const operation = operations[index]!
  return `#${operation.id} ${spec.describeOperation(operation.input, operation.output)}`
}

/** The clusters by written value (null: the initial value), a failure of rule 1, or null when not applicable. */
const clustersOf = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>
): Map<string | null, Cluster> | UniqueWritesOutcome | null => {
  const registerAccess = spec.registerAccess
  if (registerAccess === undefined) return null
  const accesses: Array<RegisterAccess> = []
  const clusters = new Map<string | null, Cluster>([[null, { write: -1, reads: [] }]])
  for (let index = 0; index < operations.length; index++) {
    const operation = operations[index]!
    const access = registerAccess(operation.input, operation.output)
    if (access === undefined) return null
    accesses.push(access)
    if (access._tag !== "Write") continue
    if (clusters.has(access.value)) return null
    clusters.set(access.value, { write: index, reads: [] })
  }
  for (let index = 0; index < operations.length; index++) {
    const access = accesses[index]!
    if (access._tag !== "Read") continue
    const cluster = clusters.get(access.value)
    if (cluster === undefined) {
      const reason = `${describe(spec, operations, index)} reads a value that no operation wrote`
      return { _tag: "NotLinearizable", reason, operations: [index] }
    }
    cluster.reads.push(index)
  }
  return clusters
}

/** Rule 2: a read cannot take effect before the write it read from was called. */
const readBeforeItsWrite = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  cluster: Cluster
): UniqueWritesOutcome | undefined => {
  if (cluster.write === -1) return undefined
  const callTime = operations[cluster.write]!.callTime
  const early = cluster.reads.find((read) => operations[read]!.returnTime < callTime)
  if (early === undefined) return undefined
  const reason = `${describe(spec, operations, early)} returned before ${describe(spec, operations, cluster.write)} was called`
  return { _tag: "NotLinearizable", reason, operations: [cluster.write, early] }
}

/** The cluster's zone, or undefined for a cluster that constrains nothing (no reads and nobody must see it). */
const zoneOf = <Input, Output>(
  operations: ReadonlyArray<Operation<Input, Output>>,
  cluster: Cluster
): Zone | undefined => {
  const write = cluster.write === -1 ? undefined : operations[cluster.write]!
  if (cluster.reads.length === 0 && (write === undefined || write.returnTime === Infinity)) return undefined
  let earliestReturn = write === undefined ? -Infinity : write.returnTime
  let latestCall = write === undefined ? -Infinity : write.callTime
  for (const read of cluster.reads) {
    earliestReturn = Math.min(earliestReturn, operations[read]!.returnTime)
    latestCall = Math.max(latestCall, operations[read]!.callTime)
  }
  return { cluster, earliestReturn, latestCall }
}

const isForward = (zone: Zone): boolean => zone.earliestReturn < zone.latestCall

/** Rule 3, in O(n log n): forward zones sorted by start must not overlap; then no backward zone lies in one. */
const compatibleZones = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  zones: ReadonlyArray<Zone>
): UniqueWritesOutcome | undefined => {
  const forward = zones.filter(isForward).sort((left, right) => left.earliestReturn - right.earliestReturn)
  for (let index = 1; index < forward.length; index++) {
    const previous = forward[index - 1]!
    const current = forward[index]!
    if (previous.latestCall > current.earliestReturn) return conflict(spec, operations, previous, current)
  }
  // Disjoint and sorted by start, the forward zones are sorted by end too: the only one that can hold a backward
  // zone is the last that starts before it.
  for (const zone of zones) {
    if (isForward(zone)) continue
    let low = 0
    let high = forward.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (forward[middle]!.earliestReturn < zone.latestCall) low = middle + 1
      else high = middle
    }
    const container = forward[low - 1]
    if (container !== undefined && container.latestCall > zone.earliestReturn)
      return conflict(spec, operations, container, zone)
  }
  return undefined
}

const clusterOperations = (cluster: Cluster): Array<number> =>
  cluster.write === -1 ? [...cluster.reads] : [cluster.write, ...cluster.reads]

const conflict = <State, Input, Output>(
  spec: LinearizabilitySpec<State, Input, Output>,
  operations: ReadonlyArray<Operation<Input, Output>>,
  outer: Zone,
  inner: Zone
): UniqueWritesOutcome => {
  const name = (zone: Zone) =>
    zone.cluster.write === -1 ? "the initial value" : `the value of ${describe(spec, operations, zone.cluster.write)}`
  const reason =
    `${name(outer)} must stay from ${outer.earliestReturn} to ${outer.latestCall} (read then), ` +
    `but ${name(inner)} must take effect and be read between ${inner.earliestReturn} and ${inner.latestCall}`
  return {
    _tag: "NotLinearizable",
    reason,
    operations: [...clusterOperations(outer.cluster), ...clusterOperations(inner.cluster)]
  }
}
