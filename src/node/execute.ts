/**
 * Runs one client request against the local replica within the request's deadline. While no leader is known
 * (an election is under way) it retries; when another node leads it stops and names it, so that the HTTP layer
 * can redirect the client.
 */
import type { AppCommand, AppQuery } from "../app/machine.ts"
import type { ClientRequest, ClientResult, NodeId } from "../protocol/index.ts"
import type { AutomaticSessions, SessionSource } from "./clientSessions.ts"
import type { ReplicaHost } from "../host/host.ts"
import { sleep } from "./httpBody.ts"

export type Outcome =
  | { readonly _tag: "Result"; readonly result: ClientResult }
  | { readonly _tag: "OtherLeader"; readonly leader: NodeId }
  /** The deadline passed. `proposed`: a command may still take effect. */
  | { readonly _tag: "Timeout"; readonly proposed: boolean }

export type Operation =
  | { readonly _tag: "Command"; readonly command: AppCommand; readonly source: SessionSource }
  | { readonly _tag: "Query"; readonly query: AppQuery }

const retryPauseMs = 25
/** Bounds the retries of one request even with a long deadline. */
const maxAttempts = 2_000

export const execute = async (
  host: ReplicaHost,
  sessions: AutomaticSessions,
  selfId: NodeId,
  operation: Operation,
  deadlineMs: number
): Promise<Outcome> => {
  const deadlineAtMs = performance.now() + deadlineMs
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const remainingMs = deadlineAtMs - performance.now()
    if (remainingMs <= 0) break
    const request = requestOf(operation, sessions)
    let resolveResult: (result: ClientResult) => void = () => undefined
    const answered = new Promise<ClientResult>((resolve) => (resolveResult = resolve))
    const submission = host.submit(request, resolveResult)
    const result = await withTimeout(answered, remainingMs)
    if (result === undefined) {
      submission.cancel()
      return { _tag: "Timeout", proposed: operation._tag === "Command" }
    }
    if (result._tag === "NotLeader" && result.leaderHint !== null && result.leaderHint !== selfId) {
      return { _tag: "OtherLeader", leader: result.leaderHint }
    }
    if (
      result._tag === "SessionExpired" &&
      request._tag === "Command" &&
      operation._tag === "Command" &&
      operation.source._tag === "Automatic"
    ) {
      sessions.expired(request.session.clientId)
      continue
    }
    if (result._tag !== "NotLeader") return { _tag: "Result", result }
    await sleep(Math.min(retryPauseMs, Math.max(0, deadlineAtMs - performance.now())))
  }
  // Only NotLeader answers came back: nothing was proposed.
  return { _tag: "Timeout", proposed: false }
}

const requestOf = (operation: Operation, sessions: AutomaticSessions): ClientRequest => {
  if (operation._tag === "Query") return { _tag: "Query", query: operation.query }
  const session = operation.source._tag === "Given" ? operation.source.session : sessions.next()
  return { _tag: "Command", session, command: operation.command }
}

const withTimeout = <A>(promise: Promise<A>, timeoutMs: number): Promise<A | undefined> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs)
    promise.then((value) => {
      clearTimeout(timer)
      resolve(value)
    })
  })
