#!/usr/bin/env node
// The `faultline` command runs the TypeScript sources through tsx's loader, so it works right after `npm ci`
// with no build step. The loader is resolved from this file's location, not from the caller's directory.
import { register } from "tsx/esm/api"

register()
const { main } = await import("../src/cli/main.ts")
process.exitCode = await main(process.argv.slice(2))
