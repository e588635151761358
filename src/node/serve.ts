/**
 * `faultline serve`: one node of a cluster, until SIGINT or SIGTERM. It lives with the node (not in src/cli) so
 * that the node image bundles it without the CLI, the simulator or the model.
 */
import { startNode } from "./node.ts"
import { endStartUp } from "./v8Flags.ts"
import { UsageError } from "../options.ts"
import { parseServeOptions, serveUsage, type ServeOptions } from "./serveOptions.ts"

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(serveUsage)
    return 0
  }
  let options: ServeOptions
  try {
    options = parseServeOptions(argv, process.env)
  } catch (error) {
    console.error(`faultline serve: ${error instanceof Error ? error.message : String(error)}\n\n${serveUsage}`)
    return error instanceof UsageError || error instanceof TypeError ? 2 : 1
  }
  const log = (line: string): void => console.error(`${new Date().toISOString()} node ${options.id}: ${line}`)
  const node = await startNode({
    ...options,
    log,
    onFatal: (error) => {
      // A failed fsync leaves the page cache's state unknown (fsyncgate): stop rather than guess.
      log(`fatal: ${String(error)}`)
      process.exit(1)
    }
  })
  log(`serving ${node.httpUrl}`)
  endStartUp()
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve)
    process.once("SIGTERM", resolve)
    // Started by `faultline cluster` (or a test): stdin closes when that parent dies, so no node outlives it.
    if (process.env.FAULTLINE_EXIT_WITH_PARENT === "1") {
      process.stdin.on("end", resolve)
      process.stdin.on("error", resolve)
      process.stdin.resume()
    }
  })
  log("stopping")
  await node.close()
  process.stdin.destroy()
  // Anything still holding the event loop open (a peer socket mid-close) must not keep a stopped node alive.
  setTimeout(() => process.exit(0), 1_000).unref()
  return 0
}
