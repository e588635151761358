/**
 * Log entries and the durable hard state (Raft §5, Figure 2). Entries carry their (index, term) so that a
 * log can start after a compacted prefix, and membership is a kind of entry so that configuration changes
 * can be replicated like any command when they arrive.
 */
import { Schema } from "effect"
import { AppCommand } from "../app/machine.ts"

export const NodeId = Schema.Int.pipe(Schema.between(0, 1023))
export type NodeId = typeof NodeId.Type
export const Term = Schema.NonNegativeInt
export const Index = Schema.NonNegativeInt

/**
 * The longest session name (clientId) an entry may carry. Hosts derive their own limits from it (the node's
 * Client-Id and Idempotency-Key headers become "client:<id>" and "idempotency:<key>"), and the leader checks every
 * proposal against this Schema before appending it (proposal.ts): an entry its followers or its own recovery could
 * not decode would stop the cluster's commit index for good (issue 13, F1).
 */
export const maxClientIdLength = 128

/** A client's session: commands with the same (clientId, sequence) are applied at most once. */
export const Session = Schema.Struct({
  clientId: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(maxClientIdLength)),
  sequence: Schema.Int.pipe(Schema.between(1, Number.MAX_SAFE_INTEGER))
})
export type Session = typeof Session.Type

export const NoOpPayload = Schema.TaggedStruct("NoOp", {})
export const ConfigPayload = Schema.TaggedStruct("Config", { voters: Schema.Array(NodeId) })
export const CommandPayload = Schema.TaggedStruct("Command", { session: Session, command: AppCommand })
export const EntryPayload = Schema.Union(NoOpPayload, ConfigPayload, CommandPayload)
export type EntryPayload = typeof EntryPayload.Type

export const Entry = Schema.Struct({ index: Index, term: Term, payload: EntryPayload })
export type Entry = typeof Entry.Type

export const HardState = Schema.Struct({ term: Term, votedFor: Schema.NullOr(NodeId) })
export type HardState = typeof HardState.Type

/** A stable text of an entry's payload: the model compares entries by it. */
export const entryDigest = (entry: Entry): string => {
  const payload = entry.payload
  switch (payload._tag) {
    case "NoOp":
      return "noop"
    case "Config":
      return `config:${payload.voters.join(",")}`
    case "Command":
      return `${payload.session.clientId}#${payload.session.sequence}:${JSON.stringify(payload.command)}`
  }
}
