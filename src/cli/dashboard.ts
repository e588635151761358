/**
 * `faultline dashboard [--dir counterexamples/] [--port P]`: a local web page over a directory of counterexamples
 * (and the campaign summaries `faultline sim --json` wrote there). The list says, for each file, its scenario,
 * invariant, steps and whether it still fails (replayed when the list is asked for); a file opens as lanes per
 * replica with messages as arrows and the client history with the checker's explanation. Serves only its own
 * static files and JSON, on 127.0.0.1; nothing is fetched from elsewhere. Paths outside the directory are refused.
 */
import { readdirSync, readFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import { join, resolve, sep } from "node:path"
import { Either } from "effect"
import { decodeUnknownEitherTotal } from "../schemaIssue.ts"
import { numberOption, readCommandLine } from "./commandLine.ts"
import { rerun } from "./counterexampleRun.ts"
import { CampaignSummary } from "./campaignSummary.ts"
import { asset, pageHtml } from "./dashboard/page.ts"
import { runView } from "./dashboard/runView.ts"
import { parseOptions } from "../options.ts"

const usage = `usage: faultline dashboard [--dir <directory>] [--port <P>]

  --dir   the counterexamples to show (default counterexamples/); campaign summaries (*.json from
          faultline sim --json) found there are listed too
  --port  the port on 127.0.0.1 (default 8080; 0 picks a free one)`

interface DashboardArguments {
  readonly directory: string
  readonly port: number
}

const parse = (argv: ReadonlyArray<string>): DashboardArguments => {
  const { values } = parseOptions({
    args: [...argv],
    options: { dir: { type: "string", default: "counterexamples" }, port: { type: "string", default: "8080" } },
    strict: true,
    allowPositionals: false
  })
  return { directory: resolve(values.dir), port: numberOption(values.port, "--port", 0, 65_535) }
}

/** JSON files under the directory (one level of subdirectories too, as campaigns write per-shard folders). */
const jsonFiles = (directory: string): ReadonlyArray<string> => {
  const found: Array<string> = []
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".json")) found.push(entry.name)
    if (entry.isDirectory())
      for (const inner of readdirSync(join(directory, entry.name)))
        if (inner.endsWith(".json")) found.push(`${entry.name}/${inner}`)
  }
  return found.sort()
}

export const listing = (directory: string) => {
  const counterexamples: Array<unknown> = []
  const campaigns: Array<unknown> = []
  for (const file of jsonFiles(directory)) {
    const path = join(directory, file)
    const outcome = rerun(path)
    if (Either.isRight(outcome)) {
      const { counterexample, judged } = outcome.right
      counterexamples.push({
        file,
        scenario: counterexample.scenario,
        bugs: counterexample.bugs,
        invariant: counterexample.violation.invariant,
        steps: counterexample.schedule.steps.length,
        stillFails: judged.findings.length > 0
      })
      continue
    }
    try {
      const campaign = decodeUnknownEitherTotal(CampaignSummary)(JSON.parse(readFileSync(path, "utf8")))
      if (Either.isRight(campaign)) campaigns.push({ file, ...campaign.right })
    } catch {
      // Neither a counterexample nor a campaign summary: not ours to show.
    }
  }
  return { directory, counterexamples, campaigns }
}

/** The file a request names, if it lies inside the directory. */
const inside = (directory: string, file: string | null): string | undefined => {
  if (file === null) return undefined
  const path = resolve(directory, file)
  return path.startsWith(directory + sep) ? path : undefined
}

export const startDashboard = (directory: string, port: number): Promise<Server> => {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1")
    const send = (status: number, type: string, body: string): void => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" })
      response.end(body)
    }
    try {
      if (url.pathname === "/" || url.pathname === "/index.html")
        return send(200, "text/html; charset=utf-8", pageHtml())
      if (url.pathname === "/app.js") return send(200, "text/javascript; charset=utf-8", asset("app.js"))
      if (url.pathname === "/style.css") return send(200, "text/css; charset=utf-8", asset("style.css"))
      if (url.pathname === "/api/list") return send(200, "application/json", JSON.stringify(listing(directory)))
      if (url.pathname === "/api/run") {
        const file = url.searchParams.get("file")
        const path = inside(directory, file)
        if (path === undefined) return send(400, "text/plain", `no such counterexample in ${directory}: ${file}`)
        const outcome = rerun(path)
        if (Either.isLeft(outcome)) return send(400, "text/plain", outcome.left)
        const { counterexample, judged } = outcome.right
        return send(200, "application/json", JSON.stringify(runView(file ?? "", counterexample, judged)))
      }
      return send(404, "text/plain", "not found")
    } catch (error) {
      return send(500, "text/plain", error instanceof Error ? error.message : String(error))
    }
  })
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => resolvePromise(server))
  })
}

export const run = async (argv: ReadonlyArray<string>): Promise<number> => {
  const commandLine = readCommandLine("dashboard", usage, argv, parse)
  if (commandLine._tag === "Exit") return commandLine.code
  const { directory, port } = commandLine.options
  try {
    readdirSync(directory)
  } catch (error) {
    console.error(`faultline dashboard: cannot read ${directory}: ${(error as Error).message}`)
    return 2
  }
  const server = await startDashboard(directory, port)
  const address = server.address()
  const actual = typeof address === "object" && address !== null ? address.port : port
  console.log(`faultline dashboard: http://127.0.0.1:${actual}/ over ${directory} (Ctrl-C stops it)`)
  await new Promise<void>((resolvePromise) => server.once("close", () => resolvePromise()))
  return 0
}
