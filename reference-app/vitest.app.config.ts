// The reference app's heavier suite (npm run test:app): fault timings, interrupt points, CDN, Redis
// eviction, a bandwidth link against M/G/1-PS (bandwidth-link.e2e.test.ts) and links beyond the entry (links-beyond-entry.e2e.test.ts), auto-scaling, the slowed-dependency (through the load's own client, and through the app's resilience gateway), cache-loss, database-failover, serverless-function and payload-bytes validations,
// serverless-api.yaml started (validation/serverless-api.e2e.test.ts), and `check --measure`'s real run (cli/tests/capacity).
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";
import { APP_LONG_FILES } from "./app-long-files.ts";

export default defineConfig({
  test: {
    include: ["reference-app/**/*.e2e.test.ts", "cli/tests/capacity/check-measure.e2e.test.ts", "validation/cache-loss.e2e.test.ts", "validation/slow-dependency.e2e.test.ts", "validation/resilience-gateway.e2e.test.ts", "validation/db-failover.e2e.test.ts", "validation/function-burst.e2e.test.ts", "validation/serverless-api.e2e.test.ts", "validation/payload-bytes.e2e.test.ts", "validation/link-validate.e2e.test.ts"],
    // Comparisons that have not passed on a quiet machine yet (npm run test:app-unproven): the realtime
    // delivery latency (p50 5-26% below the model in every run so far, 12-14% of it at load 11-18 the
    // legs' correlated stalls: docs/reference-app.md, Realtime components) and TLS under churn (HAProxy's
    // thread waited for a CPU 57-266% of its run time in every run). Out of CI until they do.
    // The max_connections gate's mean wait (db-gate-wait.e2e.test.ts) joined this suite on 4 Dec
    // 2026 after passing 3 of 3 alone (its misses were on a machine at load 8-14).
    // The broker confirm's fall with the publish rate (confirm-wake.e2e.test.ts, new on 4 Dec 2026) too.
    // The files of test:app-long (app-long-files.ts) are out too: CI's time.
    exclude: ["reference-app/realtime/realtime-app.e2e.test.ts", "reference-app/tls.e2e.test.ts", "reference-app/confirm-wake.e2e.test.ts", ...APP_LONG_FILES],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: false,
    // One retry: these tests time real processes on a shared 2-core machine, where one unlucky window
    // (a scan preempted, a relay woken late) can miss a band a quiet run meets. A real defect fails
    // both tries; a retried pass is listed as flaky in the log (ci-summary prints the count).
    retry: 1,
    // The compiled CLI, built before the first test spawns it (bin/cli-bundle.mjs).
    globalSetup: [fileURLToPath(new URL("../cli/tests/bundle.setup.ts", import.meta.url))],
  },
});
