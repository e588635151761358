/**
 * Every container suite, in one file so that vitest runs them in one worker, one cluster at a time (two cores;
 * parallel clusters would only make each other's elections flaky). When no Docker engine answers, the suites
 * are skipped and one line says why.
 */
import { beforeAll, describe } from "vitest"
import { probeDockerEngine } from "./fixture/engine.ts"
import { ensureNodeImage } from "./image/buildImage.ts"
import { registerRegressionReplays } from "./suites/regressions.ts"
import { registerScriptedScenarios } from "./suites/scripted.ts"

const engine = await probeDockerEngine()
if (engine.available) console.log(`[containers] running against ${engine.description}`)
else console.log(`[containers] SKIPPED: ${engine.reason} (containers/engine/start-docker.sh starts one, as root)`)

describe.skipIf(!engine.available)("containers", () => {
  beforeAll(async () => {
    const image = await ensureNodeImage()
    const action = image.built ? "built" : "found (same content hash)"
    console.log(
      `[containers] node image ${image.name} ${action} in ${(image.durationMs / 1000).toFixed(1)} s (bundle ${(image.bundleBytes / 1024).toFixed(0)} KiB)`
    )
  }, 180_000)

  registerScriptedScenarios()
  registerRegressionReplays()
})
