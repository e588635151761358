/**
 * Every refusal a client can get, as one table from tag to HTTP answer: the application's refusals of a request as
 * given (checked before it reaches the replica, and again by the leader), its refusals on the applied state (CAS
 * mismatch, not found, insufficient funds, …), and the replica's answers that are not a result (busy, session
 * expired, leadership lost). The refusal stays a typed value from the application through `ClientResult` to here;
 * this table is the only place its status and words are chosen, and the type makes it name every tag.
 *
 * A body is `{ error, reason, ...fields }`: `error` a sentence, `reason` the tag for programs, then the refusal's
 * own fields (the balance that was short, the current value a CAS expected otherwise) so nobody parses the sentence.
 */
import type { AppResult } from "../app/machine.ts"
import type { ClientResult, RequestRejection } from "../protocol/index.ts"
import { describeRequestRejection } from "../protocol/proposal.ts"
import { HttpRefusal } from "./httpBody.ts"

/** Application results that say no: the command ran (or the read was served) and changed nothing. */
export type AppRefusal = Extract<
  AppResult,
  {
    readonly _tag:
      | "NotFound"
      | "CasMismatch"
      | "AccountNotFound"
      | "AccountExists"
      | "InsufficientFunds"
      | "VersionConflict"
      | "BalanceOverflow"
  }
>

/** The replica's answers that carry no application result. */
export type ReplicaRefusal = Extract<
  ClientResult,
  { readonly _tag: "SessionExpired" | "Busy" | "Unknown" | "NotLeader" }
>

export type Refusal = RequestRejection | AppRefusal | ReplicaRefusal

export interface Answer {
  readonly status: number
  readonly body: { readonly error: string; readonly reason: Refusal["_tag"] } & Readonly<Record<string, unknown>>
  readonly headers: Readonly<Record<string, string>>
}

type Rule<R> = (refusal: R) => { status: number; error: string; headers?: Readonly<Record<string, string>> }

const retryLater = { "retry-after": "1" }

const invalid =
  (status: number): Rule<RequestRejection> =>
  (rejection) => ({ status, error: describeRequestRejection(rejection) })

const answers: { readonly [Tag in Refusal["_tag"]]: Rule<Extract<Refusal, { readonly _tag: Tag }>> } = {
  SessionInvalid: invalid(400),
  CommandInvalid: invalid(400),
  // An entry that could never fit a peer message or a WAL record is too large, whatever else it is.
  EntryTooLarge: invalid(413),
  EmptyKey: invalid(400),
  KeyTooLong: invalid(400),
  ValueTooLong: invalid(413),
  EmptyAccountId: invalid(400),
  AccountIdTooLong: invalid(400),
  AmountNotInteger: invalid(400),
  AmountNotPositive: invalid(400),
  AmountTooLarge: invalid(400),
  ExpectedVersionInvalid: invalid(400),
  IdempotencyKeyInvalid: invalid(400),
  SameAccountTransfer: invalid(400),
  NotFound: () => ({ status: 404, error: "key not found" }),
  // Expecting a value of a key that does not exist is "not found", as the API promises 404 for a missing key.
  CasMismatch: (mismatch) =>
    mismatch.current === null ? { status: 404, error: "key not found" } : { status: 409, error: "cas mismatch" },
  AccountNotFound: () => ({ status: 404, error: "account not found" }),
  AccountExists: () => ({ status: 409, error: "account exists" }),
  InsufficientFunds: () => ({ status: 409, error: "insufficient funds" }),
  VersionConflict: () => ({ status: 409, error: "version conflict" }),
  BalanceOverflow: () => ({ status: 409, error: "the balance would overflow" }),
  SessionExpired: () => ({
    status: 422,
    error: "the session expired or the sequence is older than its last; it was not run again"
  }),
  Busy: () => ({ status: 503, error: "too many requests in flight", headers: retryLater }),
  Unknown: () => ({ status: 503, error: "leadership was lost; the write may or may not take effect" }),
  NotLeader: () => ({ status: 503, error: "no leader", headers: retryLater })
}

/** What a replica refusal says about the request's effect, for clients that retry. */
const outcomes: Partial<Record<Refusal["_tag"], string>> = {
  Busy: "not applied",
  NotLeader: "not applied",
  Unknown: "unknown"
}

const fieldsOf = (refusal: Refusal): Record<string, unknown> => {
  const { _tag, ...fields } = refusal as { readonly _tag: string } & Record<string, unknown>
  return fields
}

/** The HTTP answer to a refusal: status, body and headers from the table. */
export const answerOf = (refusal: Refusal): Answer => {
  const rule = answers[refusal._tag] as Rule<Refusal>
  const { status, error, headers } = rule(refusal)
  const outcome = outcomes[refusal._tag]
  const body = { error, reason: refusal._tag, ...fieldsOf(refusal), ...(outcome === undefined ? {} : { outcome }) }
  return { status, body, headers: headers ?? {} }
}

/** A request refused before it reached the replica, answered by the same table. */
export const refusalOf = (rejection: RequestRejection): HttpRefusal => {
  const answer = answerOf(rejection)
  return new HttpRefusal({ status: answer.status, reason: answer.body.error, body: answer.body })
}

const refusalTags: ReadonlySet<string> = new Set(Object.keys(answers))

/** True for an application result that refuses (the table answers it); false for a result that succeeded. */
export const isAppRefusal = (result: AppResult): result is AppRefusal => refusalTags.has(result._tag)
