/**
 * The ground truth of which client commands took effect, read from the replicas' applied logs: the simulator sees
 * every entry every replica applies, so for a key-value operation whose client gave up ("unknown") it knows
 * whether its command was applied, when it was first applied, and — replaying the applied commands in log order
 * through the application itself — with what result. The end-of-run linearizability check settles unknown
 * outcomes from it (model/linearizability/settle.ts), as etcd's robustness tests patch histories from the WAL.
 *
 * The truth is only as good as the logs agree: if two replicas ever apply different entries at one index
 * (state_machine_safety reports that on its own), nothing is settled and the check runs on the raw history.
 */
import type { Settlement } from "../../model/linearizability/index.ts"
import { applyApp, type AppCommand, emptyAppState, isLedgerCommand } from "../app/machine.ts"
import { entryDigest, type Session } from "../protocol/entry.ts"
import type { Finding, SimObserver, StepObservation } from "./observer.ts"
import type { HistoryOutput } from "./client.ts"

interface AppliedCommand {
  readonly digest: string
  readonly session: string
  readonly command: AppCommand
  readonly firstAppliedAtMs: number
}

const sessionKey = (session: Session): string => `${session.clientId}#${session.sequence}`

const none: ReadonlyArray<Finding> = []

export class GroundTruth implements SimObserver {
  readonly name = "ground_truth"
  /** The first executed command at each log index. */
  private readonly appliedAt = new Map<number, AppliedCommand>()
  /** The session of each key-value invocation, by operation id (its position among the history's invocations). */
  private readonly sessionOfOperation: Array<string | undefined> = []
  private consistent = true

  /** Called for each key-value invocation in history order: its session, or undefined for a read. */
  invoked(session: Session | undefined): void {
    this.sessionOfOperation.push(session === undefined ? undefined : sessionKey(session))
  }

  afterStep(observation: StepObservation): ReadonlyArray<Finding> {
    for (const output of observation.outputs) {
      if (output._tag !== "Applied" || !output.executed) continue
      const payload = output.entry.payload
      if (payload._tag !== "Command") continue
      const digest = entryDigest(output.entry)
      const known = this.appliedAt.get(output.entry.index)
      if (known !== undefined) {
        // A replica applying its log again after a restart: the same entry, unless the logs diverged.
        if (known.digest !== digest) this.consistent = false
        continue
      }
      this.appliedAt.set(output.entry.index, {
        digest,
        session: sessionKey(payload.session),
        command: payload.command,
        firstAppliedAtMs: observation.atMs
      })
    }
    return none
  }

  /**
   * The settlement of every key-value command, by operation id, or undefined when the logs disagree (then
   * nothing is settled). A command applied twice (a session bug) is left unknown: no single result is its truth.
   */
  settlements(): ((id: number) => Settlement<HistoryOutput> | undefined) | undefined {
    if (!this.consistent) return undefined
    const bySession = new Map<string, Settlement<HistoryOutput> | "twice">()
    let state = emptyAppState
    for (const index of [...this.appliedAt.keys()].sort((left, right) => left - right)) {
      const applied = this.appliedAt.get(index)!
      const step = applyApp(state, applied.command)
      state = step.state
      if (isLedgerCommand(applied.command)) continue
      const result = step.result
      if (result._tag !== "Ok" && result._tag !== "NotFound" && result._tag !== "CasMismatch") continue
      const settlement = { _tag: "Applied", output: result, atTime: applied.firstAppliedAtMs } as const
      bySession.set(applied.session, bySession.has(applied.session) ? "twice" : settlement)
    }
    return (id) => {
      const session = this.sessionOfOperation[id]
      if (session === undefined) return undefined
      const settlement = bySession.get(session)
      if (settlement === "twice") return undefined
      return settlement ?? { _tag: "NotApplied" }
    }
  }
}
