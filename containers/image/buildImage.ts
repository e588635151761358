/**
 * The node image, built locally in seconds with no registry: `FROM scratch` plus the host's own Node.js binary,
 * the shared libraries it links (from `ldd`, the dynamic loader included) and the server bundled by esbuild.
 *
 * The tag is a content hash of the bundle, the Node binary, its libraries and the Dockerfile, so the image is
 * built once per change and reused by every suite of a test run (and by later runs on the same engine).
 * containers/README.md shows the `FROM node:20-slim` variant for a machine that can pull images.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { nodeBundleOptions } from "../../scripts/bundleOptions.ts"
import { getContainerRuntimeClient, ImageName } from "testcontainers"
import { isBugName, type BugName } from "../../src/protocol/bugs.ts"

export const imageRepository = "faultline-node"
/** Test images with planted bugs live under their own name, so that no tag of the real image can carry one. */
export const testImageRepository = "faultline-node-testbugs"
/** Where things live inside the image. */
export const nodePathInImage = "/usr/local/bin/node"
export const serverPathInImage = "/app/server.cjs"

/**
 * The server's source, found from the repository root rather than from this module: the compiled CLI
 * (`faultline replay --docker` from dist/) runs this code from dist/chunks/, where "./server.ts" does not exist.
 */
const findServerEntry = (): string => {
  const entry = path.join("containers", "image", "server.ts")
  let directory = path.dirname(fileURLToPath(import.meta.url))
  // Bounded: a few levels separate dist/chunks/ and containers/image/ from the root.
  for (let level = 0; level < 8; level++) {
    if (fs.existsSync(path.join(directory, entry))) return path.join(directory, entry)
    directory = path.dirname(directory)
  }
  throw new Error(`cannot find ${entry} above ${fileURLToPath(import.meta.url)}`)
}
const serverEntry = findServerEntry()

export interface BuiltImage {
  readonly name: string
  /** False when an image with the same content hash was already there. */
  readonly built: boolean
  readonly durationMs: number
  readonly bundleBytes: number
}

/**
 * Bundles `faultline serve` into one CommonJS file (CommonJS: the bundled dependencies use `require`).
 * `testBugs` compiles a planted bug set into the bundle (src/node/testBugs.ts reads it); without it the constant
 * is defined as `undefined`, so the real bundle carries no bug list and nothing at run time can supply one.
 */
export const bundleServer = async (testBugs: ReadonlyArray<BugName> = []): Promise<Uint8Array> => {
  const result = await build({
    ...nodeBundleOptions(testBugs),
    entryPoints: [serverEntry],
    format: "cjs",
    write: false
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error("esbuild produced no output for the node server bundle")
  return output.contents
}

/** The host Node binary's shared libraries and dynamic loader, as absolute paths (symlinks not resolved). */
export const sharedLibrariesOf = (binaryPath: string): ReadonlyArray<string> => {
  const text = execFileSync("ldd", [binaryPath], { encoding: "utf8" })
  if (/not a dynamic executable/.test(text)) return []
  const libraries: Array<string> = []
  for (const line of text.split("\n")) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line)
    if (match?.[1] !== undefined) libraries.push(match[1])
  }
  if (libraries.length === 0) throw new Error(`could not read the shared libraries of ${binaryPath} from ldd:\n${text}`)
  return libraries
}

const dockerfile = [
  "FROM scratch",
  "COPY rootfs/ /",
  `ENTRYPOINT ["${nodePathInImage}", "${serverPathInImage}"]`,
  ""
].join("\n")

/** glibc's resolver reads this; the defaults would also work, but being explicit keeps name lookups obvious. */
const nsswitch = "hosts: files dns\n"

const contentHash = (bundle: Uint8Array, files: ReadonlyArray<string>): string => {
  const hash = createHash("sha256")
  hash.update(dockerfile).update(nsswitch).update(bundle)
  for (const file of files) {
    hash.update(file)
    hash.update(fs.readFileSync(file))
  }
  return hash.digest("hex").slice(0, 16)
}

const writeContext = (
  directory: string,
  bundle: Uint8Array,
  nodeBinary: string,
  libraries: ReadonlyArray<string>
): void => {
  const rootfs = path.join(directory, "rootfs")
  const place = (source: string, target: string): void => {
    const destination = path.join(rootfs, target)
    fs.mkdirSync(path.dirname(destination), { recursive: true })
    // copyFileSync follows symlinks: the library lands under the name the loader looks for.
    fs.copyFileSync(source, destination)
    fs.chmodSync(destination, 0o755)
  }
  place(nodeBinary, nodePathInImage)
  for (const library of libraries) place(library, library)
  fs.mkdirSync(path.join(rootfs, "app"), { recursive: true })
  fs.writeFileSync(path.join(rootfs, serverPathInImage), bundle)
  fs.mkdirSync(path.join(rootfs, "etc"), { recursive: true })
  fs.writeFileSync(path.join(rootfs, "etc", "nsswitch.conf"), nsswitch)
  fs.mkdirSync(path.join(rootfs, "tmp"), { recursive: true, mode: 0o1777 })
  fs.mkdirSync(path.join(rootfs, "data"), { recursive: true })
  fs.writeFileSync(path.join(directory, "Dockerfile"), dockerfile)
}

const memoized = new Map<string, Promise<BuiltImage>>()

/**
 * Builds the node image unless the engine already has one with the same content; once per process and bug set.
 * With `testBugs`, a test image (`faultline-node-testbugs:<hash>`) whose replicas run those planted bugs.
 */
export const ensureNodeImage = (testBugs: ReadonlyArray<BugName> = []): Promise<BuiltImage> => {
  const unknown = testBugs.filter((name) => !isBugName(name))
  if (unknown.length > 0) return Promise.reject(new Error(`unknown test bugs: ${unknown.join(", ")}`))
  const bugs = [...new Set(testBugs)].sort()
  const key = bugs.join(",")
  let image = memoized.get(key)
  if (image === undefined) {
    image = buildNodeImage(bugs)
    memoized.set(key, image)
  }
  return image
}

const buildNodeImage = async (testBugs: ReadonlyArray<BugName>): Promise<BuiltImage> => {
  const startedAt = performance.now()
  const bundle = await bundleServer(testBugs)
  const nodeBinary = fs.realpathSync(process.execPath)
  const libraries = sharedLibrariesOf(nodeBinary)
  const repository = testBugs.length === 0 ? imageRepository : testImageRepository
  const name = `${repository}:${contentHash(bundle, [nodeBinary, ...libraries])}`
  const client = await getContainerRuntimeClient()
  if (await client.image.exists(ImageName.fromString(name))) {
    return { name, built: false, durationMs: performance.now() - startedAt, bundleBytes: bundle.byteLength }
  }
  const context = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-image-"))
  try {
    writeContext(context, bundle, nodeBinary, libraries)
    await client.image.build(context, {
      t: name,
      dockerfile: "Dockerfile",
      labels: { "faultline.image": "node", "faultline.test-bugs": testBugs.join(",") }
    })
  } finally {
    fs.rmSync(context, { recursive: true, force: true })
  }
  if (!(await client.image.exists(ImageName.fromString(name))))
    throw new Error(`the image build of ${name} reported success but left no image`)
  return { name, built: true, durationMs: performance.now() - startedAt, bundleBytes: bundle.byteLength }
}
