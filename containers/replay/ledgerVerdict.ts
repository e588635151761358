/**
 * The ledger history a replay recorded, checked against model/ledger's sequential spec with model/'s
 * linearizability checker, as the simulator checks its ledger history at the end of a run (src/sim/ledgerHistory.ts)
 * under the same invariant names.
 */
import { Either } from "effect"
import { ledgerSpec } from "../../model/ledger/ledgerSpec.ts"
import { checkHistory } from "../../model/linearizability/index.ts"
import type { Verdict } from "../fixture/verdicts.ts"
import type { LedgerEvent } from "./ledgerClient.ts"

export const ledgerVerdict = (events: ReadonlyArray<LedgerEvent>): Verdict => {
  const checked = checkHistory(ledgerSpec, events, { budget: { maxSteps: 5_000_000 } })
  if (Either.isLeft(checked))
    return {
      invariant: "ledger_history_well_formed",
      ok: false,
      message: `the ledger history is malformed: ${checked.left.message}`
    }
  return {
    invariant: "ledger_linearizability",
    ok: checked.right.verdict !== "not linearizable",
    message: checked.right.summary
  }
}
