// Test runner configuration: every suite under the repo, Node environment unless a file says otherwise.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", "dist/**", "**/*.e2e.test.ts", "**/*.long.test.ts", "**/*.dist.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Builds the compiled CLI once, for the tests that spawn `headroom` (bin/cli-bundle.mjs).
    globalSetup: ["cli/tests/bundle.setup.ts"],
  },
});
