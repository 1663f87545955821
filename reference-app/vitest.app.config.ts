// The reference app's heavier suite (npm run test:app): fault timings, more interrupt points, CDN.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["reference-app/**/*.e2e.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: false,
  },
});
