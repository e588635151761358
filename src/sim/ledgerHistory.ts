/**
 * The ledger's side of the simulated clients and checks. Ledger operations are recorded in a history of their
 * own (model/ledger's inputs and outputs, checked against `ledgerSpec`), separate from the key-value history,
 * and the ledger invariants (`checkLedger`: no negative balance, money conserved, each command moving money at
 * most once) are judged at the end of a run over what each live replica applied.
 */
import { Either } from "effect"
import { checkLedger, type AppliedMovement } from "../../model/ledger/invariants.ts"
import type { LedgerInput, LedgerOutput } from "../../model/ledger/ledger.ts"
import { ledgerSpec } from "../../model/ledger/ledgerSpec.ts"
import { checkHistory, type HistoryEvent } from "../../model/linearizability/index.ts"
import {
  applyLedger,
  balances,
  emptyLedgerState,
  type LedgerCommand,
  type LedgerResult,
  type LedgerState
} from "../app/ledger/index.ts"
import { isLedgerCommand, type AppResult } from "../app/machine.ts"
import type { ReplicaState } from "../protocol/state.ts"
import type { Finding, SimObserver, StepObservation } from "./observer.ts"
import { ledgerInputOf, type ClientOperation } from "../schedule/index.ts"
import { assert } from "../assert.ts"

export type LedgerHistoryEvent = HistoryEvent<LedgerInput, LedgerOutput>

export type LedgerOperation = Extract<ClientOperation, LedgerCommand | { readonly _tag: "ReadAccount" }>

const ledgerOperationTags: ReadonlySet<string> = new Set([
  "CreateAccount",
  "Deposit",
  "Withdraw",
  "Transfer",
  "GetAccount",
  "ReadAccount"
])

export const isLedgerOperation = (op: ClientOperation): op is LedgerOperation => ledgerOperationTags.has(op._tag)

/** The model's input for an operation: a ReadIndex read of an account is a GetAccount for the checker. */
export const ledgerInputOfOperation = (op: LedgerOperation): LedgerInput => {
  const input = ledgerInputOf(op)
  assert(input !== undefined, () => `a ledger operation has a ledger input: ${op._tag}`)
  return input
}

const isLedgerResult = (result: AppResult): result is LedgerResult =>
  result._tag !== "Ok" && result._tag !== "NotFound" && result._tag !== "CasMismatch"

/** What a client observes of a ledger result; undefined for a result of the other application. */
export const ledgerOutputOf = (result: AppResult): LedgerOutput | undefined => {
  if (!isLedgerResult(result)) return undefined
  switch (result._tag) {
    case "AccountOk":
      return { _tag: "AccountOk", balance: result.account.balance, version: result.account.version }
    case "Transferred":
      return { _tag: "Transferred", fromBalance: result.from.balance, toBalance: result.to.balance }
    default:
      return { _tag: result._tag }
  }
}

export const ledgerLinearizabilityStepsMax = 2_000_000

/** The ledger history against model/ledger's sequential spec; a finding, a note, or nothing for an empty history. */
export const checkLedgerHistory = (history: ReadonlyArray<LedgerHistoryEvent>): Finding | string | undefined => {
  if (history.length === 0) return undefined
  const checked = checkHistory(ledgerSpec, history, { budget: { maxSteps: ledgerLinearizabilityStepsMax } })
  if (Either.isLeft(checked)) return { invariant: "ledger_history_well_formed", message: checked.left.message }
  const result = checked.right
  if (result.verdict === "not linearizable") return { invariant: "ledger_linearizability", message: result.summary }
  return `ledger linearizability: ${result.summary}`
}

interface Incarnation {
  readonly incarnation: number
  ledger: LedgerState
  readonly movements: Array<AppliedMovement>
}

const movementOf = (command: LedgerCommand, identity: string): AppliedMovement | undefined => {
  switch (command._tag) {
    case "Deposit":
    case "Withdraw":
    case "Transfer":
      return { _tag: command._tag, amount: command.amount, idempotencyKey: identity }
    case "CreateAccount":
    case "GetAccount":
      return undefined
  }
}

/**
 * Follows every replica's executed ledger commands, per incarnation (a restarted replica applies its log again
 * from an empty state), and keeps the money movements that changed the ledger. A command's identity is its
 * idempotency key, or its session (clientId#sequence) when it has none: either way it must move money at most
 * once — a retried withdrawal applied twice is a double spend.
 */
export class LedgerApplied implements SimObserver {
  readonly name = "LedgerApplied"
  private readonly replicas = new Map<number, Incarnation>()

  afterStep(observation: StepObservation): ReadonlyArray<Finding> {
    for (const output of observation.outputs) {
      if (output._tag !== "Applied" || !output.executed) continue
      const payload = output.entry.payload
      if (payload._tag !== "Command" || !isLedgerCommand(payload.command)) continue
      const replica = this.incarnationOf(observation.node, observation.incarnation)
      const applied = applyLedger(replica.ledger, payload.command)
      if (applied.state.accounts === replica.ledger.accounts) {
        replica.ledger = applied.state
        continue
      }
      replica.ledger = applied.state
      const key = "idempotencyKey" in payload.command ? payload.command.idempotencyKey : undefined
      const identity = key ?? `client command ${payload.session.clientId}#${payload.session.sequence}`
      const movement = movementOf(payload.command, identity)
      if (movement !== undefined) replica.movements.push(movement)
    }
    return []
  }

  private incarnationOf(node: number, incarnation: number): Incarnation {
    const known = this.replicas.get(node)
    if (known !== undefined && known.incarnation === incarnation) return known
    const fresh: Incarnation = { incarnation, ledger: emptyLedgerState, movements: [] }
    this.replicas.set(node, fresh)
    return fresh
  }

  /** The invariants over each live replica's ledger as it stands and the movements it applied. */
  atEnd(states: ReadonlyArray<ReplicaState | null>): ReadonlyArray<Finding> {
    const findings: Array<Finding> = []
    for (const [node, state] of states.entries()) {
      if (state === null) continue
      const movements = this.replicas.get(node)?.movements ?? []
      if (movements.length === 0 && balances(state.app.ledger).length === 0) continue
      for (const violation of checkLedger({ balances: balances(state.app.ledger) }, movements)) {
        findings.push({ invariant: violation.invariant, message: `n${node}: ${violation.message}` })
      }
    }
    return findings
  }
}
