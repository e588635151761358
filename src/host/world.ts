/**
 * What the replica host needs from the world, and nothing more: the replica's clock, "later in this turn", one
 * timer, storage and the network. The node gives it real ones (performance.now, setImmediate, setTimeout, the
 * WAL file with fdatasync, TCP); the simulator gives it simulated ones (its clocks with drift, its event queue,
 * its faulty disk, its network), so the simulator runs the host the node runs.
 */
import type { Input, Output } from "../protocol/io.ts"
import type { ReplicaState } from "../protocol/state.ts"
import type { Transition } from "../protocol/step.ts"
import type { WalRecord } from "../storage/walRecord.ts"

/** Completion of an I/O: no argument when it succeeded. */
export type Done = (error?: unknown) => void

export interface HostStorage {
  /** Appends the records and syncs them: `done` runs once all of them are durable (fdatasync returned). */
  readonly append: (records: ReadonlyArray<WalRecord>, done: Done) => void
  /** The replica caught up after corruption: forget the recovering marker, so a restart may vote again. */
  readonly markRecovered: (done: Done) => void
}

export interface HostWorld {
  /** The replica's clock (local milliseconds). */
  readonly nowMs: () => number
  /** Runs `run` later in this turn: after every input that has already arrived at this instant. */
  readonly later: (run: () => void) => void
  /** Calls `run` when the replica's clock reads `atMs`, replacing the previous timer; Infinity cancels it. */
  readonly timerAt: (atMs: number, run: () => void) => void
  /**
   * Starts timing one drain of the queue; the function returned says when the drain must let other work run (the
   * rest of the queue is stepped "later"). The node gives 20 ms of real time, so a burst of queued messages — a
   * restarted follower re-applying its log as AppendEntries arrive — cannot hold the event loop for seconds
   * (issue 13, F4). Absent (the simulator): a drain runs to the end.
   */
  readonly drainBudget?: () => () => boolean
  readonly storage: HostStorage
  readonly send: (output: Extract<Output, { _tag: "Send" }>) => void
  /** An entry applied (the model and the trace follow these); optional. */
  readonly applied?: (output: Extract<Output, { _tag: "Applied" }>) => void
  /** A Persist is about to be queued for the next write (the trace shows it); optional. */
  readonly persisting?: (output: Extract<Output, { _tag: "Persist" }>) => void
  /** After each step, its outputs performed (the simulator's observers); optional. */
  readonly stepped?: (input: Input, before: ReplicaState, transition: Transition) => void
  /** Storage failed: the host has stopped; the process must not go on promising durability. */
  readonly fatal: (error: unknown) => void
  readonly log: (line: string) => void
}
