/**
 * The key-value routes: PUT/GET/DELETE /kv/{key} and POST /kv/{key}/cas. Each request is checked (key, body,
 * headers) before it reaches the replica, so a refused request changes nothing.
 *
 * When this node does not lead: 307 Temporary Redirect to the same path on the leader's HTTP address (clients
 * such as fetch and curl -L follow it with the method and body intact), with a JSON body naming the leader; when
 * the leader's address is not known yet, 503 with the same JSON and Retry-After.
 */
import type * as http from "node:http"
import { Schema } from "effect"
import { maxValueLengthBytes, validateKvCommand, type KvCommand } from "../app/kv/index.ts"
import type { AppResult } from "../app/machine.ts"
import { sessionSourceOf, type AutomaticSessions } from "./clientSessions.ts"
import { answerOf, refusalOf } from "./answers.ts"
import { execute, type Operation } from "./execute.ts"
import type { ReplicaHost } from "../host/host.ts"
import { deadlineOf, decodeJsonBody, readBodyText, sendJson } from "./httpBody.ts"
import { respondToForeignResult, respondToOutcome, sendAnswer, type Position } from "./respond.ts"

export interface KvContext {
  readonly selfId: number
  readonly host: ReplicaHost
  readonly sessions: AutomaticSessions
  readonly leaderHttpUrl: (leader: number) => string | undefined
}

export const CasBody = Schema.Struct({ expected: Schema.NullOr(Schema.String), value: Schema.String })
/** The CAS body holds two values of at most maxValueLengthBytes each, JSON-escaped, plus a little framing. */
const maxCasBodyBytes = 2 * 6 * maxValueLengthBytes + 1024

export type KvAction = "put" | "get" | "delete" | "cas"

export const handleKv = async (
  context: KvContext,
  action: KvAction,
  key: string,
  request: http.IncomingMessage,
  response: http.ServerResponse
): Promise<void> => {
  const deadlineMs = deadlineOf(request)
  const operation = await operationOf(action, key, request)
  const outcome = await execute(context.host, context.sessions, context.selfId, operation, deadlineMs)
  respondToOutcome(context, outcome, request, response, (result, position) =>
    respondToKvResult(action, key, result, position, response)
  )
}

const operationOf = async (action: KvAction, key: string, request: http.IncomingMessage): Promise<Operation> => {
  if (action === "get") {
    checkCommand({ _tag: "Get", key })
    return { _tag: "Query", query: { _tag: "Read", key } }
  }
  const source = sessionSourceOf(request)
  let command: KvCommand
  if (action === "put") command = { _tag: "Put", key, value: await readBodyText(request, maxValueLengthBytes) }
  else if (action === "delete") command = { _tag: "Delete", key }
  else {
    const text = await readBodyText(request, maxCasBodyBytes)
    const body = decodeJsonBody(text, CasBody, `{"expected": string | null, "value": string}`)
    command = { _tag: "Cas", key, expected: body.expected, value: body.value }
  }
  checkCommand(command)
  return { _tag: "Command", command, source }
}

const checkCommand = (command: KvCommand): void => {
  const rejection = validateKvCommand(command)
  if (rejection !== undefined) throw refusalOf(rejection)
}

const respondToKvResult = (
  action: KvAction,
  key: string,
  result: AppResult,
  position: Position,
  response: http.ServerResponse
): void => {
  switch (result._tag) {
    case "Ok":
      if (action === "get") return sendJson(response, 200, { key, value: result.value, ...position })
      return sendJson(response, 200, { ok: true, ...position })
    case "NotFound":
    case "CasMismatch":
      return sendAnswer(response, answerOf(result), { key, ...position })
    default:
      // A ledger result: the session key was first used for a ledger command (respond.ts).
      return respondToForeignResult(response, "key-value", result, position)
  }
}
