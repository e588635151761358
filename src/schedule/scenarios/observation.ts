/**
 * What a scripted scenario's expectations may look at: observations both worlds can make of a run. The simulator
 * builds a ScenarioRun from its result and a sample of every replica step that changed something; the Docker
 * replay builds one from its recorded client history, /status polled while the schedule runs, and /status once
 * the cluster has settled. Nothing here is one world's own (no replica state, no trace), so one expectation judges
 * both, and an expectation that needs more than this stays out of the shared definition.
 *
 * Times are schedule milliseconds: the simulator's clock, or the replay's wall clock divided by its time scale.
 */
import type { KvCommand, KvResult } from "../../../model/kv/index.ts"
import type { LedgerInput, LedgerOutput } from "../../../model/ledger/ledger.ts"
import type { HistoryEvent } from "../../../model/linearizability/index.ts"
import type { Schedule } from "../schedule.ts"

/**
 * One replica's status, read somewhere between `fromMs` and `toMs` (equal in the simulator; an HTTP round trip in
 * Docker). Only live replicas are sampled: a crashed or frozen one answers nothing.
 */
export interface StatusSample {
  readonly node: number
  readonly fromMs: number
  readonly toMs: number
  readonly role: string
  readonly term: number
  readonly commitIndex: number
  readonly lastApplied: number
}

/** A replica at the end of the run: in Docker, after the liveness phase has healed, restarted and settled it. */
export interface FinalStatus {
  readonly node: number
  /** Running and answering (in the simulator: up, with a state). */
  readonly up: boolean
  readonly role: string
  readonly term: number
  readonly commitIndex: number
  readonly lastApplied: number
  readonly leaderChanges: number
  /** The ledger's balances by account, where the world can read them (the simulator's replica state). */
  readonly balances?: ReadonlyMap<string, number>
}

/** When one step of the schedule was performed: the simulator performs it at its time, Docker a little later. */
export interface StepTiming {
  readonly startedMs: number
  readonly doneMs: number
  /** False when the step named a role no replica had at that moment (e.g. no leader to crash), so nothing was done. */
  readonly performed: boolean
}

export type KvHistoryEvent = HistoryEvent<KvCommand, KvResult>
export type LedgerHistoryEvent = HistoryEvent<LedgerInput, LedgerOutput>

export interface ScenarioRun {
  readonly schedule: Schedule
  /** One timing per step of `schedule.steps`, in the same order. */
  readonly steps: ReadonlyArray<StepTiming>
  readonly history: ReadonlyArray<KvHistoryEvent>
  readonly ledgerHistory: ReadonlyArray<LedgerHistoryEvent>
  /** Status samples in time order. */
  readonly samples: ReadonlyArray<StatusSample>
  readonly final: ReadonlyArray<FinalStatus>
}
