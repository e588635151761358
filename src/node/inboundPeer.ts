/**
 * One accepted peer connection as a state machine over the bytes it receives, with no socket of its own, so that
 * what an unauthenticated sender can make the node hold is a property of this class alone (inboundPeer.test.ts):
 *
 * - before the handshake (handshake.ts) it holds at most `helloBytes`; a byte that is not part of a correct hello,
 *   or one more byte than the hello before the node has answered it, ends the connection;
 * - only after the hello proved the secret does it get a FrameReader, which may hold up to one maximal frame.
 */
import { Data } from "effect"
import { FrameReader, openFrame, type FrameVerdict } from "./frame.ts"
import {
  encodeAccept,
  encodeChallenge,
  frameKeyOf,
  helloBytes,
  verifyHello,
  type HandshakeTranscript
} from "./handshake.ts"

/** Why a connection is closed; each is counted in the transport's counters. */
export class InboundRefusal extends Data.TaggedError("InboundRefusal")<{
  readonly reason: "BadHandshake" | "MisaddressedHandshake" | "OversizedFrame" | "BadLengthFrame"
}> {}

export type InboundProgress =
  /** The hello just proved the secret: send `accept`, then frames from `from` follow. */
  | { readonly _tag: "Authenticated"; readonly from: number; readonly accept: Buffer }
  /** Frames opened, in order (each verdict counted and, when accepted, delivered by the transport). */
  | { readonly _tag: "Frames"; readonly verdicts: ReadonlyArray<FrameVerdict> }

export interface InboundPeerOptions {
  readonly secret: string
  readonly selfId: number
  readonly isPeer: (id: number) => boolean
  readonly maxFrameBytes: number
  readonly acceptorNonce: Buffer
}

export class InboundPeer {
  /** The bytes to send as soon as the connection is accepted. */
  readonly challenge: Buffer
  private hello: Buffer | undefined = Buffer.alloc(helloBytes)
  private helloFilled = 0
  private session: { readonly transcript: HandshakeTranscript; readonly frameKey: Buffer } | undefined
  private reader: FrameReader | undefined
  private nextSequence = 0

  constructor(private readonly options: InboundPeerOptions) {
    this.challenge = encodeChallenge(options.acceptorNonce)
  }

  get authenticatedFrom(): number | undefined {
    return this.session?.transcript.from
  }

  /** Bytes held for an unfinished hello or frame: at most helloBytes before authentication. */
  get bufferedBytes(): number {
    return this.reader === undefined ? this.helloFilled : this.reader.bufferedBytes
  }

  /** Consumes one chunk; throws an InboundRefusal when the connection must end. */
  push(chunk: Buffer): InboundProgress | undefined {
    if (this.reader !== undefined) return this.pushFrames(chunk)
    const hello = this.hello
    if (hello === undefined) throw new InboundRefusal({ reason: "BadHandshake" })
    // The dialler sends nothing after its hello until it has our answer: more bytes than a hello are refused.
    if (this.helloFilled + chunk.length > helloBytes) throw new InboundRefusal({ reason: "BadHandshake" })
    chunk.copy(hello, this.helloFilled)
    this.helloFilled += chunk.length
    if (this.helloFilled < helloBytes) return undefined
    return this.authenticate(hello)
  }

  /** Lets go of every buffer (the connection ended). */
  close(): void {
    this.hello = undefined
    this.helloFilled = 0
    this.reader = undefined
  }

  private authenticate(hello: Buffer): InboundProgress {
    this.hello = undefined
    this.helloFilled = 0
    const verdict = verifyHello(this.options.secret, this.options.acceptorNonce, hello)
    if (verdict._tag === "Refused") throw new InboundRefusal({ reason: "BadHandshake" })
    const { transcript } = verdict
    if (transcript.to !== this.options.selfId || !this.options.isPeer(transcript.from))
      throw new InboundRefusal({ reason: "MisaddressedHandshake" })
    this.session = { transcript, frameKey: frameKeyOf(this.options.secret, transcript) }
    this.reader = new FrameReader(this.options.maxFrameBytes)
    return { _tag: "Authenticated", from: transcript.from, accept: encodeAccept(this.options.secret, transcript) }
  }

  private pushFrames(chunk: Buffer): InboundProgress {
    const session = this.session
    const reader = this.reader
    if (session === undefined || reader === undefined) throw new InboundRefusal({ reason: "BadHandshake" })
    const bodies = reader.push(chunk)
    // The stream cannot be resynchronized after a bad length prefix: the connection ends.
    if (bodies === "Oversized") throw new InboundRefusal({ reason: "OversizedFrame" })
    if (bodies === "BadLength") throw new InboundRefusal({ reason: "BadLengthFrame" })
    const verdicts = bodies.map((body) => {
      const verdict = openFrame(session.frameKey, this.nextSequence, body)
      if (verdict._tag !== "BadHmac" && verdict._tag !== "Replayed") this.nextSequence += 1
      return verdict
    })
    return { _tag: "Frames", verdicts }
  }
}
