/**
 * Ledger invariants over what the replicas applied: no balance is ever negative, money is conserved
 * (deposits minus withdrawals equals the sum of balances), and each idempotency key takes effect at most once.
 */
export interface LedgerSnapshot {
  readonly balances: ReadonlyArray<{ readonly account: string; readonly balance: number }>
}

/** One applied, effective money movement: what a replica's state machine did, in apply order. */
export type AppliedMovement =
  | { readonly _tag: "Deposit"; readonly amount: number; readonly idempotencyKey?: string }
  | { readonly _tag: "Withdraw"; readonly amount: number; readonly idempotencyKey?: string }
  | { readonly _tag: "Transfer"; readonly amount: number; readonly idempotencyKey?: string }

export interface LedgerViolation {
  readonly invariant: "ledger_balance_negative" | "ledger_money_conserved" | "ledger_idempotency"
  readonly message: string
  readonly evidence: unknown
}

export const checkLedger = (
  snapshot: LedgerSnapshot,
  movements: ReadonlyArray<AppliedMovement>
): ReadonlyArray<LedgerViolation> => {
  const violations: Array<LedgerViolation> = []
  for (const { account, balance } of snapshot.balances) {
    if (balance < 0) {
      violations.push({
        invariant: "ledger_balance_negative",
        message: `account ${account} has a negative balance ${balance}`,
        evidence: { account, balance }
      })
    }
  }
  let expected = 0
  const keys = new Map<string, number>()
  for (const movement of movements) {
    if (movement._tag === "Deposit") expected += movement.amount
    if (movement._tag === "Withdraw") expected -= movement.amount
    if (movement.idempotencyKey !== undefined)
      keys.set(movement.idempotencyKey, (keys.get(movement.idempotencyKey) ?? 0) + 1)
  }
  const total = snapshot.balances.reduce((sum, account) => sum + account.balance, 0)
  if (total !== expected) {
    violations.push({
      invariant: "ledger_money_conserved",
      message: `the balances sum to ${total} but deposits minus withdrawals is ${expected}`,
      evidence: { total, expected }
    })
  }
  for (const [key, count] of keys) {
    if (count > 1) {
      violations.push({
        invariant: "ledger_idempotency",
        message: `idempotency key ${key} took effect ${count} times`,
        evidence: { key, count }
      })
    }
  }
  return violations
}
