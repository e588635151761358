/**
 * One simulated replica process: the shared replica host (src/host) over the simulator's world — its clock with
 * drift, its disk and write-ahead log, the event queue for "later in this turn" and timers — and its life
 * (running, crashed, paused). A write becomes buffered records plus an fsync that completes after the disk's
 * latency; a crash ends the host; a restart recovers a new host from the disk alone.
 */
import { Cause, Effect, Exit } from "effect"
import type { ReplicaConfig } from "../protocol/config.ts"
import type { HardState } from "../protocol/entry.ts"
import type { Input } from "../protocol/io.ts"
import { initialState, recover, type ReplicaState } from "../protocol/state.ts"
import { ReplicaHost, type HostWorld, type Stepper } from "../host/host.ts"
import type { Done } from "../host/world.ts"
import type { WalRecord } from "../storage/walRecord.ts"
import { step, stepPure, type Transition } from "../protocol/step.ts"
import { checkReplicaState } from "../protocol/checkState.ts"
import { assert } from "../assert.ts"
import { ReplicaClock } from "./clock.ts"
import { SimDisk } from "./disk.ts"
import type { SimContext } from "./events.ts"
import type { SimRandom } from "../schedule/random.ts"
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

/** What the simulation gives each replica's host: its world, and how a step is run (with the run's checks). */
export interface SimWiring {
  readonly world: (replica: SimReplica) => HostWorld
  readonly stepper: (replica: SimReplica) => Stepper
}

export class SimReplica {
  host: ReplicaHost | null = null
  incarnation = 0
  pauseId = 0
  readonly clock = new ReplicaClock()
  readonly disk = new SimDisk()
  readonly wal = new Wal(this.disk)
  /** The host's timer: what runs when the replica's clock reaches its desired wake time. */
  private timerRun: (() => void) | undefined
  private wiring: SimWiring | undefined
  /** The simulated time the replica next wants a Tick, and the times of Wake events already queued. */
  desiredWakeMs = Number.POSITIVE_INFINITY
  private readonly queuedWakesMs: Array<number> = []
  private lastFsyncDoneMs = 0
  /** The hard state on the disk (synced), and hard states written but not yet synced, by ioId. */
  durableHardState: HardState = { term: 0, votedFor: null }
  private readonly unsyncedHardStates: Array<HardState> = []
  /** Entries the last recovery took from records that failed their checksum (only with applyCorruptRecords). */
  corruptEntries: ReadonlyMap<number, string> = new Map()

  constructor(
    readonly node: number,
    readonly config: ReplicaConfig,
    private readonly diskProfile: DiskProfile,
    private readonly diskRandom: SimRandom
  ) {
    this.correctConfig = config.bugs.size === 0 ? config : { ...config, bugs: new Set() }
  }

  /** The same replica without planted bugs (bisect switches them off from a chosen step on). */
  private readonly correctConfig: ReplicaConfig

  /** Connects the replica to the run and starts its first incarnation with an empty state. */
  wire(wiring: SimWiring): void {
    this.wiring = wiring
    this.boot(initialState(this.config))
  }

  private boot(state: ReplicaState): void {
    const wiring = this.wiring
    assert(wiring !== undefined, () => `n${this.node} is booted before it is wired to a run`)
    this.host = new ReplicaHost({
      config: this.config,
      initialState: state,
      world: wiring.world(this),
      stepper: wiring.stepper(this),
      maxQueuedInputs: deferredInputsMax
    })
  }

  get state(): ReplicaState | null {
    return this.host?.state ?? null
  }

  get up(): boolean {
    return this.host !== null
  }

  get paused(): boolean {
    return this.host?.paused ?? false
  }

  localNowMs(simulatedMs: number): number {
    return this.clock.localAt(simulatedMs)
  }

  /**
   * Runs one step and, with `checkState`, asserts the invariants of the state it produced. An assertion failure —
   * inside the replica or of its resulting state — is returned as the defect, never thrown.
   */
  runStep(
    state: ReplicaState,
    input: Input,
    mode: StepMode,
    checkState: boolean,
    withBugs = true
  ): Transition | StepDefect {
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

  /** The host's storage: the records are buffered now and made durable after the fsync latency. */
  append(context: SimContext, records: ReadonlyArray<WalRecord>, done: Done): void {
    let wrote = false
    for (const record of records) {
      if (this.wal.append(record)) wrote = true
      if (record.hardState !== undefined) this.unsyncedHardStates.push(record.hardState)
    }
    const profile = this.diskProfile
    const slow = context.nowMs < this.disk.slowUntilMs ? slowDiskFactor : 1
    const latencyMs = this.diskRandom.integer(profile.fsyncMinMs, profile.fsyncMaxMs) * slow
    // One write is in flight at a time (group commit), so an fsync never finishes before the one issued before it.
    const doneMs = Math.max(context.nowMs + latencyMs, this.lastFsyncDoneMs)
    this.lastFsyncDoneMs = doneMs
    context.enqueue(doneMs, { _tag: "FsyncDone", node: this.node, incarnation: this.incarnation, wrote, done })
  }

  /** The host's timer: `run` when the replica's clock reads `localWakeMs` (Infinity: no timer). */
  timerAt(context: SimContext, localWakeMs: number, run: () => void): void {
    this.timerRun = run
    if (!Number.isFinite(localWakeMs)) {
      this.desiredWakeMs = Number.POSITIVE_INFINITY
      return
    }
    this.wantWake(context, localWakeMs)
  }

  /** A queued Wake fired: runs the host's timer when its time has come. */
  wake(context: SimContext): void {
    if (!this.wakeFired(context)) return
    this.desiredWakeMs = Number.POSITIVE_INFINITY
    const run = this.timerRun
    this.timerRun = undefined
    run?.()
  }

  /** Keeps at least one queued Wake at or before the desired time, without a queue entry per step. */
  private wantWake(context: SimContext, localWakeMs: number): void {
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

  /** A queued Wake fired: true when the replica's timer is due. */
  private wakeFired(context: SimContext): boolean {
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
    if (last !== undefined) this.durableHardState = last
    while (this.unsyncedHardStates.length > 0) this.unsyncedHardStates.pop()
  }

  crash(random: SimRandom): number {
    this.unsyncedHardStates.length = 0
    this.host?.stop()
    this.host = null
    this.incarnation += 1
    this.timerRun = undefined
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
    // The recovering marker (as the node's file): a replica that lost acknowledged records keeps refusing to vote
    // across restarts until a leader has caught it up, even though its truncated log now reads cleanly.
    if (recovered.durable.damaged) this.disk.recoveringMarker = true
    this.incarnation += 1
    this.boot(recover(this.config, { ...recovered.durable, damaged: this.disk.recoveringMarker }))
    this.durableHardState = recovered.durable.hardState
    return { finding: recovered.finding, damaged: recovered.durable.damaged, logLength: recovered.durable.log.length }
  }

  /** The host's storage: the replica caught up after corruption. The marker is forgotten at once. */
  markRecovered(done: Done): void {
    this.disk.recoveringMarker = false
    done()
  }
}
