/**
 * One simulated replica process: its `step` state, its clock, its disk and write-ahead log, and its life
 * (running, crashed, paused). It turns the replica's outputs into simulator events: a Persist becomes a write
 * plus an fsync that completes after the disk's latency (then PersistDone), a Send goes to the network, a
 * WakeAt schedules the next Tick in simulated time.
 */
import { Cause, Effect, Exit } from "effect"
import type { ReplicaConfig } from "../protocol/config.ts"
import type { HardState } from "../protocol/entry.ts"
import type { Input, Output } from "../protocol/io.ts"
import { initialState, recover, type ReplicaState } from "../protocol/state.ts"
import { step, stepPure, type Transition } from "../protocol/step.ts"
import { checkReplicaState } from "../protocol/checkState.ts"
import { assert } from "../assert.ts"
import { ReplicaClock } from "./clock.ts"
import { SimDisk } from "./disk.ts"
import type { SimContext } from "./events.ts"
import type { SimRandom } from "./random.ts"
import type { DiskProfile } from "../schedule/index.ts"
import { Wal } from "./wal.ts"

/** Inputs held while a process is paused; beyond this the oldest are dropped, as a full socket buffer would. */
export const deferredInputsMax = 10_000
const slowDiskFactor = 20

export type StepMode = "effect" | "pure"

/** A step that died: an assertion in the replica failed (a bug in the replica). */
export class StepDefect {
  constructor(readonly defect: unknown) {}
}

export class SimReplica {
  state: ReplicaState | null
  incarnation = 0
  paused = false
  pauseId = 0
  readonly clock = new ReplicaClock()
  readonly disk = new SimDisk()
  readonly wal = new Wal(this.disk)
  readonly deferred: Array<Input> = []
  /** The simulated time the replica next wants a Tick, and the times of Wake events already queued. */
  desiredWakeMs = Number.POSITIVE_INFINITY
  private readonly queuedWakesMs: Array<number> = []
  private lastFsyncDoneMs = 0
  /** The hard state on the disk (synced), and hard states written but not yet synced, by ioId. */
  durableHardState: HardState = { term: 0, votedFor: null }
  private readonly unsyncedHardStates: Array<{ readonly ioId: number; readonly hardState: HardState }> = []
  /** Entries the last recovery took from records that failed their checksum (only with applyCorruptRecords). */
  corruptEntries: ReadonlyMap<number, string> = new Map()

  constructor(
    readonly node: number,
    readonly config: ReplicaConfig,
    private readonly diskProfile: DiskProfile,
    private readonly diskRandom: SimRandom
  ) {
    this.state = initialState(config)
    this.correctConfig = config.bugs.size === 0 ? config : { ...config, bugs: new Set() }
  }

  /** The same replica without planted bugs (bisect switches them off from a chosen step on). */
  private readonly correctConfig: ReplicaConfig

  get up(): boolean {
    return this.state !== null
  }

  localNowMs(simulatedMs: number): number {
    return this.clock.localAt(simulatedMs)
  }

  /**
   * Runs one step and, with `checkState`, asserts the invariants of the state it produced. An assertion failure —
   * inside the replica or of its resulting state — is returned as the defect, never thrown.
   */
  runStep(input: Input, mode: StepMode, checkState: boolean, withBugs = true): Transition | StepDefect {
    const state = this.state
    assert(state !== null, () => `n${this.node} is down; the simulator must not step it`)
    const config = withBugs ? this.config : this.correctConfig
    let transition: Transition
    if (mode === "pure") {
      try {
        transition = stepPure(config, state, input)
      } catch (defect) {
        return new StepDefect(defect)
      }
    } else {
      const exit = Effect.runSyncExit(step(config, state, input))
      if (Exit.isFailure(exit)) return new StepDefect(Cause.squash(exit.cause))
      transition = exit.value
    }
    if (!checkState) return transition
    try {
      checkReplicaState(config, transition.state, state)
    } catch (defect) {
      return new StepDefect(defect)
    }
    return transition
  }

  /** Performs a Persist: the records are buffered now and made durable after the fsync latency. */
  persist(context: SimContext, output: Extract<Output, { _tag: "Persist" }>): void {
    const wrote = this.wal.append(output)
    if (output.hardState !== undefined) this.unsyncedHardStates.push({ ioId: output.ioId, hardState: output.hardState })
    const profile = this.diskProfile
    const slow = context.nowMs < this.disk.slowUntilMs ? slowDiskFactor : 1
    const latencyMs = this.diskRandom.integer(profile.fsyncMinMs, profile.fsyncMaxMs) * slow
    // Persists complete in ioId order (io.ts), so an fsync never finishes before the one issued before it.
    const doneMs = Math.max(context.nowMs + latencyMs, this.lastFsyncDoneMs)
    this.lastFsyncDoneMs = doneMs
    context.enqueue(doneMs, {
      _tag: "FsyncDone",
      node: this.node,
      incarnation: this.incarnation,
      wrote,
      ioId: output.ioId
    })
  }

  /** Keeps at least one queued Wake at or before the desired time, without a queue entry per step. */
  wantWake(context: SimContext, localWakeMs: number): void {
    const desired = Math.max(this.clock.simulatedAt(localWakeMs), context.nowMs + 1)
    this.desiredWakeMs = desired
    this.ensureWakeQueued(context)
  }

  private ensureWakeQueued(context: SimContext): void {
    const desired = this.desiredWakeMs
    if (!Number.isFinite(desired)) return
    // A wake is queued only when it is earlier than every one already queued, so the last is the earliest.
    const earliest = this.queuedWakesMs[this.queuedWakesMs.length - 1] ?? Number.POSITIVE_INFINITY
    if (earliest <= desired) return
    assert(this.queuedWakesMs.length < 64, () => `a replica has fewer than 64 wakes queued: n${this.node} has 64`)
    this.queuedWakesMs.push(desired)
    context.enqueue(desired, { _tag: "Wake", node: this.node, incarnation: this.incarnation })
  }

  /** A queued Wake fired: true when the replica should Tick now. */
  wakeFired(context: SimContext): boolean {
    // Events fire in time order, so the wake firing now is the earliest queued: the last.
    if (this.queuedWakesMs[this.queuedWakesMs.length - 1] === context.nowMs) this.queuedWakesMs.pop()
    if (context.nowMs >= this.desiredWakeMs) return true
    this.ensureWakeQueued(context)
    return false
  }

  private durableHardStateObserved: HardState | undefined

  /** True once after each change of the durable hard state: the model must see it. */
  durableHardStateChanged(): boolean {
    if (this.durableHardStateObserved === this.durableHardState) return false
    this.durableHardStateObserved = this.durableHardState
    return true
  }

  /** The fsync of `ioId` returned: everything written so far is on the disk. */
  synced(): void {
    this.wal.sync()
    const last = this.unsyncedHardStates[this.unsyncedHardStates.length - 1]
    if (last !== undefined) this.durableHardState = last.hardState
    this.unsyncedHardStates.length = 0
  }

  crash(random: SimRandom): number {
    this.unsyncedHardStates.length = 0
    this.state = null
    this.incarnation += 1
    this.paused = false
    this.deferred.length = 0
    this.queuedWakesMs.length = 0
    this.desiredWakeMs = Number.POSITIVE_INFINITY
    this.lastFsyncDoneMs = 0
    return this.disk.crash(random, this.diskProfile.tornWriteProbability)
  }

  /** Recovers from the disk alone; returns the decoder's finding for the trace. */
  restart(): { readonly finding: string; readonly damaged: boolean; readonly logLength: number } {
    const recovered = this.wal.recover(
      this.config.bugs.has("applyCorruptRecords"),
      this.config.bugs.has("damagedTailAsTorn")
    )
    this.corruptEntries = recovered.corruptEntries
    this.state = recover(this.config, recovered.durable)
    this.durableHardState = recovered.durable.hardState
    this.incarnation += 1
    return { finding: recovered.finding, damaged: recovered.durable.damaged, logLength: recovered.durable.log.length }
  }

  defer(input: Input): boolean {
    if (this.deferred.length >= deferredInputsMax) return false
    this.deferred.push(input)
    return true
  }
}
