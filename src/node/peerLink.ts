/**
 * One outgoing link to a peer: a persistent TCP connection that reconnects with exponential backoff, a bounded
 * send queue, and batching — while the socket is busy (a write is not yet drained) messages accumulate and the
 * next flush sends them all in as few frames as the maximum frame size allows.
 */
import * as net from "node:net"
import { encodeFrame, framedSizeBytes } from "./frame.ts"

export interface PeerAddress {
  readonly host: string
  readonly port: number
}

export interface PeerLinkOptions {
  readonly selfId: number
  readonly peerId: number
  readonly address: PeerAddress
  readonly secret: string
  readonly httpUrl: string
  readonly maxQueueMessages: number
  readonly maxFrameBytes: number
}

export interface PeerLinkCounters {
  connected: boolean
  connects: number
  connectFailures: number
  framesSent: number
  messagesSent: number
  queueDrops: number
  oversizedDrops: number
}

const backoffInitialMs = 50
const backoffMaxMs = 2_000

export class PeerLink {
  readonly counters: PeerLinkCounters = {
    connected: false,
    connects: 0,
    connectFailures: 0,
    framesSent: 0,
    messagesSent: 0,
    queueDrops: 0,
    oversizedDrops: 0
  }
  private socket: net.Socket | undefined
  private queue: Array<string> = []
  private flushScheduled = false
  private waitingForDrain = false
  private backoffMs = backoffInitialMs
  private reconnectTimer: NodeJS.Timeout | undefined
  private closed = false

  constructor(private readonly options: PeerLinkOptions) {
    this.connect()
  }

  /** Queues one serialized message; drops it (counted) when the queue is full — Raft retransmits. */
  enqueue(serializedMessage: string): void {
    if (this.closed) return
    if (this.queue.length >= this.options.maxQueueMessages) {
      this.counters.queueDrops += 1
      return
    }
    this.queue.push(serializedMessage)
    this.scheduleFlush()
  }

  close(): void {
    this.closed = true
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer)
    this.socket?.destroy()
    this.queue = []
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.waitingForDrain) return
    this.flushScheduled = true
    // A microtask runs once the current callback (a host's whole drain of inputs) has finished, so every message
    // its steps produced joins the same frame. setImmediate coalesced a little more but sent a leader's
    // AppendEntries, which is on every write's commit path, only after the next poll phase had handled whatever
    // HTTP requests and frames were waiting: A/B on the loaded 2-core machine, median 2,307 -> 3,228 writes/s.
    queueMicrotask(() => {
      this.flushScheduled = false
      this.flush()
    })
  }

  private flush(): void {
    const socket = this.socket
    if (socket === undefined || !this.counters.connected || this.waitingForDrain) return
    // Bounded: each frame takes at least one message off the queue (or drops an oversized one).
    while (this.queue.length > 0) {
      const frameMessages = this.takeFrameMessages()
      if (frameMessages.length === 0) continue
      const frame = encodeFrame(
        this.options.secret,
        { from: this.options.selfId, to: this.options.peerId },
        frameMessages
      )
      this.counters.framesSent += 1
      this.counters.messagesSent += frameMessages.length
      if (!socket.write(frame)) {
        this.waitingForDrain = true
        return
      }
    }
  }

  private takeFrameMessages(): Array<string> {
    const budgetBytes = this.options.maxFrameBytes - 256
    const taken: Array<string> = []
    let sizeBytes = 0
    while (this.queue.length > 0) {
      const next = this.queue[0] as string
      const nextBytes = framedSizeBytes(next)
      if (nextBytes > budgetBytes) {
        this.queue.shift()
        this.counters.oversizedDrops += 1
        continue
      }
      if (sizeBytes + nextBytes > budgetBytes) break
      taken.push(next)
      sizeBytes += nextBytes
      this.queue.shift()
    }
    return taken
  }

  private connect(): void {
    if (this.closed) return
    const socket = net.connect({ host: this.options.address.host, port: this.options.address.port, noDelay: true })
    this.socket = socket
    socket.on("connect", () => {
      this.counters.connected = true
      this.counters.connects += 1
      this.backoffMs = backoffInitialMs
      const hello = { from: this.options.selfId, to: this.options.peerId, httpUrl: this.options.httpUrl }
      socket.write(encodeFrame(this.options.secret, hello, []))
      this.scheduleFlush()
    })
    socket.on("drain", () => {
      this.waitingForDrain = false
      this.scheduleFlush()
    })
    // Nothing is expected back on an outgoing link; reading keeps a misbehaving peer from filling our buffers.
    socket.on("data", () => undefined)
    socket.on("error", () => undefined)
    socket.on("close", () => this.onClose(socket))
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return
    if (!this.counters.connected) this.counters.connectFailures += 1
    this.counters.connected = false
    this.waitingForDrain = false
    this.socket = undefined
    if (this.closed) return
    const delayMs = this.backoffMs * (0.5 + Math.random() / 2)
    this.backoffMs = Math.min(backoffMaxMs, this.backoffMs * 2)
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs)
  }
}
