#!/usr/bin/env node
// The `faultline` command runs the compiled bundle in dist/, which `npm ci` builds (the `prepare` script) and
// `npm run build` rebuilds. dist/ carries source maps; NODE_OPTIONS=--enable-source-maps makes stack traces name
// the TypeScript lines (not on by default: Node parses every map at load, which doubled the start-up time).
// While editing the sources, FAULTLINE_FROM_SOURCE=1 runs them through tsx instead (slower to start, no build).
import { existsSync } from "node:fs"

const fromSource = process.env.FAULTLINE_FROM_SOURCE === "1"
const compiled = new URL("../dist/main.js", import.meta.url)
if (!fromSource && !existsSync(compiled)) {
  console.error("faultline: dist/ is missing; run `npm run build` (npm ci builds it) or set FAULTLINE_FROM_SOURCE=1")
  process.exit(2)
}
let main
if (fromSource) {
  const { register } = await import("tsx/esm/api")
  register()
  ;({ main } = await import("../src/cli/main.ts"))
} else {
  ;({ main } = await import(compiled.href))
}
process.exitCode = await main(process.argv.slice(2))
