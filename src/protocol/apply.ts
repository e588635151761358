/**
 * Applying committed entries to the state machine, in log order, exactly once per (clientId, sequence).
 */
import { applyApp, type AppResult } from "../app/machine.ts"
import { assert, leaderOf, type Context } from "./context.ts"
import type { Entry } from "./entry.ts"
import type { ClientResult } from "./io.ts"
import * as Log from "./log.ts"
import { confirmReads } from "./reads.ts"
import * as Sessions from "./sessions.ts"

const applyEntry = (context: Context, entry: Entry): { result: ClientResult | undefined; executed: boolean } => {
  const payload = entry.payload
  if (payload._tag !== "Command") return { result: undefined, executed: false }
  const state = context.state
  const bugs = context.config.bugs
  const decision = Sessions.decide(
    state.sessions,
    payload.session,
    !bugs.has("noSessionDeduplication"),
    state.evictedSessions
  )
  if (decision._tag === "Expired") return { result: { _tag: "SessionExpired" }, executed: false }
  if (decision._tag === "Duplicate") {
    return { result: { _tag: "Applied", result: decision.result, index: decision.index }, executed: false }
  }
  const applied = applyApp(state.app, payload.command)
  const result: AppResult = applied.result
  const salt = bugs.has("evictSessionsNondeterministically") ? context.config.id : undefined
  const recorded = Sessions.record(
    {
      table: state.sessions,
      order: state.sessionOrder,
      evicted: state.evictedSessions,
      evictedOrder: state.evictedSessionOrder
    },
    payload.session,
    result,
    entry.index,
    context.config.maxSessions,
    salt
  )
  state.app = applied.state
  state.sessions = recorded.table
  state.evictedSessions = recorded.evicted
  state.sessionOrder = recorded.order
  state.evictedSessionOrder = recorded.evictedOrder
  return { result: { _tag: "Applied", result, index: entry.index }, executed: true }
}

const replyToProposal = (context: Context, index: number, result: ClientResult | undefined): void => {
  if (context.state.leaderState === null) return
  const leaderState = leaderOf(context)
  const proposal = leaderState.proposals.find((candidate) => candidate.index === index)
  if (proposal === undefined) return
  // A proposal is recorded only at the index of the command entry it appended, and a leader never rewrites its log.
  assert(result !== undefined, () => `the proposal at index ${index} names a command entry`)
  context.outputs.push({ _tag: "Reply", requestId: proposal.requestId, result })
  leaderState.proposals = leaderState.proposals.filter((candidate) => candidate.index !== index)
}

/**
 * Applies committed entries in log order, at most `maxAppliedEntriesPerStep` of them: a replica further behind
 * (a restart re-applies its whole log) asks for an immediate Tick (step.ts) and applies the next ones then.
 */
export const applyCommitted = (context: Context): void => {
  const beyond = context.config.bugs.has("applyBeyondCommit")
  // Bug zoo: apply whatever the log holds, committed or not.
  const applyUpTo = beyond ? Log.lastIndex(context.state.log) : context.state.commitIndex
  assert(applyUpTo <= Log.lastIndex(context.state.log), "never apply beyond the log")
  const stopAt = Math.min(applyUpTo, context.state.lastApplied + context.config.maxAppliedEntriesPerStep)
  while (context.state.lastApplied < stopAt) {
    const index = context.state.lastApplied + 1
    const entry = Log.entryAt(context.state.log, index)
    assert(entry !== undefined && entry.index === index, `the log holds committed entry ${index}`)
    const applied = applyEntry(context, entry)
    context.state.lastApplied = index
    context.outputs.push({ _tag: "Applied", entry, executed: applied.executed })
    replyToProposal(context, index, applied.result)
  }
  assert(context.state.lastApplied >= stopAt, "every committed entry up to the step's bound is applied")
  if (context.state.role === "leader") confirmReads(context)
}

/** Committed entries left for a later step by applyCommitted's bound. */
export const applyPending = (state: { readonly lastApplied: number; readonly commitIndex: number }): boolean =>
  state.lastApplied < state.commitIndex
