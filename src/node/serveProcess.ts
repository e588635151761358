/**
 * The process entry of `faultline serve` when it runs on its own: from the node's V8 startup snapshot
 * (dist/serve.blob, which bin/faultline uses) and in the node image. Compiling and evaluating the node's code took
 * most of a restarted node's way back to `/health` (a CPU profile of a restart: 210 ms compiling the bundle and
 * 218 ms evaluating it, on the loaded 2-core machine); a snapshot holds the evaluated heap, so a start from it
 * begins where loading ended.
 *
 * While the snapshot is built (`node --build-snapshot`, scripts/build.ts) this module only registers `main`, which
 * runs when a process starts from the snapshot.
 */
import { startupSnapshot } from "node:v8"
import { run } from "./serve.ts"

const main = (): void => {
  run(process.argv.slice(2)).then(
    (exitCode) => process.exit(exitCode),
    (error: unknown) => {
      console.error(`faultline serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      process.exit(1)
    }
  )
}

if (startupSnapshot.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(main)
else main()
