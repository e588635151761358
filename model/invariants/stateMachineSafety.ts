/**
 * State machine safety (Raft §5.4.3): no two replicas apply different entries at the same index. Checked on
 * every Applied event against the first entry applied at that index by anyone.
 */
import type { Monitor } from "./monitor.ts"
import type { ModelEvent } from "./observation.ts"
import { collect, type Report } from "./violation.ts"

export class StateMachineSafetyMonitor implements Monitor {
  readonly appliedAt = new Map<
    number,
    { readonly node: number; readonly term: number; readonly digest: string; readonly atMs: number }
  >()

  readonly record = (event: ModelEvent, report: Report): void => {
    if (event._tag !== "Applied") return
    const first = this.appliedAt.get(event.index)
    if (first === undefined) {
      this.appliedAt.set(event.index, { node: event.node, term: event.term, digest: event.digest, atMs: event.atMs })
      return
    }
    if (first.digest === event.digest && first.term === event.term) return
    report(`applied:${event.index}:${event.node}`, {
      invariant: "state_machine_safety",
      message: `Node ${event.node} applied a different entry at index ${event.index} than node ${first.node} did.`,
      atMs: event.atMs,
      evidence: {
        index: event.index,
        first: { node: first.node, term: first.term, digest: first.digest, atMs: first.atMs },
        second: { node: event.node, term: event.term, digest: event.digest, atMs: event.atMs }
      }
    })
  }
}

export const checkStateMachineSafety = (events: ReadonlyArray<ModelEvent>) =>
  collect((report) => {
    const monitor = new StateMachineSafetyMonitor()
    for (const event of events) monitor.record(event, report)
  })
