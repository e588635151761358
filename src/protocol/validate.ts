/**
 * Semantic checks of a decoded peer message, before it may touch any state. A message that fails one is
 * counted under its reason and dropped; nothing is thrown.
 */
import { validateAppCommand } from "../app/machine.ts"
import type { ReplicaConfig } from "./config.ts"
import type { Entry, NodeId } from "./entry.ts"
import type { AppendEntries, Message, RequestVote } from "./messages.ts"

export type RejectionReason =
  | "UnknownSender"
  | "OversizedBatch"
  | "EntriesOutOfOrder"
  | "InconsistentTerms"
  | "InvalidRange"
  | "InflatedCommit"
  | "InvalidCommand"

/** Index 0 is the empty log's sentinel and has term 0; every real entry has a term of at least 1. */
const sentinelConsistent = (index: number, term: number): boolean => (index === 0) === (term === 0)

const checkRequestVote = (request: RequestVote): RejectionReason | undefined => {
  if (request.term === 0) return "InconsistentTerms"
  if (request.lastLogTerm > request.term) return "InconsistentTerms"
  if (!sentinelConsistent(request.lastLogIndex, request.lastLogTerm)) return "InvalidRange"
  return undefined
}

const checkEntry = (
  entry: Entry,
  expectedIndex: number,
  minimumTerm: number,
  maximumTerm: number
): RejectionReason | undefined => {
  if (entry.index !== expectedIndex) return "EntriesOutOfOrder"
  if (entry.term < Math.max(1, minimumTerm) || entry.term > maximumTerm) return "InconsistentTerms"
  if (entry.payload._tag === "Command" && validateAppCommand(entry.payload.command) !== undefined)
    return "InvalidCommand"
  return undefined
}

const checkAppendEntries = (config: ReplicaConfig, request: AppendEntries): RejectionReason | undefined => {
  if (request.term === 0) return "InconsistentTerms"
  if (request.entries.length > config.maxEntriesPerMessage) return "OversizedBatch"
  if (request.prevLogTerm > request.term) return "InconsistentTerms"
  if (!sentinelConsistent(request.prevLogIndex, request.prevLogTerm)) return "InvalidRange"
  let previousTerm = request.prevLogTerm
  for (let position = 0; position < request.entries.length; position += 1) {
    const entry = request.entries[position] as Entry
    const problem = checkEntry(entry, request.prevLogIndex + 1 + position, previousTerm, request.term)
    if (problem !== undefined) return problem
    previousTerm = entry.term
  }
  // An honest leader only vouches for a commit index its message proves we hold (see leader.ts sendBatch).
  const inflated = request.leaderCommit > request.prevLogIndex + request.entries.length
  if (inflated && !config.bugs.has("acceptInflatedCommit")) return "InflatedCommit"
  return undefined
}

export const validateMessage = (config: ReplicaConfig, from: NodeId, message: Message): RejectionReason | undefined => {
  if (from === config.id || !config.voters.includes(from)) return "UnknownSender"
  switch (message._tag) {
    case "RequestVote":
      return checkRequestVote(message)
    case "AppendEntries":
      return checkAppendEntries(config, message)
    case "AppendEntriesResponse":
      if (!message.success && message.conflictIndex === 0) return "InvalidRange"
      return undefined
    case "RequestVoteResponse":
      return undefined
  }
}
