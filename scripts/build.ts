/**
 * Compiles the `faultline` command into dist/ (run by `npm ci` through the `prepare` script, and by `npm run
 * build`): one ES module per subcommand, split so that `faultline --help` loads only the dispatcher and a
 * subcommand loads only what it uses, with source maps so that a stack trace names the TypeScript lines
 * (bin/faultline.mjs turns them on). Compiling at install time is what lets a command start in a few tens of
 * milliseconds instead of the second and more that compiling the sources at every start took.
 */
import { spawnSync } from "node:child_process"
import { realpathSync } from "node:fs"
import { readFile, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { build, type Plugin } from "esbuild"
import { nodeBundleOptions } from "./bundleOptions.ts"
import { serveV8Flags } from "../src/node/v8Flags.ts"

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

/**
 * Node 20 cannot evaluate node:http (nor, it warns, node:net) while it builds a startup snapshot: node:http's
 * module body fails there ("methods.toSorted is not a function"). In the snapshot's bundle they become modules
 * whose every export loads the real one at first use, which is after the process started from the snapshot.
 */
const lazyBuiltins: Plugin = {
  name: "lazy-builtins",
  setup(plugins) {
    plugins.onResolve({ filter: /^node:(http|net)$/ }, (args) => ({
      path: args.path.slice("node:".length),
      namespace: "lazy-builtin"
    }))
    plugins.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => {
      const name = JSON.stringify(args.path)
      const exported = Object.keys(createRequire(import.meta.url)(args.path) as object)
      const getters = exported.map(
        (key) =>
          `Object.defineProperty(exports, ${JSON.stringify(key)}, { enumerable: true, get: () => load()[${JSON.stringify(key)}] })`
      )
      return { contents: [`let loaded`, `const load = () => (loaded ??= require(${name}))`, ...getters].join("\n") }
    })
  }
}

/**
 * `faultline serve`'s startup snapshot: the node's code bundled into one CommonJS file (dist/serve.cjs, from
 * src/node/serveProcess.ts), evaluated once by `node --build-snapshot` under the node's V8 flags
 * (src/node/v8Flags.ts) into dist/serve.blob, with the identity of the Node binary that built it and those flags in
 * dist/serve.node. bin/faultline starts `serve` from it. Without a snapshot (a Node that cannot build one) `serve`
 * still runs, only slower to start; the reason is printed.
 */
export const buildServeSnapshot = async (outdir: string = distDirectory): Promise<void> => {
  const script = join(outdir, "serve.cjs")
  await build({
    ...nodeBundleOptions(),
    absWorkingDir: root,
    entryPoints: ["src/node/serveProcess.ts"],
    outfile: script,
    format: "cjs",
    minify: true,
    sourcemap: true,
    plugins: [lazyBuiltins]
  })
  const blob = join(outdir, "serve.blob")
  const built = spawnSync(process.execPath, [...serveV8Flags, "--snapshot-blob", blob, "--build-snapshot", script], {
    encoding: "utf8"
  })
  if (built.status !== 0) {
    await rm(blob, { force: true })
    console.warn(`faultline: no startup snapshot for serve (it starts without one): ${built.stderr.trim()}`)
    return
  }
  // bin/faultline starts the snapshot only with this binary, only while the snapshot is newer than it, and with the
  // flags it was built with (Node refuses a snapshot under other V8 flags).
  await writeFile(join(outdir, "serve.node"), `${realpathSync(process.execPath)}\n${serveV8Flags.join(" ")}\n`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const startedAt = performance.now()
  await buildCli()
  await buildServeSnapshot()
  console.log(`faultline: built dist/ in ${Math.round(performance.now() - startedAt)} ms`)
}
