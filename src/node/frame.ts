/**
 * Peer frames on the wire: `u32 length (big-endian) | 32-byte HMAC-SHA256 | payload`, where the length counts the
 * HMAC and the payload, and the payload is the JSON of a PeerEnvelope. The HMAC is keyed with the cluster secret
 * and covers the whole payload, sender and addressee included, so an outsider can neither forge a message nor
 * redirect one meant for another node.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { Either, Schema } from "effect"
import { Message, NodeId, type Message as MessageType } from "../protocol/index.ts"

export const lengthPrefixBytes = 4
export const hmacBytes = 32
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

const decodeEnvelope = Schema.decodeUnknownEither(Schema.parseJson(PeerEnvelope))
const decodeMessage = Schema.decodeUnknownEither(Message)

export const hmacOf = (secret: string, payload: Uint8Array): Buffer =>
  createHmac("sha256", secret).update(payload).digest()

/** One frame carrying already-serialized messages (each the JSON of a protocol Message). */
export const encodeFrame = (
  secret: string,
  header: { readonly from: number; readonly to: number; readonly httpUrl?: string },
  serializedMessages: ReadonlyArray<string>
): Buffer => {
  const httpPart = header.httpUrl === undefined ? "" : `,"httpUrl":${JSON.stringify(header.httpUrl)}`
  const payloadText = `{"from":${header.from},"to":${header.to}${httpPart},"messages":[${serializedMessages.join(",")}]}`
  const payload = Buffer.from(payloadText, "utf8")
  const frame = Buffer.allocUnsafe(lengthPrefixBytes + hmacBytes + payload.length)
  frame.writeUInt32BE(hmacBytes + payload.length, 0)
  hmacOf(secret, payload).copy(frame, lengthPrefixBytes)
  payload.copy(frame, lengthPrefixBytes + hmacBytes)
  return frame
}

/** The bytes a serialized message adds to a frame's payload (its JSON and a separating comma). */
export const framedSizeBytes = (serializedMessage: string): number => Buffer.byteLength(serializedMessage, "utf8") + 1

export type FrameVerdict =
  | { readonly _tag: "BadHmac" }
  | { readonly _tag: "BadEnvelope"; readonly reason: string }
  | {
      readonly _tag: "Accepted"
      readonly envelope: PeerEnvelope
      readonly messages: ReadonlyArray<Either.Either<MessageType, string>>
    }

/** Checks the HMAC first (nothing unauthenticated is parsed), then the envelope, then each message. */
export const openFrame = (secret: string, body: Buffer): FrameVerdict => {
  if (body.length < hmacBytes) return { _tag: "BadHmac" }
  const payload = body.subarray(hmacBytes)
  const expected = hmacOf(secret, payload)
  if (!timingSafeEqual(expected, body.subarray(0, hmacBytes))) return { _tag: "BadHmac" }
  const envelope = decodeEnvelope(payload.toString("utf8"))
  if (Either.isLeft(envelope)) return { _tag: "BadEnvelope", reason: envelope.left.message.slice(0, 300) }
  const messages = envelope.right.messages.map((raw) =>
    Either.mapLeft(decodeMessage(raw), (error) => error.message.slice(0, 300))
  )
  return { _tag: "Accepted", envelope: envelope.right, messages }
}

/**
 * Splits a byte stream into frame bodies (HMAC + payload). Chunks are kept in a list and joined only once a whole
 * frame is present, so a large frame arriving in many chunks is copied once.
 */
export class FrameReader {
  private chunks: Array<Buffer> = []
  private bufferedBytes = 0

  constructor(private readonly maxFrameBytes: number) {}

  /** Returns the complete frame bodies, or "BadLength" when a length prefix exceeds the bound or is too short to hold an HMAC. */
  push(chunk: Buffer): Array<Buffer> | "BadLength" {
    this.chunks.push(chunk)
    this.bufferedBytes += chunk.length
    const bodies: Array<Buffer> = []
    // Each iteration consumes one whole frame, so the loop ends within bufferedBytes / lengthPrefixBytes rounds.
    while (this.bufferedBytes >= lengthPrefixBytes) {
      const head = this.peek(lengthPrefixBytes)
      const bodyLength = head.readUInt32BE(0)
      if (bodyLength > this.maxFrameBytes || bodyLength < hmacBytes) return "BadLength"
      if (this.bufferedBytes < lengthPrefixBytes + bodyLength) break
      const whole = this.take(lengthPrefixBytes + bodyLength)
      bodies.push(whole.subarray(lengthPrefixBytes))
    }
    return bodies
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
    this.bufferedBytes = rest.length
    return taken
  }
}
