// `npm run test:app-unproven`: the reference app's comparisons with the simulator that have not yet
// passed on a quiet machine, kept out of test:app (and so out of CI) until they do: the realtime
// delivery latency (realtime/realtime-app.e2e.test.ts), TLS under connection churn (tls.e2e.test.ts)
// and the max_connections gate's mean wait (db-gate-wait.e2e.test.ts); `headroom validate` of a
// scenario with regions (validation/regions-levels.e2e.test.ts).
import { defineConfig } from "vitest/config";
import app from "./vitest.app.config.ts";

export default defineConfig({ test: { ...app.test, include: ["reference-app/realtime/realtime-app.e2e.test.ts", "reference-app/tls.e2e.test.ts", "reference-app/db-gate-wait.e2e.test.ts", "validation/regions-levels.e2e.test.ts"], exclude: [] } });
