/**
 * Everything a replica refuses, as one closed union of tagged values. A refused input changes no replicated
 * state: it is counted by tag in the replica's statistics (`stats.rejections`), the latest is kept whole for
 * /status, and `describeRejection` is the one place a rejection becomes a line a person reads. Each reason carries
 * the fields needed to see why without the message itself: who sent it, and the numbers that did not fit.
 *
 * Client requests the application refuses are not here: those are answered (ClientResult `Rejected`, carrying an
 * AppRejection), not dropped.
 */
import { Data } from "effect"
import { describeAppRejection, type AppRejection } from "../app/machine.ts"
import type { NodeId } from "./entry.ts"
import type { Message } from "./messages.ts"

export type Rejection = Data.TaggedEnum<{
  /** Bytes from a peer that did not decode with the message Schema (the host says why). */
  Malformed: { readonly from: NodeId; readonly reason: string }
  /** A sender that is not a voter, or one claiming to be this replica. */
  UnknownSender: { readonly from: NodeId }
  OversizedBatch: { readonly from: NodeId; readonly entries: number; readonly maxEntries: number }
  EntriesOutOfOrder: { readonly from: NodeId; readonly expectedIndex: number; readonly index: number }
  /** A term outside what the message itself allows, e.g. a previous-log term above the message's term. */
  InconsistentTerms: {
    readonly from: NodeId
    readonly field: string
    readonly value: number
    readonly lowest: number
    readonly highest: number
  }
  /** An (index, term) pair no log can hold (index 0 has term 0, every other index a term of at least 1), or a
   * rejection that names no index to retry from. */
  InvalidRange: { readonly from: NodeId; readonly field: string; readonly index: number; readonly term: number }
  /** A commit index beyond what the message proves the receiver holds. */
  InflatedCommit: { readonly from: NodeId; readonly leaderCommit: number; readonly provenIndex: number }
  /** A log entry carrying a command the application would refuse. */
  InvalidCommand: { readonly from: NodeId; readonly index: number; readonly rejection: AppRejection }
  StaleTerm: {
    readonly from: NodeId
    readonly message: Message["_tag"]
    readonly term: number
    readonly currentTerm: number
  }
  /** A vote request while a live leader is known (etcd's in-lease check): it would only disrupt. */
  VoteDuringLease: { readonly from: NodeId; readonly term: number; readonly leader: NodeId | null }
  /** An AppendEntries from a second leader of a term whose leader is known (this replica, or another). */
  SecondLeaderInTerm: { readonly from: NodeId; readonly term: number; readonly leader: NodeId }
  /** A request to overwrite committed entries: only a forged or corrupt leader sends one (§5.4). */
  TruncatesCommitted: { readonly from: NodeId; readonly truncateFrom: number; readonly commitIndex: number }
  /** An acknowledgement of entries this leader never had. */
  MatchBeyondLog: { readonly from: NodeId; readonly matchIndex: number; readonly lastIndex: number }
  /** A PersistDone for a write this incarnation never issued (e.g. one from before a restart). */
  UnknownPersist: { readonly ioId: number; readonly nextIoId: number }
}>

export const Rejection = Data.taggedEnum<Rejection>()

export type RejectionTag = Rejection["_tag"]

/** Refusals counted by tag; a tag never seen is absent. */
export type RejectionCounts = Readonly<Partial<Record<RejectionTag, number>>>

const sender = (from: NodeId): string => `from n${from}`

/** The one rendering of a rejection: its tag first, then what did not fit, in a single line. */
export const describeRejection = (rejection: Rejection): string => `${rejection._tag}: ${explain(rejection)}`

const explain = (rejection: Rejection): string => {
  switch (rejection._tag) {
    case "Malformed":
      return `a message ${sender(rejection.from)} did not decode: ${rejection.reason}`
    case "UnknownSender":
      return `n${rejection.from} is not another voter of this cluster`
    case "OversizedBatch":
      return `${rejection.entries} entries ${sender(rejection.from)}, over the limit of ${rejection.maxEntries}`
    case "EntriesOutOfOrder":
      return `entry ${rejection.index} ${sender(rejection.from)} where ${rejection.expectedIndex} belongs`
    case "InconsistentTerms":
      return `${sender(rejection.from)}, ${rejection.field} is ${rejection.value}, outside ${rejection.lowest}..${rejection.highest}`
    case "InvalidRange":
      return `${sender(rejection.from)}, ${rejection.field} ${rejection.index} with term ${rejection.term} names no position a log can hold`
    case "InflatedCommit":
      return `commit index ${rejection.leaderCommit} ${sender(rejection.from)} beyond the ${rejection.provenIndex} the message proves`
    case "InvalidCommand":
      return `entry ${rejection.index} ${sender(rejection.from)}: ${describeAppRejection(rejection.rejection)}`
    case "StaleTerm":
      return `${rejection.message} of term ${rejection.term} ${sender(rejection.from)}, behind the current term ${rejection.currentTerm}`
    case "VoteDuringLease":
      return `vote request for term ${rejection.term} ${sender(rejection.from)} while n${rejection.leader} leads`
    case "SecondLeaderInTerm":
      return `n${rejection.from} claims to lead term ${rejection.term}, which n${rejection.leader} leads`
    case "TruncatesCommitted":
      return `n${rejection.from} would cut the log from ${rejection.truncateFrom}, at or below the commit index ${rejection.commitIndex}`
    case "MatchBeyondLog":
      return `n${rejection.from} acknowledges index ${rejection.matchIndex}, beyond the last index ${rejection.lastIndex}`
    case "UnknownPersist":
      return `a write completion for ioId ${rejection.ioId}, which this incarnation did not issue (next ${rejection.nextIoId})`
  }
}

/** The counts after one more rejection of `tag`: a new object, the old one unchanged. */
export const countRejection = (counts: RejectionCounts, tag: RejectionTag): RejectionCounts => ({
  ...counts,
  [tag]: (counts[tag] ?? 0) + 1
})
