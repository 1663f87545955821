// The distributed suite (private redis-server, worker processes killed on purpose; about a minute),
// kept out of `npm test`: `npm run test:distributed`. Files run one at a time: they share the CPU
// with the workers they start.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["distributed/**/*.dist.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
