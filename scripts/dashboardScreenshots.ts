/**
 * Remakes the dashboard screenshots of docs/debugging.md and the README (`npm run docs:screenshots`): runs
 * `faultline sim` against three bugs of the zoo (quorumOfF's second leader, followerReads' stale read,
 * ackBeforePersist's acknowledgement before the fsync), each failing seed shrunk and written as a counterexample,
 * plus one campaign summary; opens `faultline dashboard` over them in headless Chromium (Debian's package, driven
 * by puppeteer-core) and saves the list, the run's lanes and the client history under docs/images/.
 * Needs dist/ (npm run build) and Chromium (CHROMIUM_PATH, or /usr/bin/chromium).
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import puppeteer, { type Page } from "puppeteer-core"
import { startDashboard } from "../src/cli/dashboard.ts"

const root = join(import.meta.dirname, "..")
const images = join(root, "docs", "images")
const chromium = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (path): path is string => path !== undefined && path !== "" && existsSync(path)
)

/** `faultline sim` as a user runs it; exit 1 (violations found) is what these runs are for. */
const sim = (directory: string, ...argv: ReadonlyArray<string>): string => {
  try {
    return execFileSync(process.execPath, [join(root, "bin", "faultline.mjs"), "sim", ...argv, "--out", "."], {
      cwd: directory,
      encoding: "utf8"
    })
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string }
    if (failed.status === 1 && failed.stdout !== undefined) return failed.stdout
    throw new Error(`faultline sim ${argv.join(" ")} failed: ${failed.stderr ?? String(error)}`)
  }
}

/** A screenshot of the page from the top of one element to the bottom of another, the page's full width. */
const shoot = async (page: Page, from: string, to: string, file: string): Promise<void> => {
  const top = await page.$eval(from, (node) => node.getBoundingClientRect().top)
  const bottom = await page.$eval(to, (node) => node.getBoundingClientRect().bottom)
  const width = await page.$eval("html", (node) => node.clientWidth)
  await page.screenshot({ path: join(images, file), clip: { x: 0, y: top, width, height: bottom - top + 12 } })
  console.log(`wrote docs/images/${file}`)
}

const main = async (): Promise<void> => {
  if (chromium === undefined) throw new Error("no Chromium: apt-get install -y chromium, or set CHROMIUM_PATH")
  const directory = mkdtempSync(join(tmpdir(), "faultline-screenshots-"))
  mkdirSync(images, { recursive: true })
  const campaign = sim(directory, "--scenario", "zoo_divergent_logs", "--seeds", "3", "--bug", "quorumOfF", "--json")
  writeFileSync(join(directory, "campaign-quorumOfF.json"), campaign)
  sim(directory, "--scenario", "zoo_stale_reads", "--seed", "3", "--seeds", "1", "--bug", "followerReads")
  sim(directory, "--scenario", "zoo_power_loss_slow_fsync", "--seeds", "1", "--bug", "ackBeforePersist")
  const server = await startDashboard(directory, 0)
  const address = server.address()
  const base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/`
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
  })
  try {
    const page = await browser.newPage()
    await page.setViewport({ width: 1280, height: 800, deviceScaleFactor: 1 })
    await page.goto(base, { waitUntil: "networkidle0" })
    await page.waitForSelector("#counterexamples tr.counterexample")
    await shoot(page, "header", "table.campaign", "dashboard-list.png")
    await page.goto(`${base}?run=zoo_divergent_logs-seed2-quorumOfF.json`, { waitUntil: "networkidle0" })
    await page.waitForSelector("#lanes #violation-marker")
    await shoot(page, "header", "#lanes-scroller", "dashboard-timeline.png")
    await page.goto(`${base}?run=zoo_stale_reads-seed3-followerReads.json`, { waitUntil: "networkidle0" })
    await page.waitForSelector("#history .op.blocking")
    await shoot(page, "main > h2:nth-of-type(2)", "#explanation", "dashboard-history.png")
  } finally {
    await browser.close()
    server.close()
    rmSync(directory, { recursive: true, force: true })
  }
}

await main()
