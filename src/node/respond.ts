/**
 * The answers every route shares: a deadline that passed, another node leading (redirect), and the replica's
 * answers that are not an application result (rejected, busy, session expired, leadership lost). A route supplies
 * only how its own application's result becomes a response.
 */
import type * as http from "node:http"
import type { AppResult } from "../app/machine.ts"
import type { ClientResult, NodeId } from "../protocol/index.ts"
import type { Outcome } from "./execute.ts"
import { sendJson } from "./httpBody.ts"

export interface RouteContext {
  readonly leaderHttpUrl: (leader: NodeId) => string | undefined
}

/** Where the result lives: the log index of a command, or the read index of a linearizable read. */
export type Position = { readonly index: number } | { readonly readIndex: number }

export type ResultResponder = (result: AppResult, position: Position) => void

export const respondToOutcome = (
  context: RouteContext,
  outcome: Outcome,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  respondToAppResult: ResultResponder
): void => {
  switch (outcome._tag) {
    case "Timeout": {
      const reason = outcome.proposed
        ? "no commit within the deadline; the write may still take effect"
        : "no leader within the deadline"
      return sendJson(
        response,
        503,
        { error: reason, outcome: outcome.proposed ? "unknown" : "not applied" },
        { "retry-after": "1" }
      )
    }
    case "OtherLeader": {
      const leaderUrl = context.leaderHttpUrl(outcome.leader)
      const body = { error: "not the leader", leader: outcome.leader, leaderUrl: leaderUrl ?? null }
      if (leaderUrl === undefined) return sendJson(response, 503, body, { "retry-after": "1" })
      return sendJson(response, 307, body, { location: `${leaderUrl}${request.url ?? ""}` })
    }
    case "Result":
      return respondToClientResult(outcome.result, response, respondToAppResult)
  }
}

const respondToClientResult = (
  result: ClientResult,
  response: http.ServerResponse,
  respondToAppResult: ResultResponder
): void => {
  switch (result._tag) {
    case "Applied":
      return respondToAppResult(result.result, { index: result.index })
    case "Read":
      return respondToAppResult(result.result, { readIndex: result.readIndex })
    case "Rejected":
      // An entry that could never fit a peer message or a WAL record is too large, whatever else it is.
      return sendJson(response, result.code === "EntryTooLarge" ? 413 : 400, {
        error: result.reason,
        reason: result.code
      })
    case "SessionExpired":
      return sendJson(response, 422, {
        error: "the session expired or the sequence is older than its last; it was not run again"
      })
    case "Busy":
      return sendJson(
        response,
        503,
        { error: "too many requests in flight", outcome: "not applied" },
        { "retry-after": "1" }
      )
    case "Unknown":
      return sendJson(response, 503, {
        error: "leadership was lost; the write may or may not take effect",
        outcome: "unknown"
      })
    case "NotLeader":
      return sendJson(response, 503, { error: "no leader", outcome: "not applied" }, { "retry-after": "1" })
  }
}

/**
 * A result of the other application for this route's request. Sessions are shared by both applications, so this is
 * a key reused across them: `Idempotency-Key: K` (or `Client-Id` + `Sequence`) first sent with a ledger request and
 * now with a key-value one, or the reverse. The session answers the first command's result and runs nothing; that
 * result has no form in this route's answers, so the client gets a 422 naming the reuse, with the first result as
 * it was recorded (this once answered 500, "a AccountOk result for a key-value request": issue #13, F5).
 */
export const respondToForeignResult = (
  response: http.ServerResponse,
  route: "key-value" | "ledger",
  result: AppResult,
  position: Position
): void => {
  const first = route === "key-value" ? "ledger" : "key-value"
  sendJson(response, 422, {
    error: `the session key (Idempotency-Key, or Client-Id with Sequence) was first used for a ${first} request; it names that command, which ran once and is not run again, and its result is not a ${route} result: use a fresh key`,
    firstResult: result,
    ...position
  })
}
