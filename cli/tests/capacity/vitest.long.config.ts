// Capacity search and planner accuracy tests (tens of seconds), kept out of `npm test`: `npm run test:capacity`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["cli/tests/capacity/**/*.long.test.ts"],
    testTimeout: 300_000,
    pool: "forks",
  },
});
