import { phaseSuite } from "./phaseSuite.ts"

phaseSuite(["core"], 8, import.meta.filename)
