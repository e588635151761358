/**
 * The V8 flags `faultline serve` starts with. scripts/build.ts builds the node's startup snapshot under them (Node
 * refuses a snapshot under other V8 flags) and bin/faultline passes them; docs/performance.md has the runs.
 *
 * - A young generation that starts at 16 MiB (V8 starts at 1 MiB and grows to 16): a restart allocates its whole
 *   recovered log at once, and in small semispaces every entry was copied scavenge after scavenge.
 * - For the start only, a higher interrupt budget: TurboFan optimizes a function after about four times as much
 *   work. The WAL is decoded once per process, and compiling its loops on background threads cost about a third of
 *   the WAL read's CPU. Kept for good, it cost a serving node about a fifth of its read throughput, so the node
 *   returns to V8's own budget once it serves (endStartUp).
 */
import { setFlagsFromString } from "node:v8"

const startUpInterruptBudget = `--interrupt-budget=300000`

/** The budget of V8 11.3, which Node 20 ships (`node --v8-options`): what a serving node runs with. */
const servingInterruptBudget = `--interrupt-budget=67584`

export const serveV8Flags: ReadonlyArray<string> = ["--min-semi-space-size=16", startUpInterruptBudget]

/**
 * The flags a serving node changes to, given the Node options its process started with: V8's own budget after the
 * start-up's, and nothing for a node run any other way (it keeps whatever its Node was given).
 */
export const servingV8Flags = (execArgv: ReadonlyArray<string>): string | undefined =>
  execArgv.includes(startUpInterruptBudget) ? servingInterruptBudget : undefined

/** Called once the node serves. */
export const endStartUp = (): void => {
  const flags = servingV8Flags(process.execArgv)
  if (flags !== undefined) setFlagsFromString(flags)
}
