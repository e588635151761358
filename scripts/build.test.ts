/**
 * The compiled `faultline` (what bin/faultline.mjs runs after `npm ci`): built into a scratch directory, it
 * prints its usage, checks a history, writes a counterexample's page (the dashboard's assets compiled in) and
 * refuses an unknown command as the sources do, and its node reads no test-only bug list.
 */
import { execFile } from "node:child_process"
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { buildCli, buildServeSnapshot } from "./build.ts"

const run = promisify(execFile)
let directory = ""

/** Runs the bundle's `main` the way bin/faultline.mjs does, in a fresh Node process. */
const faultline = async (...argv: ReadonlyArray<string>): Promise<{ code: number; stdout: string; stderr: string }> => {
  const main = pathToFileURL(join(directory, "dist", "main.js")).href
  const script = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(process.argv.slice(1))`
  try {
    const { stdout, stderr } = await run(process.execPath, ["--input-type=module", "-e", script, "--", ...argv])
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe("the compiled faultline command", () => {
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "faultline-build-"))
    await buildCli(join(directory, "dist"))
    await buildServeSnapshot(join(directory, "dist"))
    await mkdir(join(directory, "bin"))
    for (const name of ["faultline", "faultline.mjs"]) {
      await copyFile(join(import.meta.dirname, "..", "bin", name), join(directory, "bin", name))
    }
  }, 180_000)
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("prints its usage", async () => {
    const answer = await faultline("--help")
    expect(answer.code).toBe(0)
    expect(answer.stdout).toContain("usage: faultline <command> [options]")
  })

  it("checks a history", async () => {
    const history = join(directory, "tiny.txt")
    await writeFile(
      history,
      [
        '{:process 0, :type :invoke, :f :put, :key "x", :value "1"}',
        '{:process 0, :type :ok, :f :put, :key "x", :value "1"}',
        '{:process 1, :type :invoke, :f :get, :key "x", :value nil}',
        '{:process 1, :type :ok, :f :get, :key "x", :value "2"}'
      ].join("\n")
    )
    const answer = await faultline("check-history", history, "--format", "porcupine-kv")
    expect(answer.stdout).toMatch(/^not linearizable/)
    expect(answer.code).toBe(1)
  })

  it("writes a counterexample's page with the dashboard's renderer and styles inlined", async () => {
    // Arrange: a failing seed's counterexample, written by the compiled command itself.
    const out = join(directory, "counterexamples")
    const campaign = await faultline(
      "sim",
      "--scenario",
      "zoo_divergent_logs",
      "--seed",
      "2",
      "--seeds",
      "1",
      "--bug",
      "quorumOfF",
      "--no-shrink",
      "--out",
      out
    )
    expect(campaign.code, campaign.stderr).toBe(1)
    const [file] = (await readdir(out)).filter((name) => name.endsWith(".json"))
    // Act
    const page = join(directory, "run.html")
    const answer = await faultline("timeline", join(out, file ?? ""), "--html", page)
    // Assert
    expect(answer.code, answer.stderr).toBe(0)
    const html = await readFile(page, "utf8")
    expect(html).toContain("violation-marker")
    expect(html).toContain(".band.leader")
  })

  it("starts serve from its startup snapshot, and without it when the snapshot is not this Node's", async () => {
    const launcher = join(directory, "bin", "faultline")
    // As installed: the compiled command, not the sources this test suite runs otherwise.
    const installed = { env: { ...process.env, FAULTLINE_FROM_SOURCE: "" } }
    // dist/serve.node: the binary that built the snapshot, then the V8 flags it was built with and must run under.
    const [, flags = ""] = (await readFile(join(directory, "dist", "serve.node"), "utf8")).split("\n")
    expect(flags).toContain("--min-semi-space-size=")
    const fromSnapshot = await run(process.execPath, [
      ...flags.split(" "),
      "--snapshot-blob",
      join(directory, "dist", "serve.blob"),
      "--",
      "serve",
      "--help"
    ])
    expect(fromSnapshot.stdout).toContain("usage: faultline serve --id N")
    expect((await run(launcher, ["serve", "--help"], installed)).stdout).toContain("usage: faultline serve --id N")
    // serve starts without NODE_EXTRA_CA_CERTS, which Node reads at every start (and warns about when it is missing).
    const extraCerts = { env: { ...installed.env, NODE_EXTRA_CA_CERTS: join(directory, "no-such-bundle.pem") } }
    expect((await run(launcher, ["serve", "--help"], extraCerts)).stderr).toBe("")
    expect((await run(launcher, ["--help"], extraCerts)).stderr).toContain("Ignoring extra certs")
    const refused = await run(launcher, ["serve", "--id", "9"], installed).catch(
      (error: { code: number; stderr: string }) => error
    )
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining("faultline serve:") })
    // A V8 flag in NODE_OPTIONS makes Node refuse the snapshot ("built with different V8 configurations").
    const withFlag = { env: { ...installed.env, NODE_OPTIONS: "--max-old-space-size=512" } }
    expect((await run(launcher, ["serve", "--help"], withFlag)).stdout).toContain("usage: faultline serve --id N")
    await writeFile(join(directory, "dist", "serve.node"), "a Node binary that is not this one")
    expect((await run(launcher, ["serve", "--help"], installed)).stdout).toContain("usage: faultline serve --id N")
    expect((await run(launcher, ["--help"], installed)).stdout).toContain("usage: faultline <command> [options]")
  })

  it("refuses an unknown command", async () => {
    const answer = await faultline("frobnicate")
    expect(answer.code).toBe(2)
    expect(answer.stderr).toContain('unknown command "frobnicate"')
  })

  it("writes source maps, and its node reads no test-only bug list", async () => {
    const files = await readdir(join(directory, "dist"), { recursive: true })
    expect(files.filter((file) => file.endsWith(".js.map")).length).toBeGreaterThan(1)
    const code = await Promise.all(
      files.filter((file) => file.endsWith(".js")).map((file) => readFile(join(directory, "dist", file), "utf8"))
    )
    // src/node/testBugs.ts reads the global only where a test image's bundle defines it; here it is undefined.
    expect(code.some((text) => /typeof FAULTLINE_TEST_BUGS/.test(text))).toBe(false)
  })
})
