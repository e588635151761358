/**
 * The planted-bug switch of the node image is compile-time only: the real bundle carries no bug list and
 * `faultline serve` has no option for one; a test bundle carries exactly the list it was built with.
 */
import { describe, expect, it } from "vitest"
import { parseServeOptions } from "../../src/node/serveOptions.ts"
import { compiledTestBugs, parseTestBugs } from "../../src/node/testBugs.ts"
import { bundleServer } from "./buildImage.ts"

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

describe("test-only bug switch of the node image", () => {
  it("the production bundle carries no bug list and no free FAULTLINE_TEST_BUGS global", async () => {
    // Arrange / Act
    const production = text(await bundleServer())
    // Assert: esbuild replaced the constant with `undefined`, so no global, environment or file can supply one.
    expect(production).not.toContain("FAULTLINE_TEST_BUGS")
    expect(production).not.toMatch(/"ackBeforePersist,applyCorruptRecords"/)
    expect(production).toMatch(/compiledTestBugs = parseTestBugs\(\s*false \? void 0 : ""\s*\)/)
  }, 60_000)

  it("a test bundle carries exactly the bug list it was built with", async () => {
    const testBundle = text(await bundleServer(["ackBeforePersist", "applyCorruptRecords"]))
    expect(testBundle).not.toContain("FAULTLINE_TEST_BUGS")
    expect(testBundle).toMatch(
      /compiledTestBugs = parseTestBugs\(\s*true \? "ackBeforePersist,applyCorruptRecords" : ""\s*\)/
    )
  }, 60_000)

  it("under tsx the bug set is empty, and the serve command line has no way to set one", () => {
    expect(compiledTestBugs.size).toBe(0)
    const base = [
      "--id",
      "0",
      "--peers",
      "0=127.0.0.1:7000",
      "--http-port",
      "8080",
      "--data-dir",
      "/tmp/x",
      "--cluster-secret",
      "secret-123"
    ]
    expect(() => parseServeOptions([...base, "--bugs", "ackBeforePersist"], {})).toThrow()
    expect(() => parseServeOptions([...base, "--test-bugs", "ackBeforePersist"], {})).toThrow()
    expect(Object.keys(parseServeOptions(base, { FAULTLINE_TEST_BUGS: "ackBeforePersist" }))).not.toContain("bugs")
  })

  it("an unknown planted bug is refused, so a typo cannot silently build the correct replica", () => {
    expect([...parseTestBugs("ackBeforePersist, followerReads")]).toEqual(["ackBeforePersist", "followerReads"])
    expect(() => parseTestBugs("ackBeforePersist,noSuchBug")).toThrow(/noSuchBug/)
  })
})
