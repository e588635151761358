/** The neutral schedule module: the Schema, its story, its semantic check. */
export * from "./check.ts"
export * from "./describe.ts"
export * from "./schedule.ts"
