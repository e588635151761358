/**
 * The peer handshake: before a node reads a single frame from a connection it has accepted, the dialler proves it
 * holds the cluster secret, and the acceptor proves it back. Without it anyone who could reach the peer port could
 * hold connections open and make the node buffer 8 MiB per declared frame length (issue #13, F3).
 *
 *   acceptor → dialler   challenge: "FLC1" | nonceA (32 random bytes)                          36 bytes
 *   dialler  → acceptor  hello:     "FLH1" | from u16 | to u16 | nonceD (32) | HMAC(hello)    72 bytes
 *   acceptor → dialler   accept:    HMAC(accept)                                              32 bytes
 *
 * Both HMACs are keyed with the cluster secret and cover a distinct label, both ids and both nonces, so neither
 * can be replayed on another connection (the other side's nonce differs) or reflected (the labels differ). The
 * frames that follow are authenticated with a key derived the same way (`frameKeyOf`) and numbered (frame.ts), so a
 * frame captured from one connection is refused on any other and cannot be re-sent on its own.
 *
 * Every message has a fixed size: an unauthenticated peer can make the acceptor hold at most `helloBytes`.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

export const nonceBytes = 32
const macBytes = 32
const challengeMagic = Buffer.from("FLC1", "latin1")
const helloMagic = Buffer.from("FLH1", "latin1")
export const challengeBytes = challengeMagic.length + nonceBytes
export const helloBytes = helloMagic.length + 2 + 2 + nonceBytes + macBytes
export const acceptBytes = macBytes

/** What both sides know once the hello is read: the claimed ids and both nonces. */
export interface HandshakeTranscript {
  readonly from: number
  readonly to: number
  readonly acceptorNonce: Buffer
  readonly diallerNonce: Buffer
}

const macOf = (secret: string, label: string, transcript: HandshakeTranscript): Buffer => {
  const ids = Buffer.alloc(4)
  ids.writeUInt16BE(transcript.from, 0)
  ids.writeUInt16BE(transcript.to, 2)
  return createHmac("sha256", secret)
    .update(label)
    .update(ids)
    .update(transcript.acceptorNonce)
    .update(transcript.diallerNonce)
    .digest()
}

const sameMac = (expected: Buffer, presented: Buffer): boolean =>
  presented.length === expected.length && timingSafeEqual(expected, presented)

/** The key of the frames this connection carries (from the dialler to the acceptor). */
export const frameKeyOf = (secret: string, transcript: HandshakeTranscript): Buffer =>
  macOf(secret, "faultline peer frames v1", transcript)

export const newNonce = (): Buffer => randomBytes(nonceBytes)

export const encodeChallenge = (acceptorNonce: Buffer): Buffer => Buffer.concat([challengeMagic, acceptorNonce])

/** The acceptor's nonce from a challenge, or undefined when the bytes are not a challenge. */
export const decodeChallenge = (bytes: Buffer): Buffer | undefined =>
  bytes.length === challengeBytes && bytes.subarray(0, challengeMagic.length).equals(challengeMagic)
    ? Buffer.from(bytes.subarray(challengeMagic.length))
    : undefined

export const encodeHello = (secret: string, transcript: HandshakeTranscript): Buffer => {
  const hello = Buffer.alloc(helloBytes)
  helloMagic.copy(hello, 0)
  hello.writeUInt16BE(transcript.from, 4)
  hello.writeUInt16BE(transcript.to, 6)
  transcript.diallerNonce.copy(hello, 8)
  macOf(secret, "faultline peer hello v1", transcript).copy(hello, 8 + nonceBytes)
  return hello
}

export type HelloVerdict =
  | { readonly _tag: "Authentic"; readonly transcript: HandshakeTranscript }
  | { readonly _tag: "Refused"; readonly reason: "not a hello" | "bad hmac" }

/** Checks a hello against the nonce this acceptor sent; the ids it claims are checked by the caller. */
export const verifyHello = (secret: string, acceptorNonce: Buffer, hello: Buffer): HelloVerdict => {
  if (hello.length !== helloBytes || !hello.subarray(0, 4).equals(helloMagic))
    return { _tag: "Refused", reason: "not a hello" }
  const transcript: HandshakeTranscript = {
    from: hello.readUInt16BE(4),
    to: hello.readUInt16BE(6),
    acceptorNonce,
    diallerNonce: Buffer.from(hello.subarray(8, 8 + nonceBytes))
  }
  const expected = macOf(secret, "faultline peer hello v1", transcript)
  if (!sameMac(expected, hello.subarray(8 + nonceBytes))) return { _tag: "Refused", reason: "bad hmac" }
  return { _tag: "Authentic", transcript }
}

export const encodeAccept = (secret: string, transcript: HandshakeTranscript): Buffer =>
  macOf(secret, "faultline peer accept v1", transcript)

export const verifyAccept = (secret: string, transcript: HandshakeTranscript, accept: Buffer): boolean =>
  sameMac(macOf(secret, "faultline peer accept v1", transcript), accept)
