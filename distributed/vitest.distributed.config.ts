// The distributed suite (private redis-server, worker processes killed on purpose; about a minute),
// kept out of `npm test`: `npm run test:distributed`. Files run one at a time: they share the CPU
// with the workers they start.
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  test: {
    include: ["distributed/**/*.dist.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    // The compiled CLI, built before the first test spawns it (bin/cli-bundle.mjs).
    globalSetup: [fileURLToPath(new URL("../cli/tests/bundle.setup.ts", import.meta.url))],
  },
});
