/**
 * What the leader checks before it appends a client's command: the entry must be one that every follower will
 * accept and that the leader's own recovery will read back. Followers decode AppendEntries with the message Schema
 * and then run `validateMessage`; recovery decodes the WAL with the entry Schema. So the proposal is checked
 * against exactly those — the entry payload's Schema and the application's semantic check — and refused with a
 * typed reason otherwise. Before this check a session name one character over the Schema's bound was appended,
 * refused by every follower as Malformed, and stopped the commit index for good (issue 13, F1).
 */
import { Either, Schema } from "effect"
import { checkAppCommand, describeAppRejection, type AppCommand, type AppRejection } from "../app/machine.ts"
import { jsonSizeBytes } from "./encodedSize.ts"
import { CommandPayload, Session } from "./entry.ts"

/** Why a proposal does not fit the log, before the application is asked (the Schema's words in `reason`). */
export type ProposalRejection =
  /** The session does not fit the entry Schema (its name's length, its sequence). */
  | { readonly _tag: "SessionInvalid"; readonly reason: string }
  /** The command does not fit the entry Schema. */
  | { readonly _tag: "CommandInvalid"; readonly reason: string }
  /** The entry's JSON would be larger than any message or WAL record may carry (issue 13, F2). */
  | { readonly _tag: "EntryTooLarge"; readonly reason: string; readonly sizeBytes: number; readonly maxBytes: number }

/** What an entry's index and term add to its payload's JSON, at their largest. */
const entryOverheadBytes =
  jsonSizeBytes({ index: Number.MAX_SAFE_INTEGER, term: Number.MAX_SAFE_INTEGER, payload: {} }) - 2

const isCommandPayload = Schema.is(CommandPayload)
const validateSession = Schema.validateEither(Session)
const validatePayload = Schema.validateEither(CommandPayload)

const firstLine = (text: string): string => text.split("\n").slice(0, 6).join(" ").slice(0, 300)

/** Undefined when the command may be appended; otherwise a typed rejection: the log's or the application's. */
export const checkProposal = (
  session: Session,
  command: AppCommand,
  maxEntryBytes: number
): ProposalRejection | AppRejection | undefined => {
  const payload = { _tag: "Command" as const, session, command }
  if (!isCommandPayload(payload)) {
    // The slow path formats the Schema's own explanation; an accepted proposal never pays for it.
    const sessionProblem = validateSession(session)
    if (Either.isLeft(sessionProblem)) return { _tag: "SessionInvalid", reason: firstLine(sessionProblem.left.message) }
    const payloadProblem = validatePayload(payload)
    const reason = Either.isLeft(payloadProblem) ? firstLine(payloadProblem.left.message) : "the command is malformed"
    return { _tag: "CommandInvalid", reason }
  }
  const rejection = checkAppCommand(command)
  if (rejection !== undefined) return rejection
  const sizeBytes = jsonSizeBytes(payload) + entryOverheadBytes
  if (sizeBytes > maxEntryBytes) {
    const reason = `the entry would be ${sizeBytes} bytes of JSON, over the limit of ${maxEntryBytes}`
    return { _tag: "EntryTooLarge", reason, sizeBytes, maxBytes: maxEntryBytes }
  }
  return undefined
}

const proposalTags: ReadonlySet<string> = new Set<ProposalRejection["_tag"]>([
  "SessionInvalid",
  "CommandInvalid",
  "EntryTooLarge"
])

export const isProposalRejection = (rejection: ProposalRejection | AppRejection): rejection is ProposalRejection =>
  proposalTags.has(rejection._tag)

/** The one line a client is told: the Schema's reason for the log's refusals, the application's words for its own. */
export const describeRequestRejection = (rejection: ProposalRejection | AppRejection): string =>
  isProposalRejection(rejection) ? rejection.reason : describeAppRejection(rejection)
