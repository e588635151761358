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
import { getContainerRuntimeClient, ImageName } from "testcontainers"

export const imageRepository = "faultline-node"
/** Where things live inside the image. */
export const nodePathInImage = "/usr/local/bin/node"
export const serverPathInImage = "/app/server.cjs"

const serverEntry = fileURLToPath(new URL("./server.ts", import.meta.url))

export interface BuiltImage {
  readonly name: string
  /** False when an image with the same content hash was already there. */
  readonly built: boolean
  readonly durationMs: number
  readonly bundleBytes: number
}

/** Bundles `faultline serve` into one CommonJS file (CommonJS: the bundled dependencies use `require`). */
export const bundleServer = async (): Promise<Uint8Array> => {
  const result = await build({
    entryPoints: [serverEntry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    logLevel: "silent",
    legalComments: "none"
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

const writeContext = (directory: string, bundle: Uint8Array, nodeBinary: string, libraries: ReadonlyArray<string>): void => {
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

let memoized: Promise<BuiltImage> | undefined

/** Builds the node image unless the engine already has one with the same content; once per process. */
export const ensureNodeImage = (): Promise<BuiltImage> => {
  memoized ??= buildNodeImage()
  return memoized
}

const buildNodeImage = async (): Promise<BuiltImage> => {
  const startedAt = performance.now()
  const bundle = await bundleServer()
  const nodeBinary = fs.realpathSync(process.execPath)
  const libraries = sharedLibrariesOf(nodeBinary)
  const name = `${imageRepository}:${contentHash(bundle, [nodeBinary, ...libraries])}`
  const client = await getContainerRuntimeClient()
  if (await client.image.exists(ImageName.fromString(name))) {
    return { name, built: false, durationMs: performance.now() - startedAt, bundleBytes: bundle.byteLength }
  }
  const context = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-image-"))
  try {
    writeContext(context, bundle, nodeBinary, libraries)
    await client.image.build(context, { t: name, dockerfile: "Dockerfile", labels: { "faultline.image": "node" } })
  } finally {
    fs.rmSync(context, { recursive: true, force: true })
  }
  if (!(await client.image.exists(ImageName.fromString(name)))) throw new Error(`the image build of ${name} reported success but left no image`)
  return { name, built: true, durationMs: performance.now() - startedAt, bundleBytes: bundle.byteLength }
}
