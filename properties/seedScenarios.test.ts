import { phaseSuite } from "./phaseSuite.ts"

// The scenario report guide, the chaos tests and the ledger seed, in memory.
phaseSuite(["seed", "chaos", "ledger"], 4, import.meta.filename)
