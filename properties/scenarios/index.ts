/**
 * The scenario catalog's public face: every scenario of the seed documents, runnable by `faultline sim`
 * and by the property suite. See ../catalog.ts and ./descriptions.ts.
 */
export { catalog as scenarios, findCatalogScenario as findScenario, type CatalogScenario } from "../catalog.ts"
