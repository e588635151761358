import { phaseSuite } from "./phaseSuite.ts"

// Client sessions, repair and timeouts, scrubbing, reconfiguration.
phaseSuite(["session", "repair", "scrub", "reconfig"], 5, import.meta.filename)
