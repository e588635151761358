import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: [
      "scripts/**/*.test.ts",
      "src/**/*.test.ts",
      "model/**/*.test.ts",
      "properties/**/*.test.ts",
      "containers/**/*.test.ts"
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default"],
    // Tests that start `faultline` (the CLI tests, local clusters) run the sources they test, not a dist/ that may
    // be older than them; scripts/build.test.ts checks the compiled command itself.
    env: { FAULTLINE_FROM_SOURCE: "1" }
  }
})
