// `validate --target` end to end against the tiny local system (real load levels, tens of seconds),
// kept out of `npm test`: `npm run test:own-system` (CI runs it after the default suite).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["validation/**/*.long.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
