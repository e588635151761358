export * from "./apply.ts"
export * from "./command.ts"
