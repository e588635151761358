/**
 * An accepted peer connection before and after the handshake. The property: whatever a sender without the secret
 * writes, in whatever chunks, the node holds at most one hello's worth of bytes for it and never authenticates
 * it; with the secret, frames flow and a frame sent again is refused.
 */
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { encodeFrame } from "./frame.ts"
import { decodeChallenge, encodeHello, frameKeyOf, helloBytes, newNonce, verifyAccept } from "./handshake.ts"
import { InboundPeer, InboundRefusal } from "./inboundPeer.ts"

const secret = "the-cluster-secret"
const makePeer = () =>
  new InboundPeer({
    secret,
    selfId: 1,
    isPeer: (id) => id === 0 || id === 2,
    maxFrameBytes: 8 * 1024 * 1024,
    acceptorNonce: newNonce()
  })

/** A stranger's bytes: random, a hello under a guessed secret, or a huge frame length prefix. */
const strangerBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc
    .string({ minLength: 8, maxLength: 20 })
    .map((guess) => encodeHello(guess, { from: 0, to: 1, acceptorNonce: newNonce(), diallerNonce: newNonce() })),
  fc.constant(Buffer.from([0x00, 0x80, 0x00, 0x00]))
)

describe("an accepted peer connection", () => {
  test.prop([fc.array(strangerBytes, { minLength: 1, maxLength: 20 })], { numRuns: 300 })(
    "never holds more than a hello for a sender without the secret, and never authenticates it",
    (chunks) => {
      const peer = makePeer()
      for (const chunk of chunks) {
        try {
          const progress = peer.push(chunk)
          expect(progress).toBeUndefined()
        } catch (error) {
          expect(error).toBeInstanceOf(InboundRefusal)
          break
        }
        expect(peer.bufferedBytes).toBeLessThanOrEqual(helloBytes)
      }
      expect(peer.authenticatedFrom).toBeUndefined()
    }
  )

  it("authenticates a peer with the secret, answers with proof, and refuses a frame sent twice", () => {
    const peer = makePeer()
    const acceptorNonce = decodeChallenge(peer.challenge)
    if (acceptorNonce === undefined) throw new Error("no challenge")
    const transcript = { from: 0, to: 1, acceptorNonce, diallerNonce: newNonce() }
    const progress = peer.push(encodeHello(secret, transcript))
    if (progress?._tag !== "Authenticated") throw new Error("not authenticated")
    expect(progress.from).toBe(0)
    expect(verifyAccept(secret, transcript, progress.accept)).toBe(true)
    const frame = encodeFrame(frameKeyOf(secret, transcript), 0, { from: 0, to: 1 }, [])
    const tags = (chunk: Buffer) => {
      const pushed = peer.push(chunk)
      return pushed?._tag === "Frames" ? pushed.verdicts.map((verdict) => verdict._tag) : []
    }
    expect(tags(frame)).toEqual(["Accepted"])
    expect(tags(frame)).toEqual(["Replayed"])
  })

  it("refuses an authentic hello addressed to another node or from a node that is not a peer", () => {
    for (const [from, to] of [
      [0, 2],
      [5, 1]
    ] as const) {
      const peer = makePeer()
      const acceptorNonce = decodeChallenge(peer.challenge) as Buffer
      const hello = encodeHello(secret, { from, to, acceptorNonce, diallerNonce: newNonce() })
      expect(() => peer.push(hello)).toThrow(InboundRefusal)
    }
  })

  it("refuses a hello captured from another connection (the challenge differs)", () => {
    const first = makePeer()
    const captured = encodeHello(secret, {
      from: 0,
      to: 1,
      acceptorNonce: decodeChallenge(first.challenge) as Buffer,
      diallerNonce: newNonce()
    })
    expect(first.push(captured)?._tag).toBe("Authenticated")
    expect(() => makePeer().push(captured)).toThrow(InboundRefusal)
  })
})
