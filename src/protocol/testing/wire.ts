/**
 * What a host does to a message on its way between two replicas, and to entries on their way to disk and back:
 * JSON text, then the Schema. Protocol tests route every message and every persisted entry through it, so that a
 * replica is shown only what a real host could show it — an entry the leader can hold in memory but the wire or the
 * disk cannot carry shows up as a Malformed message or an unreadable record, as it would on a real node.
 */
import { Either, Schema } from "effect"
import { Entry } from "../entry.ts"
import { Message } from "../messages.ts"

const decodeMessage = Schema.decodeUnknownEither(Message)
const decodeEntries = Schema.decodeUnknownEither(Schema.Array(Entry))

/** The message a peer decodes from the JSON the sender wrote, or why it refuses it. */
export const messageThroughWire = (message: Message): Either.Either<Message, string> =>
  Either.mapLeft(decodeMessage(JSON.parse(JSON.stringify(message))), (error) => error.message.slice(0, 300))

/** The bytes a message takes on the wire (its JSON in UTF-8). */
export const wireSizeBytes = (message: Message): number => textEncoder.encode(JSON.stringify(message)).length
const textEncoder = new TextEncoder()

/** The entries recovery reads back from the JSON a Persist wrote, or why the record is unreadable. */
export const entriesThroughDisk = (entries: ReadonlyArray<Entry>): Either.Either<ReadonlyArray<Entry>, string> =>
  Either.mapLeft(decodeEntries(JSON.parse(JSON.stringify(entries))), (error) => error.message.slice(0, 300))
