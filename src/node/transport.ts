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
 */
import * as net from "node:net"
import { Either } from "effect"
import type { Input, Message } from "../protocol/index.ts"
import { linkFaultsFor, noFaults, planDelivery, type FaultSettings } from "./faults.ts"
import { FrameReader, openFrame } from "./frame.ts"
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
}

export interface TransportCounters {
  framesReceived: number
  messagesReceived: number
  badHmacFrames: number
  badEnvelopeFrames: number
  badLengthFrames: number
  misaddressedFrames: number
  malformedMessages: number
  faultDrops: number
  delayedDrops: number
  refusedConnections: number
}

const maxInboundConnections = 64
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
    refusedConnections: 0
  }
  /** Peers' HTTP addresses, learned from their authenticated frames. */
  readonly peerHttpUrls = new Map<number, string>()
  private readonly links = new Map<number, PeerLink>()
  private readonly server: net.Server
  private readonly inbound = new Set<net.Socket>()
  private faults: FaultSettings = noFaults
  private delayedMessages = 0

  constructor(private readonly options: TransportOptions) {
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
    for (const socket of this.inbound) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(socket: net.Socket): void {
    if (this.inbound.size >= maxInboundConnections) {
      this.counters.refusedConnections += 1
      socket.destroy()
      return
    }
    this.inbound.add(socket)
    socket.setNoDelay(true)
    const reader = new FrameReader(this.options.maxFrameBytes)
    socket.on("data", (chunk: Buffer) => {
      const bodies = reader.push(chunk)
      if (bodies === "BadLength") {
        // The stream cannot be resynchronized after a bad length prefix: drop the connection.
        this.counters.badLengthFrames += 1
        socket.destroy()
        return
      }
      for (const body of bodies) this.receiveFrame(body)
    })
    socket.on("error", () => undefined)
    socket.on("close", () => this.inbound.delete(socket))
  }

  private receiveFrame(body: Buffer): void {
    const verdict = openFrame(this.options.secret, body)
    if (verdict._tag === "BadHmac") {
      this.counters.badHmacFrames += 1
      return
    }
    if (verdict._tag === "BadEnvelope") {
      this.counters.badEnvelopeFrames += 1
      return
    }
    const { from, to, httpUrl } = verdict.envelope
    if (to !== this.options.selfId || !this.options.peers.has(from)) {
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
