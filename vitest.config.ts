// Test runner configuration: every suite under the repo, Node environment unless a file says otherwise.
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", "dist/**", "**/*.e2e.test.ts", "**/*.long.test.ts", "**/*.dist.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two test files at a time even on 2 cores (vitest's default there is one: cores - 1): most of a
    // file's time is importing its modules, which overlaps well. On 3 Dec 2026, alone on 2 cores,
    // 168 files took 595 s one at a time and 364 s two at a time, every timing test passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Files share their worker's module cache instead of each importing the simulator, Effect and
    // React afresh (import was 544 s of the files' 572 s on 4 Dec). No test file mocks modules or
    // stubs globals; one that overrides process.env restores it in place (k6/testing/env.ts).
    isolate: false,
    // Builds the compiled CLI once, for the tests that spawn `headroom` (bin/cli-bundle.mjs).
    globalSetup: ["cli/tests/bundle.setup.ts"],
  },
});
