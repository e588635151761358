import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runScript } from "./testing/script.ts"

const directory = join(import.meta.dirname, "testdata")

describe("interaction scripts", () => {
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith(".txt"))
    .sort()) {
    it(file.replace(/\.txt$/, ""), () => {
      const cluster = runScript(readFileSync(join(directory, file), "utf8"))
      expect(cluster.replicas.size).toBeGreaterThan(0)
    })
  }
})
