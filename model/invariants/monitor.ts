/**
 * One invariant, checked incrementally. The checker calls `observe` at every cluster observation (keep it
 * cheap), `audit` every few observations and at the end (for checks that walk whole logs), `record` for each
 * event and `finish` once with the final cluster.
 */
import type { ClusterObservation, ModelEvent } from "./observation.ts"
import type { Report } from "./violation.ts"

export interface Monitor {
  readonly observe?: (cluster: ClusterObservation, report: Report) => void
  readonly audit?: (cluster: ClusterObservation, report: Report) => void
  readonly record?: (event: ModelEvent, report: Report) => void
  readonly finish?: (cluster: ClusterObservation, report: Report) => void
}
