import { phaseSuite } from "./phaseSuite.ts"

// Storage corruption, crash and recovery, gray failures, races, clocks.
phaseSuite(["corruption", "crash", "gray", "race", "clock"], 5, import.meta.filename)
