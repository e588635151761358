/**
 * Semantic checks of a decoded peer message, before it may touch any state. A message that fails one is
 * counted under its reason and dropped; nothing is thrown.
 */
import { checkAppCommand } from "../app/machine.ts"
import type { ReplicaConfig } from "./config.ts"
import type { Entry, NodeId } from "./entry.ts"
import type { AppendEntries, Message, RequestVote } from "./messages.ts"
import { Rejection } from "./rejection.ts"

/** Index 0 is the empty log's sentinel and has term 0; every real entry has a term of at least 1. */
const sentinelConsistent = (index: number, term: number): boolean => (index === 0) === (term === 0)

const maxTerm = Number.MAX_SAFE_INTEGER

/** A message's own term is at least 1: term 0 is the state before any election. */
const checkOwnTerm = (from: NodeId, term: number): Rejection | undefined =>
  term === 0
    ? Rejection.InconsistentTerms({ from, field: "term", value: term, lowest: 1, highest: maxTerm })
    : undefined

/** A term the message quotes from a log cannot be above the message's own term. */
const checkQuotedTerm = (from: NodeId, field: string, value: number, term: number): Rejection | undefined =>
  value > term ? Rejection.InconsistentTerms({ from, field, value, lowest: 0, highest: term }) : undefined

const checkSentinel = (from: NodeId, field: string, index: number, term: number): Rejection | undefined =>
  sentinelConsistent(index, term) ? undefined : Rejection.InvalidRange({ from, field, index, term })

const checkRequestVote = (from: NodeId, request: RequestVote): Rejection | undefined =>
  checkOwnTerm(from, request.term) ??
  checkQuotedTerm(from, "lastLogTerm", request.lastLogTerm, request.term) ??
  checkSentinel(from, "lastLogIndex", request.lastLogIndex, request.lastLogTerm)

const checkEntry = (
  from: NodeId,
  entry: Entry,
  expectedIndex: number,
  minimumTerm: number,
  maximumTerm: number
): Rejection | undefined => {
  if (entry.index !== expectedIndex) return Rejection.EntriesOutOfOrder({ from, expectedIndex, index: entry.index })
  const lowest = Math.max(1, minimumTerm)
  if (entry.term < lowest || entry.term > maximumTerm) {
    return Rejection.InconsistentTerms({
      from,
      field: `the term of entry ${entry.index}`,
      value: entry.term,
      lowest,
      highest: maximumTerm
    })
  }
  if (entry.payload._tag !== "Command") return undefined
  const rejection = checkAppCommand(entry.payload.command)
  return rejection === undefined ? undefined : Rejection.InvalidCommand({ from, index: entry.index, rejection })
}

const checkEntries = (from: NodeId, request: AppendEntries): Rejection | undefined => {
  let previousTerm = request.prevLogTerm
  for (let position = 0; position < request.entries.length; position += 1) {
    const entry = request.entries[position] as Entry
    const problem = checkEntry(from, entry, request.prevLogIndex + 1 + position, previousTerm, request.term)
    if (problem !== undefined) return problem
    previousTerm = entry.term
  }
  return undefined
}

const checkAppendEntries = (config: ReplicaConfig, from: NodeId, request: AppendEntries): Rejection | undefined => {
  const ownTerm = checkOwnTerm(from, request.term)
  if (ownTerm !== undefined) return ownTerm
  if (request.entries.length > config.maxEntriesPerMessage) {
    return Rejection.OversizedBatch({
      from,
      entries: request.entries.length,
      maxEntries: config.maxEntriesPerMessage
    })
  }
  const problem =
    checkQuotedTerm(from, "prevLogTerm", request.prevLogTerm, request.term) ??
    checkSentinel(from, "prevLogIndex", request.prevLogIndex, request.prevLogTerm) ??
    checkEntries(from, request)
  if (problem !== undefined) return problem
  // An honest leader only vouches for a commit index its message proves we hold (see leader.ts sendBatch).
  const provenIndex = request.prevLogIndex + request.entries.length
  if (request.leaderCommit > provenIndex && !config.bugs.has("acceptInflatedCommit")) {
    return Rejection.InflatedCommit({ from, leaderCommit: request.leaderCommit, provenIndex })
  }
  return undefined
}

/** The reason a decoded peer message must be dropped, or undefined when it may go on to the role's handler. */
export const validateMessage = (config: ReplicaConfig, from: NodeId, message: Message): Rejection | undefined => {
  if (from === config.id || !config.voters.includes(from)) return Rejection.UnknownSender({ from })
  switch (message._tag) {
    case "RequestVote":
      return checkRequestVote(from, message)
    case "AppendEntries":
      return checkAppendEntries(config, from, message)
    case "AppendEntriesResponse":
      if (!message.success && message.conflictIndex === 0) {
        return Rejection.InvalidRange({ from, field: "conflictIndex", index: 0, term: message.conflictTerm })
      }
      return undefined
    case "RequestVoteResponse":
      return undefined
  }
}
