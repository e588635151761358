/**
 * Campaigns as a user runs them: `faultline sim` turns every failing seed into a counterexample file and prints
 * the commands that open it; `faultline merge` over four shards run as separate processes gives the summary of
 * the unsharded run.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { loadCounterexample } from "../../properties/counterexample.ts"

const bin = join(import.meta.dirname, "..", "..", "bin", "faultline.mjs")
const directory = mkdtempSync(join(tmpdir(), "faultline-campaign-"))

/** Asynchronous, so that the test worker keeps answering the runner while the child runs. */
const faultline = (...argv: ReadonlyArray<string>): Promise<{ status: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...argv],
      { encoding: "utf8", timeout: 300_000, cwd: directory },
      (error, stdout, stderr) =>
        resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    )
  })

/** The wall-clock figures are the only part of a summary that is not a function of the campaign. */
const withoutWallClock = (summary: Record<string, unknown>): Record<string, unknown> => {
  const { eventsPerSecond: _events, replicaStepsPerSecond: _steps, timeRatio: _ratio, ...rest } = summary
  const scenarios = (rest.scenarios as ReadonlyArray<Record<string, unknown>>).map(
    ({ wallMs: _wall, ...entry }) => entry
  )
  return { ...rest, scenarios }
}

afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe("faultline sim and merge", () => {
  it(
    "writes a shrunk counterexample for every failing seed and prints the commands that replay it",
    { timeout: 300_000 },
    async () => {
      // Act
      const result = await faultline(
        "sim",
        "--scenario",
        "zoo_divergent_logs",
        "--seeds",
        "4",
        "--bug",
        "quorumOfF",
        "--shrink-seconds",
        "10",
        "--json"
      )
      // Assert
      expect(result.status, result.stderr).toBe(1)
      const summary = JSON.parse(result.stdout) as {
        failingRuns: ReadonlyArray<{ seed: number; file: string }>
        scenarios: ReadonlyArray<{ failures: ReadonlyArray<{ steps: number; originalSteps: number }> }>
      }
      expect(summary.failingRuns.length).toBeGreaterThan(0)
      for (const failure of summary.failingRuns) {
        const loaded = loadCounterexample(join(directory, failure.file))
        expect(loaded._tag, failure.file).toBe("Right")
      }
      for (const failure of summary.scenarios[0]?.failures ?? [])
        expect(failure.steps).toBeLessThan(failure.originalSteps)
      const text = await faultline(
        "sim",
        "--scenario",
        "zoo_divergent_logs",
        "--seeds",
        "4",
        "--bug",
        "quorumOfF",
        "--no-shrink"
      )
      for (const failure of summary.failingRuns) {
        expect(text.stdout).toContain(`seed ${failure.seed}:`)
        expect(text.stdout).toContain(`npx faultline repro ${failure.file}`)
        expect(text.stdout).toContain(`npx faultline timeline ${failure.file}`)
      }
      const replay = await faultline("repro", summary.failingRuns[0]?.file ?? "")
      expect(replay.status, replay.stderr).toBe(1)
      expect(replay.stdout).toContain("STILL FAILS")
    }
  )

  it("merges four shards run as separate processes into the summary of one run", { timeout: 300_000 }, async () => {
    // Arrange: two scenarios, one with failures, so seeds, hashes and failures all have to interleave.
    const campaign = ["sim", "--phase", "race", "--seeds", "6", "--bug", "quorumOfF", "--no-shrink", "--json"]
    // Act
    const whole = await faultline(...campaign)
    const files = await Promise.all(
      [1, 2, 3, 4].map(async (index) => {
        const shard = await faultline(...campaign, "--shard", `${index}/4`)
        expect(shard.stderr).toBe("")
        const file = join(directory, `shard-${index}.json`)
        writeFileSync(file, shard.stdout)
        return file
      })
    )
    const merged = await faultline("merge", "--json", ...files.reverse())
    // Assert
    expect(whole.stderr).toBe("")
    const expected = JSON.parse(whole.stdout) as Record<string, unknown>
    expect(expected.violations).toBeGreaterThan(0)
    expect(withoutWallClock(JSON.parse(merged.stdout) as Record<string, unknown>)).toEqual(withoutWallClock(expected))
    expect(existsSync(join(directory, "counterexamples"))).toBe(true)
  })

  it("merge refuses an incomplete set of shards", async () => {
    const file = join(directory, "lonely.json")
    const shard = await faultline("sim", "--scenario", "smoke", "--seeds", "2", "--shard", "1/2", "--json")
    writeFileSync(file, shard.stdout)
    const merged = await faultline("merge", file)
    expect(merged.status).toBe(2)
    expect(merged.stderr).toContain("expected the shards 1/2, 2/2")
  })
})
