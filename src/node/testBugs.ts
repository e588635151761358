/**
 * The node's test-only bug set: a compile-time constant, never an option. The Docker suites bundle a separate
 * test image with esbuild's `define: { FAULTLINE_TEST_BUGS: JSON.stringify("ackBeforePersist,...") }`
 * (containers/image/buildImage.ts); the production bundle defines it as `undefined`, and under tsx the global
 * does not exist, so there the set is empty. Nothing a user passes to `faultline serve` can reach it.
 */
import { isBugName, type BugName } from "../protocol/bugs.ts"
import { assert } from "../assert.ts"

// Replaced by esbuild's define in the bundles; deliberately never assigned anywhere at run time.
declare const FAULTLINE_TEST_BUGS: string | undefined

/** Refuses an unknown name: a test image built with a typo must fail to start, not run the correct replica. */
export const parseTestBugs = (text: string): ReadonlySet<BugName> => {
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0)
  const unknown = names.filter((name) => !isBugName(name))
  assert(unknown.length === 0, () => `a test image is built with known bugs only, got ${unknown.join(", ")}`)
  return new Set(names as ReadonlyArray<BugName>)
}

export const compiledTestBugs: ReadonlySet<BugName> = parseTestBugs(
  typeof FAULTLINE_TEST_BUGS === "string" ? FAULTLINE_TEST_BUGS : ""
)
