/**
 * The ledger as a linearizability spec. Transfers touch two accounts, so the whole ledger is one partition.
 */
import { deterministicSpec, type LinearizabilitySpec } from "../linearizability/spec.ts"
import {
  applyLedgerModel,
  initialLedgerModel,
  type LedgerInput,
  type LedgerModelState,
  type LedgerOutput
} from "./ledger.ts"

const stateText = (state: LedgerModelState): string =>
  [...state.accounts.entries()]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([account, value]) => `${account}=${value.balance}@v${value.version}`)
    .join(" ") + ` keys=${[...state.firstResults.keys()].sort().join(",")}`

export const ledgerSpec: LinearizabilitySpec<LedgerModelState, LedgerInput, LedgerOutput> = deterministicSpec({
  name: "ledger",
  initialState: initialLedgerModel,
  apply: applyLedgerModel,
  outputsEqual: (left, right) => JSON.stringify(left) === JSON.stringify(right),
  statesEqual: (left, right) => stateText(left) === stateText(right),
  partitionKey: () => "ledger",
  isReadOnly: (input) => input._tag === "GetAccount",
  describeOperation: (input, output) =>
    `${JSON.stringify(input)} → ${typeof output === "symbol" ? "unknown" : JSON.stringify(output)}`,
  describeState: stateText
})
