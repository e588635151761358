/**
 * The entry point bundled into the node image: `faultline serve` and nothing else, so that the image carries no
 * simulator, model or CLI code. Arguments are the container's command line.
 */
import { run } from "../../src/node/serve.ts"

run(process.argv.slice(2)).then(
  (exitCode) => {
    process.exit(exitCode)
  },
  (error: unknown) => {
    console.error(`faultline serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  }
)
