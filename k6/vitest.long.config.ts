// Long-running k6 runner tests (tens of seconds each), kept out of `npm test`: `npm run test:k6-long`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["k6/**/*.long.test.ts"],
    testTimeout: 120_000,
    pool: "forks",
  },
});
