/**
 * Compiles the `faultline` command into dist/ (run by `npm ci` through the `prepare` script, and by `npm run
 * build`): one ES module per subcommand, split so that `faultline --help` loads only the dispatcher and a
 * subcommand loads only what it uses, with source maps so that a stack trace names the TypeScript lines
 * (bin/faultline.mjs turns them on). Compiling at install time is what lets a command start in a few tens of
 * milliseconds instead of the second and more that compiling the sources at every start took.
 */
import { rm } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { nodeBundleOptions } from "./bundleOptions.ts"

const root = fileURLToPath(new URL("..", import.meta.url))
export const distDirectory = fileURLToPath(new URL("../dist", import.meta.url))

/** Some bundled dependencies are CommonJS and call `require`; an ES module bundle has to provide one. */
const requireShim =
  'import { createRequire as __faultlineCreateRequire } from "node:module";\n' +
  "const require = __faultlineCreateRequire(import.meta.url);"

export const buildCli = async (outdir: string = distDirectory): Promise<void> => {
  await rm(outdir, { recursive: true, force: true })
  await build({
    ...nodeBundleOptions(),
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
    // a package that Node resolves from node_modules when that command runs.
    external: ["testcontainers"],
    logLevel: "warning"
  })
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const startedAt = performance.now()
  await buildCli()
  console.log(`faultline: built dist/ in ${Math.round(performance.now() - startedAt)} ms`)
}
