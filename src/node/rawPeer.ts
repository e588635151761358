/**
 * Test and benchmark support: raw connections to a node's peer port, as a stranger (no secret) or as a configured
 * peer that completes the handshake and then writes frames of its choosing — forged, malformed, replayed.
 */
import * as net from "node:net"
import { encodeFrame } from "./frame.ts"
import {
  acceptBytes,
  challengeBytes,
  decodeChallenge,
  encodeHello,
  frameKeyOf,
  newNonce,
  verifyAccept
} from "./handshake.ts"

/** A connection that has read the node's challenge (or failed to within `timeoutMs`). */
export const connectRaw = (port: number, timeoutMs = 10_000): Promise<{ socket: net.Socket; challenge: Buffer }> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    let received = Buffer.alloc(0)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error("no challenge from the node"))
    }, timeoutMs)
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk])
      if (received.length < challengeBytes) return
      clearTimeout(timer)
      socket.off("data", onData)
      resolve({ socket, challenge: received.subarray(0, challengeBytes) })
    }
    socket.on("data", onData)
    socket.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })

export interface AuthenticatedPeer {
  readonly socket: net.Socket
  readonly frameKey: Buffer
  /** Writes one frame numbered `sequence` (default: the next one) carrying these messages. */
  readonly send: (messages: ReadonlyArray<unknown>, sequence?: number) => Buffer
}

/** Completes the handshake as node `from` towards node `to`, knowing the secret. */
export const connectAsPeer = async (
  port: number,
  secret: string,
  from: number,
  to: number
): Promise<AuthenticatedPeer> => {
  const { socket, challenge } = await connectRaw(port)
  const acceptorNonce = decodeChallenge(challenge)
  if (acceptorNonce === undefined) throw new Error("not a challenge")
  const transcript = { from, to, acceptorNonce, diallerNonce: newNonce() }
  const accept = await new Promise<Buffer>((resolve, reject) => {
    let received = Buffer.alloc(0)
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (received.length >= acceptBytes) resolve(received.subarray(0, acceptBytes))
    })
    socket.on("close", () => reject(new Error("the node closed the connection during the handshake")))
    socket.write(encodeHello(secret, transcript))
  })
  if (!verifyAccept(secret, transcript, accept)) throw new Error("the node's answer does not prove the secret")
  const frameKey = frameKeyOf(secret, transcript)
  let nextSequence = 0
  const send = (messages: ReadonlyArray<unknown>, sequence = nextSequence): Buffer => {
    const frame = encodeFrame(
      frameKey,
      sequence,
      { from, to },
      messages.map((message) => JSON.stringify(message))
    )
    nextSequence = sequence + 1
    socket.write(frame)
    return frame
  }
  return { socket, frameKey, send }
}

export interface HeldConnections {
  /** Connections opened so far (reopened ones included) and those the node closed. */
  readonly opened: () => number
  readonly closedByNode: () => number
  readonly open: () => number
  /** Closes every connection and stops reopening. */
  readonly release: () => Promise<void>
}

/**
 * Holds `count` connections to a peer port as an attacker without the secret would: each sends `payload` (say a
 * length prefix of a huge frame and part of its body) and then nothing. With `reopen`, a connection the node closes
 * is opened again after `reopenDelayMs`, at most `maxOpens` accepted connections in all; a refused dial is retried
 * the same way (at most 10 × `maxOpens` dials), so a node that restarts finds the strangers waiting.
 */
export const holdConnections = (
  port: number,
  count: number,
  options: {
    readonly payload?: Buffer
    readonly reopen?: boolean
    readonly reopenDelayMs?: number
    readonly maxOpens?: number
  } = {}
): HeldConnections => {
  const sockets = new Set<net.Socket>()
  const maxOpens = options.maxOpens ?? count * 100
  // A refused dial (the node is down or restarting) is retried too, so the strangers are there the moment a
  // restarted node listens; only connections the node accepted count towards maxOpens, and dials are bounded apart.
  const maxDials = maxOpens * 10
  let dials = 0
  let opened = 0
  let closedByNode = 0
  let released = false
  const openOne = (): void => {
    if (released || opened >= maxOpens || dials >= maxDials) return
    dials += 1
    const socket = net.connect({ host: "127.0.0.1", port })
    let connected = false
    sockets.add(socket)
    socket.on("connect", () => {
      connected = true
      opened += 1
      if (options.payload !== undefined) socket.write(options.payload)
    })
    socket.on("data", () => undefined)
    socket.on("error", () => undefined)
    socket.on("close", () => {
      sockets.delete(socket)
      if (released) return
      if (connected) closedByNode += 1
      if (options.reopen === true) setTimeout(openOne, options.reopenDelayMs ?? 20)
    })
  }
  for (let index = 0; index < count; index += 1) openOne()
  return {
    opened: () => opened,
    closedByNode: () => closedByNode,
    open: () => sockets.size,
    release: async () => {
      released = true
      const closing = [...sockets].map(
        (socket) =>
          new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())))
      )
      for (const socket of sockets) socket.destroy()
      await Promise.all(closing)
    }
  }
}

/** A length prefix declaring a frame of `declaredBytes`, followed by `sentBytes` of its body. */
export const partialFrame = (declaredBytes: number, sentBytes: number): Buffer => {
  const bytes = Buffer.alloc(4 + sentBytes, 0x41)
  bytes.writeUInt32BE(declaredBytes, 0)
  return bytes
}
