/**
 * The dashboard's page: one HTML shell, the hand-written SVG renderer (app.js, plain browser JavaScript with no
 * library: lanes, arrows and intervals are a few hundred lines of SVG, not worth a dependency) and its styles.
 * `pageHtml` serves the shell for `faultline dashboard`; `writeRunPage` inlines all of it with one run's data, so
 * `timeline --html` and `repro --html` write a single file that opens anywhere, offline.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import type { Counterexample } from "../../../properties/counterexample.ts"
import type { Judgement } from "../../../properties/judge.ts"
import { runView } from "./runView.ts"

type AssetName = "app.js" | "style.css"

// The compiled `faultline` command carries the assets as text (scripts/build.ts defines this constant with
// esbuild), since dist/ has no src/cli/dashboard/ to read them from; under tsx the global does not exist.
declare const FAULTLINE_DASHBOARD_ASSETS: Readonly<Record<AssetName, string>> | undefined

const compiledAssets = typeof FAULTLINE_DASHBOARD_ASSETS === "object" ? FAULTLINE_DASHBOARD_ASSETS : undefined

export const asset = (name: AssetName): string =>
  compiledAssets?.[name] ?? readFileSync(join(import.meta.dirname, name), "utf8")

/** JSON inside a <script> element: "<" escaped so that no "</script>" can end it early. */
const embed = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c")

const shell = (title: string, head: string, body: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.replace(/[<&]/g, "")}</title>
${head}
</head>
<body>
<header><a href="./" class="home">faultline dashboard</a><span id="title"></span></header>
<main id="app"></main>
${body}
</body>
</html>
`

/** The page the dashboard server returns: assets and data come from its own endpoints. */
export const pageHtml = (): string =>
  shell("faultline dashboard", '<link rel="stylesheet" href="style.css">', '<script src="app.js"></script>')

/** One run as a self-contained file: styles, renderer and data inlined. */
export const runPageHtml = (file: string, counterexample: Counterexample, judged: Judgement): string =>
  shell(
    `faultline: ${counterexample.scenario}`,
    `<style>\n${asset("style.css")}\n</style>`,
    `<script id="run-data" type="application/json">${embed(runView(file, counterexample, judged))}</script>\n<script>\n${asset("app.js")}\n</script>`
  )

export const writeRunPage = (out: string, file: string, counterexample: Counterexample, judged: Judgement): void => {
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, runPageHtml(file, counterexample, judged))
}
