/**
 * The ledger routes: accounts with a balance and a version, deposits, withdrawals (optionally with an expected
 * version), transfers, and linearizable account reads. Amounts are integers in minor units (cents).
 *
 * `Idempotency-Key: K` does two things: the command carries K as its ledger idempotency key (the ledger returns
 * the first result for K), and it runs in the replica session ("idempotency:K", 1), so a retry — to any node,
 * across a failover — is answered from the session table or the ledger, never applied twice. Each request is
 * checked (path, body, headers, amounts) before it reaches the replica, so a refused request changes nothing.
 */
import type * as http from "node:http"
import { Schema } from "effect"
import type { LedgerCommand, LedgerResult } from "../app/ledger/index.ts"
import { checkAppCommand, describeAppRejection, validateAppQuery, type AppResult } from "../app/machine.ts"
import { idempotencyKeyOf, sessionSourceOf } from "./clientSessions.ts"
import { execute, type Operation } from "./execute.ts"
import { deadlineOf, decodeJsonBody, HttpRefusal, readBodyText, sendJson } from "./httpBody.ts"
import type { KvContext } from "./kvRoutes.ts"
import { respondToForeignResult, respondToOutcome, type Position } from "./respond.ts"

export type LedgerAction =
  | { readonly _tag: "Create"; readonly account: string }
  | { readonly _tag: "Read"; readonly account: string }
  | { readonly _tag: "Deposit"; readonly account: string }
  | { readonly _tag: "Withdraw"; readonly account: string }
  | { readonly _tag: "Transfer" }

const maxLedgerBodyBytes = 4 * 1024

const DepositBody = Schema.Struct({ amount: Schema.Number })
const WithdrawBody = Schema.Struct({ amount: Schema.Number, expectedVersion: Schema.optional(Schema.Number) })
const TransferBody = Schema.Struct({ from: Schema.String, to: Schema.String, amount: Schema.Number })

const decodeBody = async <A, I>(
  request: http.IncomingMessage,
  schema: Schema.Schema<A, I>,
  shape: string
): Promise<A> => {
  const text = await readBodyText(request, maxLedgerBodyBytes)
  return decodeJsonBody(text, schema, `${shape} (amounts in minor units)`)
}

export const handleLedger = async (
  context: KvContext,
  action: LedgerAction,
  request: http.IncomingMessage,
  response: http.ServerResponse
): Promise<void> => {
  const deadlineMs = deadlineOf(request)
  const operation = await operationOf(action, request)
  const outcome = await execute(context.host, context.sessions, context.selfId, operation, deadlineMs)
  respondToOutcome(context, outcome, request, response, (result, position) =>
    respondToLedgerResult(action, result, position, response)
  )
}

const operationOf = async (action: LedgerAction, request: http.IncomingMessage): Promise<Operation> => {
  if (action._tag === "Read") {
    const query = { _tag: "ReadAccount", account: action.account } as const
    const invalid = validateAppQuery(query)
    if (invalid !== undefined) throw new HttpRefusal({ status: 400, reason: invalid })
    return { _tag: "Query", query }
  }
  const source = sessionSourceOf(request)
  const key = idempotencyKeyOf(request)
  const keyed = key === undefined ? {} : { idempotencyKey: key }
  const command = await commandOf(action, request, keyed)
  const rejection = checkAppCommand(command)
  if (rejection !== undefined) throw new HttpRefusal({ status: 400, reason: describeAppRejection(rejection) })
  return { _tag: "Command", command, source }
}

const commandOf = async (
  action: Exclude<LedgerAction, { _tag: "Read" }>,
  request: http.IncomingMessage,
  keyed: { readonly idempotencyKey?: string }
): Promise<LedgerCommand> => {
  switch (action._tag) {
    case "Create":
      // Any body is read and ignored, so that a kept-alive connection stays in step.
      await readBodyText(request, maxLedgerBodyBytes)
      return { _tag: "CreateAccount", account: action.account, ...keyed }
    case "Deposit": {
      const body = await decodeBody(request, DepositBody, `{"amount": integer}`)
      return { _tag: "Deposit", account: action.account, amount: body.amount, ...keyed }
    }
    case "Withdraw": {
      const body = await decodeBody(request, WithdrawBody, `{"amount": integer, "expectedVersion"?: integer}`)
      const expected = body.expectedVersion === undefined ? {} : { expectedVersion: body.expectedVersion }
      return { _tag: "Withdraw", account: action.account, amount: body.amount, ...expected, ...keyed }
    }
    case "Transfer": {
      const body = await decodeBody(request, TransferBody, `{"from": string, "to": string, "amount": integer}`)
      return { _tag: "Transfer", from: body.from, to: body.to, amount: body.amount, ...keyed }
    }
  }
}

const isLedgerResult = (result: AppResult): result is LedgerResult =>
  result._tag !== "Ok" && result._tag !== "NotFound" && result._tag !== "CasMismatch"

const respondToLedgerResult = (
  action: LedgerAction,
  result: AppResult,
  position: Position,
  response: http.ServerResponse
): void => {
  if (!isLedgerResult(result)) return respondToForeignResult(response, "ledger", result, position)
  switch (result._tag) {
    case "AccountOk":
      return sendJson(response, action._tag === "Create" ? 201 : 200, { ...result.account, ...position })
    case "Transferred":
      return sendJson(response, 200, { from: result.from, to: result.to, ...position })
    case "AccountNotFound":
      return sendJson(response, 404, { error: "account not found", account: result.account, ...position })
    case "AccountExists":
      return sendJson(response, 409, { error: "account exists", account: result.account, ...position })
    case "InsufficientFunds": {
      const { account, balance, requested } = result
      return sendJson(response, 409, { error: "insufficient funds", account, balance, requested, ...position })
    }
    case "VersionConflict": {
      const { account, expectedVersion, version } = result
      return sendJson(response, 409, { error: "version conflict", account, expectedVersion, version, ...position })
    }
    case "BalanceOverflow":
      return sendJson(response, 409, { error: "the balance would overflow", account: result.account, ...position })
  }
}
