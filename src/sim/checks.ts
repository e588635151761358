/**
 * Invariant checks run by the simulator after every replica step. The built-in ones are cheap and need no
 * model: election safety (one leader per term) and state machine safety (no two replicas apply different
 * entries at one index). model/'s protocol invariants and linearizability checker plug in through the same
 * `SimObserver` hook.
 */
import { entryDigest, type Entry } from "../protocol/entry.ts"
import type { Input, Output } from "../protocol/io.ts"
import type { ReplicaState } from "../protocol/state.ts"

export interface StepObservation {
  readonly atMs: number
  readonly node: number
  readonly incarnation: number
  readonly input: Input
  readonly before: ReplicaState
  readonly after: ReplicaState
  readonly outputs: ReadonlyArray<Output>
}

export interface Finding {
  readonly invariant: string
  readonly message: string
}

export interface SimObserver {
  readonly name: string
  afterStep?(observation: StepObservation): ReadonlyArray<Finding>
  /** Final states, null for a replica that is down. */
  atEnd?(states: ReadonlyArray<ReplicaState | null>): ReadonlyArray<Finding>
}

const none: ReadonlyArray<Finding> = []

export class ElectionSafety implements SimObserver {
  readonly name = "election_safety"
  private readonly leaderOfTerm = new Map<number, number>()

  afterStep(observation: StepObservation): ReadonlyArray<Finding> {
    const after = observation.after
    if (after.role !== "leader" || observation.before.role === "leader") return none
    const existing = this.leaderOfTerm.get(after.term)
    if (existing === undefined) {
      this.leaderOfTerm.set(after.term, observation.node)
      return none
    }
    if (existing === observation.node) return none
    return [
      {
        invariant: this.name,
        message: `n${existing} and n${observation.node} both became leader in term ${after.term}`
      }
    ]
  }
}

export class StateMachineSafety implements SimObserver {
  readonly name = "state_machine_safety"
  /** The first entry applied at each index; compared by identity first (replicas share the entries they were sent). */
  private readonly entryAt: Array<Entry | undefined> = []
  private readonly digestAt: Array<string | undefined> = []
  private readonly firstNodeAt: Array<number> = []

  afterStep(observation: StepObservation): ReadonlyArray<Finding> {
    let findings: Array<Finding> | undefined
    for (const output of observation.outputs) {
      if (output._tag !== "Applied") continue
      const entry = output.entry
      const index = entry.index
      const existing = this.entryAt[index]
      if (existing === undefined) {
        this.entryAt[index] = entry
        this.firstNodeAt[index] = observation.node
        continue
      }
      if (existing === entry) continue
      const existingDigest = (this.digestAt[index] ??= entryDigest(existing))
      const digest = entryDigest(entry)
      if (existingDigest !== digest) {
        findings ??= []
        const message = `n${observation.node} applied ${JSON.stringify(digest)} at index ${index}, where n${this.firstNodeAt[index]} applied ${JSON.stringify(existingDigest)}`
        findings.push({ invariant: this.name, message })
      }
    }
    return findings ?? none
  }
}

export const builtinObservers = (): ReadonlyArray<SimObserver> => [new ElectionSafety(), new StateMachineSafety()]
