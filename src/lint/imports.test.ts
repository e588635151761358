/**
 * Data flows one way (DESIGN.md): the Docker world drives the node, never the simulator or the CLI, and the
 * model and the protocol know no host. Both interpreters of a schedule import it from src/schedule. This scans
 * every import specifier, so a new file cannot slip past.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..", "..")

const sourcesUnder = (directory: string): ReadonlyArray<string> => {
  const absolute = join(root, directory)
  return readdirSync(absolute).flatMap((name) => {
    const path = join(absolute, name)
    if (name === "node_modules") return []
    if (statSync(path).isDirectory()) return sourcesUnder(relative(root, path))
    return name.endsWith(".ts") ? [path] : []
  })
}

/** Every relative module a source imports or re-exports (static or dynamic), as a path from the repository root. */
export const importedPaths = (source: string, file: string): ReadonlyArray<string> => {
  const specifiers = [...source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)].map(
    (match) => match[1] as string
  )
  return specifiers
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => relative(root, resolve(dirname(file), specifier)))
}

const forbiddenImports = (directories: ReadonlyArray<string>, forbidden: ReadonlyArray<string>) =>
  directories.flatMap(sourcesUnder).flatMap((file) =>
    importedPaths(readFileSync(file, "utf8"), file)
      .filter((target) => forbidden.some((prefix) => target.startsWith(prefix)))
      .map((target) => `${relative(root, file)} imports ${target}`)
  )

describe("import directions", () => {
  it("containers/ imports nothing from src/sim or src/cli", () => {
    expect(forbiddenImports(["containers"], ["src/sim/", "src/cli/"])).toEqual([])
  })

  it("model/ and src/protocol import no host, simulator, node, CLI or harness", () => {
    const hosts = ["src/host/", "src/sim/", "src/node/", "src/cli/", "containers/", "properties/"]
    expect(forbiddenImports(["model", "src/protocol"], hosts)).toEqual([])
  })

  it("src/schedule imports neither of its interpreters", () => {
    expect(forbiddenImports(["src/schedule"], ["src/sim/", "containers/", "src/cli/", "properties/"])).toEqual([])
  })

  it("finds a planted import of the simulator, static or dynamic", () => {
    const file = join(root, "containers", "replay", "planted.ts")
    const source = [
      'import { runSchedule } from "../../src/sim/run.ts"',
      'export { describeStep } from "../../src/schedule/index.ts"',
      'const cli = await import("../../src/cli/main.ts")'
    ].join("\n")
    expect(importedPaths(source, file)).toEqual(["src/sim/run.ts", "src/schedule/index.ts", "src/cli/main.ts"])
  })
})
