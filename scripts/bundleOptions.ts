/**
 * The esbuild options every bundle of Faultline shares: the `faultline` command in dist/ (scripts/build.ts) and the
 * node image's server (containers/image/buildImage.ts). Both run on Node 20 and carry no test-only bug list:
 * `FAULTLINE_TEST_BUGS` (read by src/node/testBugs.ts) is `undefined` unless a test image asks for planted bugs.
 */
import type { BuildOptions } from "esbuild"

const testBugsDefine = (testBugs: ReadonlyArray<string>): Record<string, string> => ({
  FAULTLINE_TEST_BUGS: testBugs.length === 0 ? "undefined" : JSON.stringify(testBugs.join(","))
})

export const nodeBundleOptions = (testBugs: ReadonlyArray<string> = []): BuildOptions => ({
  define: testBugsDefine(testBugs),
  bundle: true,
  platform: "node",
  target: "node20",
  logLevel: "silent",
  legalComments: "none"
})
