/**
 * Compiles the `faultline` command into dist/ (run by `npm ci` through the `prepare` script, and by `npm run
 * build`): one ES module per subcommand, split so that `faultline --help` loads only the dispatcher and a
 * subcommand loads only what it uses, with source maps so that a stack trace names the TypeScript lines
 * (bin/faultline.mjs turns them on). Compiling at install time is what lets a command start in a few tens of
 * milliseconds instead of the second and more that compiling the sources at every start took.
 */
import { readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { nodeBundleOptions } from "./bundleOptions.ts"

const root = fileURLToPath(new URL("..", import.meta.url))
export const distDirectory = fileURLToPath(new URL("../dist", import.meta.url))

/** Some bundled dependencies are CommonJS and call `require`; an ES module bundle has to provide one. */
const requireShim =
  'import { createRequire as __faultlineCreateRequire } from "node:module";\n' +
  "const require = __faultlineCreateRequire(import.meta.url);"

/** The dashboard's page assets, compiled into the command as text (src/cli/dashboard/page.ts reads them). */
const dashboardAssets = async (): Promise<Record<string, string>> => {
  const directory = join(root, "src", "cli", "dashboard")
  return {
    "app.js": await readFile(join(directory, "app.js"), "utf8"),
    "style.css": await readFile(join(directory, "style.css"), "utf8")
  }
}

export const buildCli = async (outdir: string = distDirectory): Promise<void> => {
  await rm(outdir, { recursive: true, force: true })
  const options = nodeBundleOptions()
  await build({
    ...options,
    define: { ...options.define, FAULTLINE_DASHBOARD_ASSETS: JSON.stringify(await dashboardAssets()) },
    absWorkingDir: root,
    entryPoints: { main: "src/cli/main.ts" },
    outdir,
    format: "esm",
    splitting: true,
    minify: true,
    sourcemap: true,
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: requireShim },
    // `replay --docker` drives Docker through testcontainers, whose SSH transport loads native addons: it stays
    // a package that Node resolves from node_modules when that command runs. So does esbuild, which that command
    // runs to bundle the node image (containers/image/buildImage.ts): its JavaScript API finds its own binary from
    // __filename and refuses to be bundled, so a bundled copy failed every `replay --docker`.
    external: ["testcontainers", "esbuild"],
    logLevel: "warning"
  })
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const startedAt = performance.now()
  await buildCli()
  console.log(`faultline: built dist/ in ${Math.round(performance.now() - startedAt)} ms`)
}
