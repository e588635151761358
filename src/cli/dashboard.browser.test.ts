/**
 * The dashboard in a real browser: headless Chromium (Debian's `chromium` package, driven by puppeteer-core; no
 * browser is downloaded) opens the dashboard over counterexamples this test makes with fixed seeds — quorumOfF's
 * second leader and followerReads' stale read — and checks what is drawn: a lane per replica, message arrows
 * that the kind filters hide, the violation marker, zoom, the client history with the checker's prefix and the
 * blocking operation, and the same view written by `timeline --html` as one file. Screenshots land in artifacts/.
 * Where no Chromium can be found the suite skips with one line saying so (.ci/install-chromium.sh installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import type { Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import puppeteer, { type Browser, type Page } from "puppeteer-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Either } from "effect"
import { sampleSchedule, findCatalogScenario } from "../../properties/catalog.ts"
import { counterexampleOf } from "../../properties/shrinkSeed.ts"
import { writeCounterexample } from "../../properties/counterexample.ts"
import type { BugName } from "../protocol/bugs.ts"
import { rerun } from "./counterexampleRun.ts"
import { startDashboard } from "./dashboard.ts"
import { writeRunPage } from "./dashboard/page.ts"

const candidates = [
  process.env.CHROMIUM_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome"
]
const chromium = candidates.find((path): path is string => path !== undefined && path !== "" && existsSync(path))
if (chromium === undefined)
  console.log("dashboard browser test skipped: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)")

const artifacts = join(import.meta.dirname, "..", "..", "artifacts")
const directory = mkdtempSync(join(tmpdir(), "faultline-dashboard-"))

/** A counterexample of a bug at a seed known to fail (unshrunk, so it does not depend on the machine's speed). */
const makeCounterexample = (scenarioName: string, seed: number, bug: BugName, file: string): void => {
  const scenario = findCatalogScenario(scenarioName)
  if (scenario === undefined) throw new Error(`no scenario ${scenarioName}`)
  const counterexample = counterexampleOf(scenario, new Set([bug]), sampleSchedule(scenario, seed), { seed, path: "" })
  if (counterexample === undefined) throw new Error(`${bug} no longer fails ${scenarioName} seed ${seed}`)
  writeCounterexample(counterexample, join(directory, file))
}

describe.skipIf(chromium === undefined)("the dashboard in headless Chromium", () => {
  let server: Server
  let browser: Browser
  let base: string

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    makeCounterexample("zoo_divergent_logs", 2, "quorumOfF", "quorumOfF.json")
    makeCounterexample("zoo_stale_reads", 3, "followerReads", "followerReads.json")
    server = await startDashboard(directory, 0)
    const address = server.address()
    base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/`
    browser = await puppeteer.launch({
      executablePath: chromium ?? "",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    })
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    if (server !== undefined) await new Promise((resolve) => server.close(resolve))
    rmSync(directory, { recursive: true, force: true })
  })

  const open = async (url: string): Promise<Page> => {
    const page = await browser.newPage()
    await page.setViewport({ width: 1500, height: 900 })
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(String(error)))
    page.on("requestfailed", (request) => errors.push(`request failed: ${request.url()}`))
    await page.goto(url, { waitUntil: "networkidle0" })
    expect(errors).toEqual([])
    return page
  }

  it(
    "lists the counterexamples with scenario, invariant, steps and whether they still fail",
    { timeout: 120_000 },
    async () => {
      const page = await open(base)
      await page.waitForSelector("#counterexamples tr.counterexample")
      const rows = await page.$$eval("#counterexamples tr.counterexample", (trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? ""))
      )
      expect(rows).toHaveLength(2)
      const quorum = rows.find((row) => row[0] === "quorumOfF.json")
      expect(quorum?.slice(1, 4)).toEqual(["zoo_divergent_logs", "quorumOfF", "election_safety"])
      expect(quorum?.[5]).toBe("still fails")
      await page.screenshot({ path: join(artifacts, "dashboard-list.png") })
      await page.close()
    }
  )

  it(
    "draws a lane per replica, message arrows, the violation marker, and filters and zooms",
    { timeout: 120_000 },
    async () => {
      const page = await open(`${base}?run=quorumOfF.json`)
      await page.waitForSelector("#lanes #violation-marker")
      const lanes = await page.$$eval("#lanes .lane", (nodes) => nodes.length)
      expect(lanes).toBe(5)
      expect(await page.$$eval("#lanes .band", (nodes) => nodes.length)).toBeGreaterThan(5)
      const arrows = await page.$$eval("#lanes .arrow", (nodes) => nodes.length)
      expect(arrows).toBeGreaterThan(10)
      expect(await page.$$eval("#lanes .band.leader", (nodes) => nodes.length)).toBeGreaterThanOrEqual(2)
      const marker = await page.$eval("#violation-marker text", (node) => node.textContent)
      expect(marker).toBe("VIOLATION election_safety")
      // The page opens on what led to the violation: the marker is in view, not thousands of pixels away.
      const inView = await page.$eval("#lanes-scroller", (scroller) => {
        const line = scroller.querySelector("#violation-marker line")
        const markerX = Number(line?.getAttribute("x1"))
        return markerX >= scroller.scrollLeft && markerX <= scroller.scrollLeft + scroller.clientWidth
      })
      expect(inView).toBe(true)
      // The kind filter hides the vote requests.
      const votes = await page.$$eval("#lanes .arrow.Vote", (nodes) => nodes.length)
      expect(votes).toBeGreaterThan(0)
      await page.click('input.kind-filter[data-kind="Vote"]')
      expect(await page.$$eval("#lanes .arrow.Vote", (nodes) => nodes.length)).toBe(0)
      await page.click('input.kind-filter[data-kind="Vote"]')
      // Zoom doubles the drawing's width.
      const before = await page.$eval("#lanes", (svg) => Number(svg.getAttribute("width")))
      await page.click("#zoom-in")
      const after = await page.$eval("#lanes", (svg) => Number(svg.getAttribute("width")))
      expect(after).toBeGreaterThan(before * 1.5)
      await page.click("#zoom-out")
      await page.click("#jump")
      const scroller = await page.$("#lanes-scroller")
      await scroller?.screenshot({ path: join(artifacts, "dashboard-timeline.png") })
      await page.screenshot({ path: join(artifacts, "dashboard-run.png"), fullPage: true })
      await page.close()
    }
  )

  it(
    "draws the client history with the longest linearizable prefix and the blocking operation",
    { timeout: 120_000 },
    async () => {
      const page = await open(`${base}?run=followerReads.json`)
      await page.waitForSelector("#history .op")
      expect(await page.$$eval("#history .op", (nodes) => nodes.length)).toBeGreaterThan(5)
      expect(await page.$$eval("#history .op.prefix", (nodes) => nodes.length)).toBeGreaterThan(0)
      expect(await page.$$eval("#history .op.blocking", (nodes) => nodes.length)).toBe(1)
      expect(await page.$$eval("#history .op.core", (nodes) => nodes.length)).toBeGreaterThan(0)
      expect(await page.$eval("#explanation", (node) => node.textContent)).toContain("longest linearizable prefix")
      await page.click("#jump")
      const history = await page.$("#history-scroller")
      await history?.screenshot({ path: join(artifacts, "dashboard-history.png") })
      await page.close()
    }
  )

  it("timeline --html writes the same view as one file that needs nothing else", { timeout: 120_000 }, async () => {
    const outcome = rerun(join(directory, "quorumOfF.json"))
    if (Either.isLeft(outcome)) throw new Error(outcome.left)
    const file = join(directory, "quorumOfF.html")
    writeRunPage(file, "quorumOfF.json", outcome.right.counterexample, outcome.right.judged)
    const page = await open(pathToFileURL(file).href)
    await page.waitForSelector("#lanes #violation-marker")
    expect(await page.$$eval("#lanes .lane", (nodes) => nodes.length)).toBe(5)
    expect(await page.$$eval("#lanes .arrow", (nodes) => nodes.length)).toBeGreaterThan(10)
    await page.close()
  })
})
