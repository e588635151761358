/** The neutral schedule module: the Schema, its story, its semantic check, and the seeds a schedule's seed derives. */
export * from "./check.ts"
export * from "./describe.ts"
export { ledgerInputOf } from "./ledgerInput.ts"
export { replicaSeedOf } from "./random.ts"
export * from "./schedule.ts"
