/**
 * Every counterexample kept in containers/regressions/ is replayed against real nodes. A file stays once the
 * protocol bug it shows is fixed (or, for a file found with a test-only bug switched on, because the real
 * replica never had it): the replay must then come out clean, with the same checkers the simulator uses.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { describeVerdicts } from "../fixture/verdicts.ts"
import { loadReplayable } from "../replay/counterexample.ts"
import { replayOnDocker } from "../replay/dockerReplay.ts"

const regressionsDirectory = fileURLToPath(new URL("../regressions/", import.meta.url))

export const registerRegressionReplays = (): void => {
  const files = fs.existsSync(regressionsDirectory)
    ? fs
        .readdirSync(regressionsDirectory)
        .filter((name) => name.endsWith(".json"))
        .sort()
    : []
  describe("regression replays (containers/regressions)", () => {
    it("has at least one regression to replay", () => {
      expect(files.length).toBeGreaterThan(0)
    })
    for (const name of files) {
      it(`replays ${name} cleanly on Docker`, async () => {
        const loaded = loadReplayable(path.join(regressionsDirectory, name))
        if (Either.isLeft(loaded)) throw loaded.left
        const report = await replayOnDocker(loaded.right, {
          artifactsName: `regression-${path.basename(name, ".json")}`,
          log: (line) => console.log(`[containers] ${name}: ${line}`)
        })
        console.log(
          `[containers] ${name}: cluster started in ${(report.clusterStartMs / 1000).toFixed(1)} s, replay took ${(report.durationMs / 1000).toFixed(1)} s; ` +
            `${report.expected.invariant} violation ${report.reproduced ? "reproduced" : "did not reproduce"}`
        )
        expect(
          report.verdicts.filter((verdict) => !verdict.ok),
          describeVerdicts(report.verdicts)
        ).toEqual([])
      }, 180_000)
    }
  })
}
