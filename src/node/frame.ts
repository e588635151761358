/**
 * Peer frames on the wire: `u32 length (big-endian) | 32-byte HMAC-SHA256 | u64 sequence | payload`, where the
 * length counts the HMAC, the sequence and the payload, and the payload is the JSON of a PeerEnvelope. Frames are
 * sent only after the handshake (handshake.ts); the HMAC is keyed with that connection's frame key and covers the
 * sequence and the whole payload, sender and addressee included, so an outsider can neither forge a message nor
 * redirect one meant for another node, a frame captured on one connection fails the HMAC on every other, and the
 * sequence (0, 1, 2, … per connection) refuses a frame sent twice on the same one.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { Either, Schema } from "effect"
import { decodeUnknownEitherTotal } from "../schemaIssue.ts"
import { isExactMessage, Message, NodeId, type Message as MessageType } from "../protocol/index.ts"

export const lengthPrefixBytes = 4
export const hmacBytes = 32
export const sequenceBytes = 8
/** Large enough for a full AppendEntries batch of maximal values (64 × 64 KiB), small enough to bound memory. */
export const maxFrameBytesDefault = 8 * 1024 * 1024

export const PeerEnvelope = Schema.Struct({
  from: NodeId,
  to: NodeId,
  /** The sender's HTTP address, so that a follower can redirect clients to the leader. */
  httpUrl: Schema.optional(Schema.String.pipe(Schema.maxLength(256))),
  messages: Schema.Array(Schema.Unknown).pipe(Schema.maxItems(4096))
})
export type PeerEnvelope = typeof PeerEnvelope.Type

const decodeEnvelope = decodeUnknownEitherTotal(Schema.parseJson(PeerEnvelope))
const decodeMessage = decodeUnknownEitherTotal(Message)

/** The HMAC of a frame's sequence and payload (`sequenced`), under the connection's frame key. */
export const hmacOf = (frameKey: Buffer, sequenced: Uint8Array): Buffer =>
  createHmac("sha256", frameKey).update(sequenced).digest()

/** One frame carrying already-serialized messages (each the JSON of a protocol Message). */
export const encodeFrame = (
  frameKey: Buffer,
  sequence: number,
  header: { readonly from: number; readonly to: number; readonly httpUrl?: string },
  serializedMessages: ReadonlyArray<string>
): Buffer => {
  const httpPart = header.httpUrl === undefined ? "" : `,"httpUrl":${JSON.stringify(header.httpUrl)}`
  const payloadText = `{"from":${header.from},"to":${header.to}${httpPart},"messages":[${serializedMessages.join(",")}]}`
  const payloadBytes = Buffer.byteLength(payloadText, "utf8")
  const frame = Buffer.allocUnsafe(lengthPrefixBytes + hmacBytes + sequenceBytes + payloadBytes)
  frame.writeUInt32BE(hmacBytes + sequenceBytes + payloadBytes, 0)
  const sequencedAt = lengthPrefixBytes + hmacBytes
  frame.writeUInt32BE(Math.floor(sequence / 2 ** 32), sequencedAt)
  frame.writeUInt32BE(sequence >>> 0, sequencedAt + 4)
  frame.write(payloadText, sequencedAt + sequenceBytes, "utf8")
  hmacOf(frameKey, frame.subarray(sequencedAt)).copy(frame, lengthPrefixBytes)
  return frame
}

/** The bytes a serialized message adds to a frame's payload (its JSON and a separating comma). */
export const framedSizeBytes = (serializedMessage: string): number => Buffer.byteLength(serializedMessage, "utf8") + 1

export type FrameVerdict =
  | { readonly _tag: "BadHmac" }
  /** Authentic, but not the next frame of this connection: a frame sent again. */
  | { readonly _tag: "Replayed"; readonly sequence: number; readonly expected: number }
  | { readonly _tag: "BadEnvelope"; readonly reason: string }
  | {
      readonly _tag: "Accepted"
      readonly envelope: PeerEnvelope
      readonly messages: ReadonlyArray<Either.Either<MessageType, string>>
    }

/**
 * Checks the HMAC first (nothing unauthenticated is parsed), then that the frame is the connection's next
 * (`expectedSequence`), then the envelope, then each message.
 */
export const openFrame = (frameKey: Buffer, expectedSequence: number, body: Buffer): FrameVerdict => {
  if (body.length < hmacBytes + sequenceBytes) return { _tag: "BadHmac" }
  const expected = hmacOf(frameKey, body.subarray(hmacBytes))
  if (!timingSafeEqual(expected, body.subarray(0, hmacBytes))) return { _tag: "BadHmac" }
  const sequence = body.readUInt32BE(hmacBytes) * 2 ** 32 + body.readUInt32BE(hmacBytes + 4)
  if (sequence !== expectedSequence) return { _tag: "Replayed", sequence, expected: expectedSequence }
  const payload = body.subarray(hmacBytes + sequenceBytes)
  const envelope = decodeEnvelope(payload.toString("utf8"))
  if (Either.isLeft(envelope)) return { _tag: "BadEnvelope", reason: envelope.left.message.slice(0, 300) }
  // A message of exactly its Schema's shape is taken as parsed (protocol/exactShape.ts); the Schema judges the rest.
  const messages = envelope.right.messages.map((raw) =>
    isExactMessage(raw) ? Either.right(raw) : Either.mapLeft(decodeMessage(raw), (error) => error.message.slice(0, 300))
  )
  return { _tag: "Accepted", envelope: envelope.right, messages }
}

/**
 * Splits a byte stream into frame bodies (HMAC + payload). Chunks are kept in a list and joined only once a whole
 * frame is present, so a large frame arriving in many chunks is copied once.
 */
export class FrameReader {
  private chunks: Array<Buffer> = []
  private heldBytes = 0

  constructor(private readonly maxFrameBytes: number) {}

  /**
   * Returns the complete frame bodies, "Oversized" when a length prefix exceeds the bound, or "BadLength" when it
   * is too short to hold an HMAC and a sequence. Only authenticated connections get a reader (transport.ts).
   */
  push(chunk: Buffer): Array<Buffer> | "BadLength" | "Oversized" {
    this.chunks.push(chunk)
    this.heldBytes += chunk.length
    const bodies: Array<Buffer> = []
    // Each iteration consumes one whole frame, so the loop ends within heldBytes / lengthPrefixBytes rounds.
    while (this.heldBytes >= lengthPrefixBytes) {
      const head = this.peek(lengthPrefixBytes)
      const bodyLength = head.readUInt32BE(0)
      if (bodyLength > this.maxFrameBytes) return "Oversized"
      if (bodyLength < hmacBytes + sequenceBytes) return "BadLength"
      if (this.heldBytes < lengthPrefixBytes + bodyLength) break
      const whole = this.take(lengthPrefixBytes + bodyLength)
      bodies.push(whole.subarray(lengthPrefixBytes))
    }
    return bodies
  }

  /** Bytes held for frames not yet complete. */
  get bufferedBytes(): number {
    return this.heldBytes
  }

  private peek(count: number): Buffer {
    const first = this.chunks[0]
    if (first !== undefined && first.length >= count) return first
    const joined = Buffer.concat(this.chunks)
    this.chunks = [joined]
    return joined
  }

  private take(count: number): Buffer {
    const joined = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks)
    const taken = joined.subarray(0, count)
    const rest = joined.subarray(count)
    this.chunks = rest.length > 0 ? [rest] : []
    this.heldBytes = rest.length
    return taken
  }
}
