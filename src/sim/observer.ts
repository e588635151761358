/**
 * The simulator's per-step hook: an observer sees every replica step (its input, the states before and after,
 * its outputs) and may report findings. It is how the simulator's own bookkeeping (the ledger's applied view,
 * ground truth) and tests look at steps. It is not where protocol invariants are judged: those are model/'s
 * (model/invariants), fed by modelInvariants.ts, so that the simulator and the Docker replay share one judge.
 */
import type { Input, Output } from "../protocol/io.ts"
import type { InvariantName } from "../../model/invariants/names.ts"
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
  readonly invariant: InvariantName
  readonly message: string
}

export interface SimObserver {
  readonly name: string
  afterStep?(observation: StepObservation): ReadonlyArray<Finding>
  /** Final states, null for a replica that is down. */
  atEnd?(states: ReadonlyArray<ReplicaState | null>): ReadonlyArray<Finding>
}
