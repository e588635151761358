export * from "./invariants.ts"
export * from "./ledger.ts"
export * from "./ledgerSpec.ts"
