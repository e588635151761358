/**
 * Exactly-once writes over HTTP: a request's headers name the replica session (clientId, sequence) its command
 * runs under. `Idempotency-Key: K` is session ("idempotency:K", 1); `Client-Id` + `Sequence` are used as given.
 * A request with neither gets the next sequence of this node's own session, which is never retried.
 */
import { randomUUID } from "node:crypto"
import type * as http from "node:http"
import { maxIdempotencyKeyLength as ledgerMaxIdempotencyKeyLength } from "../app/ledger/index.ts"
import { maxClientIdLength, type Session } from "../protocol/index.ts"
import { decimalHeaderValue, HttpRefusal } from "./httpBody.ts"

const clientIdPrefix = "client:"
const idempotencyPrefix = "idempotency:"

/**
 * The header limits follow from the entry Schema's session bound (and the ledger's key bound), so they cannot drift
 * from what the log holds: a 122-character Client-Id used to pass here and make a 129-character session that no
 * follower could decode (issue 13, F1). The replica checks every proposal against the Schema as well.
 */
export const maxClientIdHeaderLength = maxClientIdLength - clientIdPrefix.length
export const maxIdempotencyKeyLength = Math.min(
  maxClientIdLength - idempotencyPrefix.length,
  ledgerMaxIdempotencyKeyLength
)
const printableAscii = /^[\x21-\x7e]+$/

export type SessionSource = { readonly _tag: "Given"; readonly session: Session } | { readonly _tag: "Automatic" }

export const sessionSourceOf = (request: http.IncomingMessage): SessionSource => {
  const idempotencyKey = headerOf(request, "idempotency-key")
  const clientId = headerOf(request, "client-id")
  const sequence = headerOf(request, "sequence")
  if (idempotencyKey !== undefined) {
    if (clientId !== undefined || sequence !== undefined) {
      throw new HttpRefusal({ status: 400, reason: "use either Idempotency-Key or Client-Id with Sequence, not both" })
    }
    if (!printableAscii.test(idempotencyKey) || idempotencyKey.length > maxIdempotencyKeyLength) {
      throw new HttpRefusal({
        status: 400,
        reason: `Idempotency-Key should be 1 to ${maxIdempotencyKeyLength} printable ASCII characters`
      })
    }
    return { _tag: "Given", session: { clientId: `${idempotencyPrefix}${idempotencyKey}`, sequence: 1 } }
  }
  if (clientId === undefined && sequence === undefined) return { _tag: "Automatic" }
  if (clientId === undefined || sequence === undefined) {
    throw new HttpRefusal({ status: 400, reason: "Client-Id and Sequence go together" })
  }
  if (!printableAscii.test(clientId) || clientId.length > maxClientIdHeaderLength) {
    throw new HttpRefusal({
      status: 400,
      reason: `Client-Id should be 1 to ${maxClientIdHeaderLength} printable ASCII characters`
    })
  }
  const sequenceNumber = decimalHeaderValue(sequence, 1, Number.MAX_SAFE_INTEGER)
  if (sequenceNumber === undefined) {
    throw new HttpRefusal({ status: 400, reason: "Sequence should be a positive integer in plain decimal" })
  }
  return { _tag: "Given", session: { clientId: `${clientIdPrefix}${clientId}`, sequence: sequenceNumber } }
}

/** The request's Idempotency-Key, once sessionSourceOf has accepted it. */
export const idempotencyKeyOf = (request: http.IncomingMessage): string | undefined =>
  headerOf(request, "idempotency-key")

const headerOf = (request: http.IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * This node's own session for requests without a key. Sequences are handed out in the order requests are
 * submitted, which is the order the replica appends them, so each is newer than the last applied one. If the
 * session was evicted (the replica answers SessionExpired), a fresh one is started: nothing ran.
 */
export class AutomaticSessions {
  private clientId: string
  private nextSequence = 1
  private generation = 0

  constructor(private readonly nodeId: number) {
    this.clientId = this.makeClientId()
  }

  next(): Session {
    const session = { clientId: this.clientId, sequence: this.nextSequence }
    this.nextSequence += 1
    return session
  }

  /** Starts a new session unless another request already did. */
  expired(clientId: string): void {
    if (clientId !== this.clientId) return
    this.generation += 1
    this.clientId = this.makeClientId()
    this.nextSequence = 1
  }

  private makeClientId(): string {
    return `auto:${this.nodeId}:${randomUUID().slice(0, 8)}:${this.generation}`
  }
}
