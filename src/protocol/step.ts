/**
 * The replica: one pure handler per input, `step(config, state, input) → { state, outputs }`.
 */
import { Exit, type Effect } from "effect"
import { handleClientRequest, handleClientRequests } from "./client.ts"
import type { ReplicaConfig } from "./config.ts"
import { assert, beginStep, reject, type Context, type RoleTable } from "./context.ts"
import type { Input, Output } from "./io.ts"
import { leaderTick, maybeCommit, replicateToAll } from "./leader.ts"
import { handleReceive } from "./receive.ts"
import { Rejection } from "./rejection.ts"
import { becomePreCandidate, resetElectionDeadline } from "./roles.ts"
import type { ReplicaState } from "./state.ts"
import { applyCommitted, applyPending } from "./apply.ts"

export interface Transition {
  readonly state: ReplicaState
  readonly outputs: ReadonlyArray<Output>
}

/** The role behaviour reached through the context (see RoleTable): one table for every step. */
const roles: RoleTable = { leader: { replicateToAll } }

const handleTick = (context: Context, nowMs: number): void => {
  // A host clock that steps back (an injected offset) never moves the replica's time backwards.
  context.state.nowMs = Math.max(context.state.nowMs, nowMs)
  if (context.state.electionDeadlineMs === Number.POSITIVE_INFINITY) resetElectionDeadline(context)
  if (context.state.role === "leader") {
    leaderTick(context)
    return
  }
  if (context.state.nowMs < context.state.electionDeadlineMs) return
  if (context.state.recovering) {
    // A replica that lost part of its log to corruption waits for a leader instead of campaigning.
    resetElectionDeadline(context)
    return
  }
  becomePreCandidate(context)
}

const handlePersistDone = (context: Context, ioId: number): void => {
  const state = context.state
  const completed = state.pendingIo.filter((io) => io.ioId <= ioId)
  const last = completed[completed.length - 1]
  if (last === undefined || last.ioId !== ioId) {
    // A completion for a write this incarnation never issued (e.g. from before a restart).
    reject(context, Rejection.UnknownPersist({ ioId, nextIoId: state.nextIoId }))
    return
  }
  state.pendingIo = state.pendingIo.filter((io) => io.ioId > ioId)
  state.durableIndex = last.lastIndexAfter
  for (const io of completed) for (const output of io.release) context.outputs.push(output)
  if (context.state.role === "leader") maybeCommit(context)
  else applyCommitted(context)
}

const wakeAt = (state: ReplicaState): number => {
  // Committed entries are waiting to be applied (applyCommitted's bound): the next Tick applies more.
  if (applyPending(state)) return state.nowMs
  if (state.role === "leader" && state.leaderState !== null) {
    return Math.min(state.heartbeatDeadlineMs, state.leaderState.checkQuorumDeadlineMs)
  }
  return state.electionDeadlineMs
}

/** The pure transition; `step` wraps it as an Effect. An assertion failure is a defect: a replica bug. */
export const stepPure = (config: ReplicaConfig, state: ReplicaState, input: Input): Transition => {
  const context: Context = beginStep(config, roles, state)
  // The clock reading an input carries is applied first, as the Tick a host would otherwise send before it.
  if (input._tag !== "Tick" && input.nowMs !== undefined && input.nowMs > state.nowMs) handleTick(context, input.nowMs)
  switch (input._tag) {
    case "Tick":
      handleTick(context, input.nowMs)
      if (applyPending(context.state)) applyCommitted(context)
      break
    case "Receive":
      handleReceive(context, input.from, input.message)
      break
    case "Malformed":
      reject(context, Rejection.Malformed({ from: input.from, reason: input.reason }))
      break
    case "ClientRequest":
      handleClientRequest(context, input.requestId, input.request)
      break
    case "ClientRequests":
      handleClientRequests(context, input.requests)
      break
    case "PersistDone":
      handlePersistDone(context, input.ioId)
      break
  }
  const next = context.state
  assert(next.commitIndex >= state.commitIndex, "the commit index never decreases")
  assert(next.term >= state.term, "the term never decreases")
  if (!config.bugs.has("applyBeyondCommit")) {
    assert(next.lastApplied <= next.commitIndex, "nothing is applied beyond the commit index")
  }
  const wake = wakeAt(next)
  if (Number.isFinite(wake)) context.outputs.push({ _tag: "WakeAt", atMs: wake })
  return { state: next, outputs: context.outputs }
}

/**
 * The replica as an Effect. The transition is computed when `step` is called and returned as an Exit (an Exit is
 * an Effect): `stepPure` is a pure function, so computing it now or when the Effect runs gives the same value,
 * and Effect's runners return an Exit without starting a fiber — `Effect.sync` cost about a quarter of a
 * simulator step. An assertion failure is a defect (Exit.die), as it would be inside `Effect.sync`.
 */
export const step = (config: ReplicaConfig, state: ReplicaState, input: Input): Effect.Effect<Transition> => {
  try {
    return Exit.succeed(stepPure(config, state, input))
  } catch (defect) {
    return Exit.die(defect)
  }
}
