/** The scripted scenarios, defined once for the simulator and the Docker replay: schedules plus expectations. */
export * from "./expectations.ts"
export * from "./observation.ts"
export * from "./scripted.ts"
