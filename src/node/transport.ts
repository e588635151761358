/**
 * The peer transport: TCP with length-prefixed, HMAC-authenticated frames (frame.ts).
 *
 * Why TCP frames rather than HTTP/2: a Raft node sends many small messages to a few fixed peers; one persistent
 * connection per direction with our own framing costs one write per batch and no per-message headers, streams or
 * flow-control windows, and batching is just "everything queued while the socket was busy goes in the next frame".
 * HTTP/2 would add HPACK and stream bookkeeping per message for features (multiplexed requests, responses) that
 * one-way Raft messages do not use.
 *
 * Each node dials every peer and uses that connection only to send; it only reads from connections it accepts.
 *
 * An accepted connection must prove the cluster secret (handshake.ts) within `handshakeTimeoutMs` before the node
 * reads a frame from it, and until then it can make the node hold at most one hello (72 bytes). At most
 * `maxUnauthenticated` connections may be handshaking at once, the oldest evicted first, apart from the
 * authenticated ones: one per configured peer (a newer authenticated connection from the same peer replaces the
 * older), so connections from strangers can never take a peer's place (issue #13, F3: 62 idle connections kept a
 * restarted node from rejoining). Every refusal is counted.
 */
import * as net from "node:net"
import { Either } from "effect"
import type { Input, Message } from "../protocol/index.ts"
import { linkFaultsFor, noFaults, planDelivery, type FaultSettings } from "./faults.ts"
import type { FrameVerdict } from "./frame.ts"
import { newNonce } from "./handshake.ts"
import { InboundPeer, InboundRefusal } from "./inboundPeer.ts"
import { PeerLink, type PeerAddress } from "./peerLink.ts"

export interface TransportOptions {
  readonly selfId: number
  readonly listen: PeerAddress
  readonly peers: ReadonlyMap<number, PeerAddress>
  readonly secret: string
  readonly httpUrl: string
  readonly maxQueueMessages: number
  readonly maxFrameBytes: number
  /** Delivers authenticated inputs (Receive or Malformed) from one frame, in order. */
  readonly deliver: (inputs: ReadonlyArray<Input>) => void
  readonly limits?: Partial<InboundLimits>
}

export interface InboundLimits {
  /** How long an accepted connection has to prove the secret. */
  readonly handshakeTimeoutMs: number
  /** An authenticated connection that sends nothing (not even a keepalive, peerLink.ts) for this long is closed. */
  readonly idleTimeoutMs: number
  /** Connections handshaking at once; the oldest is evicted to make room. */
  readonly maxUnauthenticated: number
}

export const inboundLimitsDefault: InboundLimits = {
  handshakeTimeoutMs: 3_000,
  idleTimeoutMs: 20_000,
  maxUnauthenticated: 16
}

export interface TransportCounters {
  framesReceived: number
  messagesReceived: number
  /** Authenticated frames whose HMAC failed (a frame captured on another connection fails here). */
  badHmacFrames: number
  badEnvelopeFrames: number
  /** Connections closed for a frame length too short for an HMAC and a sequence. */
  badLengthFrames: number
  /** Connections closed for a frame length over the maximum. */
  oversizedFrames: number
  /** Authentic frames out of sequence: a frame sent again on its connection. */
  replayedFrames: number
  misaddressedFrames: number
  malformedMessages: number
  faultDrops: number
  delayedDrops: number
  handshakesCompleted: number
  /** Hellos that were not a hello, failed the HMAC, or came with more bytes than a hello. */
  badHandshakes: number
  /** Authentic hellos naming another addressee or a sender that is not a configured peer. */
  misaddressedHandshakes: number
  handshakeTimeouts: number
  idleTimeouts: number
  /** Unauthenticated connections closed to make room for a newer one. */
  evictedUnauthenticated: number
  /** Authenticated connections closed because the same peer authenticated a newer one. */
  replacedConnections: number
  /** Open now: still handshaking, and authenticated. */
  unauthenticatedConnections: number
  authenticatedConnections: number
}

const maxDelayedMessages = 10_000

export class PeerTransport {
  readonly counters: TransportCounters = {
    framesReceived: 0,
    messagesReceived: 0,
    badHmacFrames: 0,
    badEnvelopeFrames: 0,
    badLengthFrames: 0,
    misaddressedFrames: 0,
    malformedMessages: 0,
    faultDrops: 0,
    delayedDrops: 0,
    oversizedFrames: 0,
    replayedFrames: 0,
    handshakesCompleted: 0,
    badHandshakes: 0,
    misaddressedHandshakes: 0,
    handshakeTimeouts: 0,
    idleTimeouts: 0,
    evictedUnauthenticated: 0,
    replacedConnections: 0,
    unauthenticatedConnections: 0,
    authenticatedConnections: 0
  }
  /** Peers' HTTP addresses, learned from their authenticated frames. */
  readonly peerHttpUrls = new Map<number, string>()
  private readonly links = new Map<number, PeerLink>()
  private readonly server: net.Server
  /** Handshaking connections, oldest first (a Set iterates in insertion order). */
  private readonly unauthenticated = new Set<net.Socket>()
  private readonly authenticated = new Map<number, net.Socket>()
  private readonly limits: InboundLimits
  private faults: FaultSettings = noFaults
  private delayedMessages = 0

  constructor(private readonly options: TransportOptions) {
    this.limits = { ...inboundLimitsDefault, ...options.limits }
    this.server = net.createServer((socket) => this.accept(socket))
    for (const [peerId, address] of options.peers) {
      const linkOptions = { ...options, peerId, address }
      this.links.set(peerId, new PeerLink(linkOptions))
    }
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject)
      this.server.listen(this.options.listen.port, this.options.listen.host, () => {
        this.server.off("error", reject)
        resolve()
      })
    })
  }

  setFaults(settings: FaultSettings): void {
    this.faults = settings
  }

  send(to: number, message: Message): void {
    const link = this.links.get(to)
    if (link === undefined) return
    const serialized = JSON.stringify(message)
    const faults = linkFaultsFor(this.faults, to)
    if (
      faults.dropRate === 0 &&
      faults.duplicateRate === 0 &&
      faults.delayMs === 0 &&
      faults.reorderRate === 0 &&
      faults.delayJitterMs === 0
    ) {
      link.enqueue(serialized)
      return
    }
    const delays = planDelivery(faults, Math.random)
    if (delays.length === 0) this.counters.faultDrops += 1
    for (const delayMs of delays) this.deliverLater(link, serialized, delayMs)
  }

  private deliverLater(link: PeerLink, serialized: string, delayMs: number): void {
    if (delayMs <= 0) return link.enqueue(serialized)
    if (this.delayedMessages >= maxDelayedMessages) {
      this.counters.delayedDrops += 1
      return
    }
    this.delayedMessages += 1
    setTimeout(() => {
      this.delayedMessages -= 1
      link.enqueue(serialized)
    }, delayMs)
  }

  peerStatus(): ReadonlyArray<Record<string, unknown>> {
    return [...this.links.entries()].map(([peerId, link]) => ({
      id: peerId,
      address: `${this.options.peers.get(peerId)?.host}:${this.options.peers.get(peerId)?.port}`,
      httpUrl: this.peerHttpUrls.get(peerId) ?? null,
      ...link.counters
    }))
  }

  async close(): Promise<void> {
    for (const link of this.links.values()) link.close()
    for (const socket of this.unauthenticated) socket.destroy()
    for (const socket of this.authenticated.values()) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(socket: net.Socket): void {
    if (this.unauthenticated.size >= this.limits.maxUnauthenticated) {
      const oldest = this.unauthenticated.values().next().value
      if (oldest !== undefined) {
        this.counters.evictedUnauthenticated += 1
        this.unauthenticated.delete(oldest)
        oldest.destroy()
      }
    }
    this.unauthenticated.add(socket)
    socket.setNoDelay(true)
    const peer = new InboundPeer({
      secret: this.options.secret,
      selfId: this.options.selfId,
      isPeer: (id) => this.options.peers.has(id),
      maxFrameBytes: this.options.maxFrameBytes,
      acceptorNonce: newNonce()
    })
    const deadline = setTimeout(() => {
      this.counters.handshakeTimeouts += 1
      socket.destroy()
    }, this.limits.handshakeTimeoutMs)
    socket.write(peer.challenge)
    socket.on("data", (chunk: Buffer) => this.receive(socket, peer, deadline, chunk))
    socket.on("error", () => undefined)
    socket.on("close", () => {
      clearTimeout(deadline)
      peer.close()
      this.unauthenticated.delete(socket)
      const from = peer.authenticatedFrom
      if (from !== undefined && this.authenticated.get(from) === socket) this.authenticated.delete(from)
      this.countOpen()
    })
    this.countOpen()
  }

  private receive(socket: net.Socket, peer: InboundPeer, deadline: NodeJS.Timeout, chunk: Buffer): void {
    if (socket.destroyed) return
    try {
      const progress = peer.push(chunk)
      if (progress === undefined) return
      if (progress._tag === "Authenticated") {
        clearTimeout(deadline)
        this.authenticatedAs(socket, progress.from)
        socket.write(progress.accept)
        return
      }
      const from = peer.authenticatedFrom
      for (const verdict of progress.verdicts) if (from !== undefined) this.receiveFrame(from, verdict)
    } catch (error) {
      if (!(error instanceof InboundRefusal)) throw error
      this.countRefusal(error)
      socket.destroy()
    }
  }

  private authenticatedAs(socket: net.Socket, from: number): void {
    this.counters.handshakesCompleted += 1
    this.unauthenticated.delete(socket)
    const previous = this.authenticated.get(from)
    if (previous !== undefined) {
      this.counters.replacedConnections += 1
      previous.destroy()
    }
    this.authenticated.set(from, socket)
    // A peer that just dialled in is up: our own link to it need not wait out its backoff.
    this.links.get(from)?.peerIsUp()
    socket.setTimeout(this.limits.idleTimeoutMs, () => {
      this.counters.idleTimeouts += 1
      socket.destroy()
    })
    this.countOpen()
  }

  private countRefusal(refusal: InboundRefusal): void {
    const counters = this.counters
    if (refusal.reason === "BadHandshake") counters.badHandshakes += 1
    else if (refusal.reason === "MisaddressedHandshake") counters.misaddressedHandshakes += 1
    else if (refusal.reason === "OversizedFrame") counters.oversizedFrames += 1
    else counters.badLengthFrames += 1
  }

  private countOpen(): void {
    this.counters.unauthenticatedConnections = this.unauthenticated.size
    this.counters.authenticatedConnections = this.authenticated.size
  }

  private receiveFrame(authenticatedFrom: number, verdict: FrameVerdict): void {
    if (verdict._tag === "BadHmac") {
      this.counters.badHmacFrames += 1
      return
    }
    if (verdict._tag === "Replayed") {
      this.counters.replayedFrames += 1
      return
    }
    if (verdict._tag === "BadEnvelope") {
      this.counters.badEnvelopeFrames += 1
      return
    }
    const { from, to, httpUrl } = verdict.envelope
    if (to !== this.options.selfId || from !== authenticatedFrom) {
      this.counters.misaddressedFrames += 1
      return
    }
    this.counters.framesReceived += 1
    if (httpUrl !== undefined) this.peerHttpUrls.set(from, httpUrl)
    const inputs: Array<Input> = verdict.messages.map((decoded) => {
      if (Either.isRight(decoded)) return { _tag: "Receive", from, message: decoded.right }
      this.counters.malformedMessages += 1
      return { _tag: "Malformed", from, reason: decoded.left }
    })
    this.counters.messagesReceived += inputs.length
    if (inputs.length > 0) this.options.deliver(inputs)
  }
}
