/**
 * The answers every route shares: a deadline that passed, another node leading (redirect), and the replica's
 * answers that are not an application result (rejected, busy, session expired, leadership lost). A route supplies
 * only how its own application's result becomes a response.
 */
import type * as http from "node:http"
import type { AppResult } from "../app/machine.ts"
import type { ClientResult, NodeId } from "../protocol/index.ts"
import { answerOf, type Answer } from "./answers.ts"
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
      return sendAnswer(response, answerOf(result.rejection))
    default:
      return sendAnswer(response, answerOf(result))
  }
}

/** Sends a refusal's answer from the table, with what the route adds (the key, the log position). */
export const sendAnswer = (
  response: http.ServerResponse,
  answer: Answer,
  extra: Readonly<Record<string, unknown>> = {}
): void => sendJson(response, answer.status, { ...answer.body, ...extra }, answer.headers)

/** A result of the other application for this route's request: the replica broke its contract. */
export const respondToForeignResult = (response: http.ServerResponse, route: string, result: AppResult): void =>
  sendJson(response, 500, { error: `internal error: a ${result._tag} result for a ${route} request` })
