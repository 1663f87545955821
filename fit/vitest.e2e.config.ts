// The fit's end-to-end loop (start the reference app with tracing, drive it, fit the traces back),
// about 2 minutes, kept out of `npm test`: `npm run test:fit-e2e`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["fit/**/*.e2e.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
