import { phaseSuite } from "./phaseSuite.ts"

phaseSuite(["byzantine"], 4, import.meta.filename)
