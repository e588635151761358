/**
 * Linearizable reads with ReadIndex (Raft thesis §6.4): record the commit index, confirm leadership with a
 * round of heartbeats acknowledged by a majority, wait until that index is applied, then answer from the
 * state machine. A deposed or partitioned leader cannot gather the acknowledgements, so it never answers.
 */
import { queryApp, validateAppQuery, type AppQuery } from "../app/machine.ts"
import { quorumSize } from "./config.ts"
import { leaderOf, type Context } from "./context.ts"
import type { RequestId } from "./io.ts"
import type { PendingRead } from "./state.ts"

export const startRead = (context: Context, requestId: RequestId, query: AppQuery): void => {
  if (!registerRead(context, requestId, query)) return
  context.roles.leader.replicateToAll(context, true)
  confirmReads(context)
}

/**
 * Records a read that needs a heartbeat round to confirm leadership; false when it was answered at once
 * (invalid, Busy, or the readWithoutQuorum bug). The caller starts the round: one round serves every read
 * registered before it, as each heartbeat carries the newest read context.
 */
export const registerRead = (context: Context, requestId: RequestId, query: AppQuery): boolean => {
  const leaderState = leaderOf(context)
  const invalid = validateAppQuery(query)
  if (invalid !== undefined) {
    context.outputs.push({
      _tag: "Reply",
      requestId,
      result: { _tag: "Rejected", code: "QueryInvalid", reason: invalid }
    })
    return false
  }
  if (context.config.bugs.has("readWithoutQuorum")) {
    const result = queryApp(context.state.app, query)
    context.outputs.push({
      _tag: "Reply",
      requestId,
      result: { _tag: "Read", result, readIndex: context.state.lastApplied }
    })
    return false
  }
  if (leaderState.reads.length >= context.config.maxPendingReads) {
    context.outputs.push({ _tag: "Reply", requestId, result: { _tag: "Busy" } })
    return false
  }
  const read: PendingRead = { requestId, query, context: leaderState.nextReadContext, readIndex: null }
  leaderState.reads = [...leaderState.reads, read]
  leaderState.nextReadContext = read.context + 1
  return true
}

const confirmed = (context: Context, read: PendingRead): boolean => {
  const leaderState = context.state.leaderState
  if (leaderState === null) return false
  // The leader must know the latest commit: it has committed an entry of its own term (§6.4 step 1).
  if (context.state.commitIndex < leaderState.termStartIndex) return false
  const acknowledgements = leaderState.progress.filter((progress) => progress.readContextAcknowledged >= read.context)
  return 1 + acknowledgements.length >= quorumSize(context.config)
}

/** Confirms reads whose heartbeat round has a majority, and answers those whose index is applied. */
export const confirmReads = (context: Context): void => {
  if (context.state.leaderState === null || context.state.leaderState.reads.length === 0) return
  const leaderState = leaderOf(context)
  const remaining: Array<PendingRead> = []
  for (const pending of leaderState.reads) {
    const read =
      pending.readIndex === null && confirmed(context, pending)
        ? { ...pending, readIndex: context.state.commitIndex }
        : pending
    if (read.readIndex !== null && context.state.lastApplied >= read.readIndex) {
      const result = queryApp(context.state.app, read.query)
      context.outputs.push({
        _tag: "Reply",
        requestId: read.requestId,
        result: { _tag: "Read", result, readIndex: read.readIndex }
      })
    } else remaining.push(read)
  }
  leaderState.reads = remaining
}
