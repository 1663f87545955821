// The acceptance test for the open model, 20 s long (run with `npm run test:k6-long`): a
// constant-arrival-rate of R/s yields R +/- 1% iterations per second over 20 s.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing/server.ts";
import { runScript } from "../testing/run-script.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ latencyMs: 5 });
});
afterAll(async () => {
  await srv.close();
});

it("constant-arrival-rate 500/s over 20 s: 500 +/- 1% it/s overall and in every warm second", async () => {
  const R = 500;
  const r = await runScript(
    `import http from "k6/http";
export const options = { scenarios: { open: { executor: "constant-arrival-rate", rate: ${R}, timeUnit: "1s", duration: "20s", preAllocatedVUs: 100, maxVUs: 200 } } };
export default function () { http.get(__ENV.T + "/ok"); }`,
    { env: { T: srv.url } },
  );
  const done = r.summary.metrics.iterations.values.count;
  const dropped = r.summary.metrics.dropped_iterations?.values.count ?? 0;
  expect(done + dropped).toBe(R * 20);
  const rate = done / 20;
  expect(Math.abs(rate - R) / R).toBeLessThanOrEqual(0.01);
  const perSec = r.ndjson.requestsPerSecond!;
  // seconds 2..19 (the first includes warm-up, the last is partial by completion time stamps)
  for (const n of perSec.slice(1, 19)) expect(Math.abs(n - R) / R).toBeLessThanOrEqual(0.01);
}, 60_000);
