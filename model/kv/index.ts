export * from "./kv.ts"
export * from "./kvSpec.ts"
