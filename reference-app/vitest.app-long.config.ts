// `npm run test:app-long`: the reference app's end-to-end files kept out of test:app (and CI) for
// time, each covering an area test:app also checks more briefly (app-long-files.ts says which).
// Same settings as test:app: one file at a time, one retry.
import { defineConfig } from "vitest/config";
import app from "./vitest.app.config.ts";
import { APP_LONG_FILES } from "./app-long-files.ts";

export default defineConfig({
  test: { ...app.test, include: APP_LONG_FILES, exclude: [] },
});
