// End-to-end tests of the built dashboard in headless Debian Chromium (npm run test:e2e). Kept out of
// the default suite's include because they build the app and start a browser.
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["dashboard/e2e/**/*.e2e.test.ts"],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: false,
  },
});
