/**
 * The campaign examples of docs/campaigns/ run as written: the shell scripts of the Kubernetes Indexed Job and of
 * the GitHub Actions matrix are taken out of their YAML and run here, shard by shard as separate processes in
 * separate directories (as separate pods or runners would), then the merge step over what they left; the merged
 * summary must equal one unsharded run's, and every counterexample it names must have been collected. Only the
 * campaign is smaller (CAMPAIGN is a variable of both files); the default campaign of each file, with the shard
 * flags its script adds, must parse with `faultline sim`'s own parser.
 */
import { execFile } from "node:child_process"
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseMergeArguments } from "./merge.ts"
import { parseSimArguments } from "./sim.ts"

const root = join(import.meta.dirname, "..", "..")
const examples = join(root, "docs", "campaigns")
const bin = join(root, "bin", "faultline.mjs")
const directory = mkdtempSync(join(tmpdir(), "faultline-campaign-examples-"))
/** A campaign with failures, small enough for a test: one seed per shard, the failing seed 2 in shard 2. */
const testCampaign = "--scenario zoo_divergent_logs --seeds 4 --bug quorumOfF --no-shrink"

/** `faultline` and `npx faultline` on the PATH, as the image and a runner with the repository checked out have. */
const shims = join(directory, "bin")
mkdirSync(shims)
writeFileSync(join(shims, "faultline"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`)
writeFileSync(
  join(shims, "npx"),
  `#!/bin/sh\n[ "$1" = faultline ] || exit 127\nshift\nexec "${process.execPath}" "${bin}" "$@"\n`
)
chmodSync(join(shims, "faultline"), 0o755)
chmodSync(join(shims, "npx"), 0o755)

/** The literal block scalars (`key: |` or `- |`) of a YAML file, each dedented. */
const blockScalars = (yaml: string): ReadonlyArray<string> => {
  const lines = yaml.split("\n")
  const blocks: Array<string> = []
  lines.forEach((line, index) => {
    const opener = /^(\s*)(?:- |[\w-]+: )\|\s*$/.exec(line)
    if (opener === null) return
    const indent = (opener[1] ?? "").length
    const body: Array<string> = []
    for (const next of lines.slice(index + 1)) {
      if (next.trim() !== "" && next.search(/\S/) <= indent) break
      body.push(next)
    }
    const margin = Math.min(...body.filter((text) => text.trim() !== "").map((text) => text.search(/\S/)))
    blocks.push(body.map((text) => text.slice(margin)).join("\n"))
  })
  return blocks
}

const scriptWith = (yaml: string, word: string): string => {
  const found = blockScalars(yaml).filter((block) => block.includes(word))
  expect(found, `one script with ${word}`).toHaveLength(1)
  return found[0] as string
}

const run = (
  shell: "sh" | "bash",
  script: string,
  cwd: string,
  env: Record<string, string>
): Promise<{ status: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    // GitHub runs a `run:` block as `bash -e {0}`; a container's `sh -c` runs without -e.
    execFile(
      shell,
      shell === "bash" ? ["-e", "-c", script] : ["-c", script],
      {
        cwd,
        encoding: "utf8",
        timeout: 300_000,
        env: { ...process.env, ...env, PATH: `${shims}:${process.env.PATH ?? ""}` }
      },
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

let unsharded: Record<string, unknown>

beforeAll(async () => {
  const whole = join(directory, "whole")
  mkdirSync(whole)
  const result = await run("sh", `faultline sim ${testCampaign} --json --out counterexamples`, whole, {})
  expect(result.status, result.stderr).toBe(1)
  unsharded = JSON.parse(result.stdout) as Record<string, unknown>
  expect(unsharded.violations).toBeGreaterThan(0)
}, 300_000)

afterAll(() => rmSync(directory, { recursive: true, force: true }))

/** The merged summary equals the unsharded run's, and every counterexample it names was collected. */
const expectSameAsOneRun = (results: string): void => {
  const merged = JSON.parse(readFileSync(join(results, "summary.json"), "utf8")) as Record<string, unknown>
  expect(withoutWallClock(merged)).toEqual(withoutWallClock(unsharded))
  const failing = merged.failingRuns as ReadonlyArray<{ readonly file: string }>
  expect(failing.length).toBeGreaterThan(0)
  const text = readFileSync(join(results, "summary.txt"), "utf8")
  for (const { file } of failing) {
    expect(existsSync(join(results, file)), file).toBe(true)
    expect(text).toContain(`npx faultline repro ${file}`)
  }
}

describe("docs/campaigns/kubernetes", () => {
  const campaign = readFileSync(join(examples, "kubernetes", "campaign.yaml"), "utf8")
  const merge = readFileSync(join(examples, "kubernetes", "merge.yaml"), "utf8")
  const env = Object.fromEntries([...campaign.matchAll(/- name: (\w+)\n\s+value: "([^"]*)"/g)].map((m) => [m[1], m[2]]))
  const shards = Number(env.SHARDS)

  it("is an Indexed Job with as many completions, in parallel, as SHARDS", () => {
    expect(campaign).toMatch(/^\s+completionMode: Indexed$/m)
    expect(Number(/^\s+completions: (\d+)$/m.exec(campaign)?.[1])).toBe(shards)
    expect(Number(/^\s+parallelism: (\d+)$/m.exec(campaign)?.[1])).toBe(shards)
    expect(shards).toBeGreaterThan(1)
  })

  it("runs shard k as faultline sim's real flags: --shard k/SHARDS, --json, --out", () => {
    const script = scriptWith(campaign, "faultline sim")
    expect(script).toContain('faultline sim $CAMPAIGN --shard "$shard/$SHARDS" --json --out counterexamples')
    for (let shard = 1; shard <= shards; shard += 1) {
      const parsed = parseSimArguments([
        ...(env.CAMPAIGN ?? "").split(" "),
        "--shard",
        `${shard}/${shards}`,
        "--json",
        "--out",
        "counterexamples"
      ])
      expect(parsed.shard).toEqual({ index: shard, count: shards })
      expect(parsed.selection._tag).toBe("All")
      expect(parsed.json).toBe(true)
    }
    expect(parseMergeArguments(["--json", "shard-1.json", "shard-2.json"]).json).toBe(true)
  })

  it(
    "its shard pods and merge pod, run as written, give the unsharded run's summary",
    { timeout: 300_000 },
    async () => {
      // Arrange: one volume shared by every pod.
      const volume = join(directory, "kubernetes")
      mkdirSync(volume)
      // Act
      for (let index = 0; index < shards; index += 1) {
        const pod = await run("sh", scriptWith(campaign, "faultline sim"), volume, {
          JOB_COMPLETION_INDEX: String(index),
          SHARDS: String(shards),
          CAMPAIGN: testCampaign
        })
        expect(pod.status, pod.stderr).toBe(0)
      }
      const merged = await run("sh", scriptWith(merge, "faultline merge"), volume, { HOLD_SECONDS: "0" })
      // Assert
      expect(merged.status, merged.stderr).toBe(0)
      expect(merged.stdout).toContain("faultline merge exit status 1")
      expectSameAsOneRun(volume)
    }
  )
})

describe("docs/campaigns/github-actions", () => {
  const workflow = readFileSync(join(examples, "github-actions", "faultline-campaign.yml"), "utf8")
  const shards = Number(/^\s+SHARDS: (\d+)$/m.exec(workflow)?.[1])
  const defaultCampaign = /inputs\.campaign \|\| '([^']*)'/.exec(workflow)?.[1] ?? ""

  it("has a matrix of shards 1..SHARDS and the same default campaign as its input", () => {
    const matrix = /^\s+shard: \[([\d, ]+)\]$/m.exec(workflow)?.[1]?.split(",").map(Number)
    expect(matrix).toEqual(Array.from({ length: shards }, (_, index) => index + 1))
    expect(workflow).toContain(`default: ${defaultCampaign}`)
    const parsed = parseSimArguments([...defaultCampaign.split(" "), "--shard", `1/${shards}`, "--json"])
    expect(parsed.selection._tag).toBe("All")
    expect(parsed.shard).toEqual({ index: 1, count: shards })
  })

  it(
    "its shard jobs, artifacts downloaded together and merge job, run as written, give the unsharded run's summary",
    { timeout: 300_000 },
    async () => {
      // Arrange: a runner per shard; the merge job's workspace gets every artifact (merge-multiple).
      const workspace = join(directory, "github", "merge")
      mkdirSync(workspace, { recursive: true })
      // Act
      for (let shard = 1; shard <= shards; shard += 1) {
        const runner = join(directory, "github", `shard-${shard}`)
        mkdirSync(runner)
        const job = await run("bash", scriptWith(workflow, "faultline sim"), runner, {
          SHARD: String(shard),
          SHARDS: String(shards),
          CAMPAIGN: testCampaign
        })
        expect(job.status, job.stderr).toBe(0)
        for (const uploaded of [`shard-${shard}.json`, "counterexamples"])
          if (existsSync(join(runner, uploaded)))
            cpSync(join(runner, uploaded), join(workspace, uploaded), { recursive: true })
      }
      const stepSummary = join(directory, "github", "step-summary.md")
      const merged = await run("bash", scriptWith(workflow, "> summary.json"), workspace, {
        GITHUB_STEP_SUMMARY: stepSummary
      })
      const verdict = await run("bash", scriptWith(workflow, "$(cat merge-status)"), workspace, {})
      // Assert
      expect(merged.status, merged.stderr).toBe(0)
      expectSameAsOneRun(workspace)
      expect(readFileSync(stepSummary, "utf8")).toContain("npx faultline repro counterexamples/")
      expect(verdict.status).toBe(1)
      expect(verdict.stdout).toContain("faultline merge exit status 1")
    }
  )
})
