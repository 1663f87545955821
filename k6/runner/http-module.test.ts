// k6/http and k6/execution details against a local server: http.batch runs its requests in parallel
// within k6's `batch` / `batchPerHost` limits, setResponseCallback(null) stops http_req_failed, a
// scenario's `env` is merged over __ENV for its VUs, and k6/execution refuses members it lacks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing/server.ts";
import { runScript } from "../testing/run-script.ts";

let slow: TestServer;
let fast: TestServer;
beforeAll(async () => {
  slow = await startTestServer({ latencyMs: 300 });
  fast = await startTestServer({ latencyMs: 1 });
});
afterAll(async () => {
  await slow.close();
  await fast.close();
});

// one warm-up request (connection set up), then a single request and a batch of 3, each timed
const BATCH = (opts: string) => `import http from "k6/http"; import { Trend } from "k6/metrics";
const one = new Trend("one_ms"); const three = new Trend("batch_ms");
export const options = { vus: 1, iterations: 1, ${opts} };
export default function () {
  http.get(__ENV.T + "/ok");
  let t = Date.now(); http.get(__ENV.T + "/ok"); one.add(Date.now() - t);
  t = Date.now(); const rs = http.batch([__ENV.T + "/ok", __ENV.T + "/ok", __ENV.T + "/ok"]); three.add(Date.now() - t);
  if (rs.length !== 3 || rs.some((r) => r.status !== 200)) throw new Error("bad batch");
}`;

describe("http.batch", () => {
  it("sends a batch of 3 in parallel: wall time < 2x one request's (k6 defaults batch 20, batchPerHost 6)", async () => {
    const r = await runScript(BATCH(""), { env: { T: slow.url } });
    expect(r.exitCode).toBe(0);
    const one = r.summary.metrics.one_ms.values.max;
    const batch = r.summary.metrics.batch_ms.values.max;
    // sequential would be 3x; parallel is ~1x plus two connection set-ups
    expect(batch / one).toBeLessThan(2);
    expect(r.summary.metrics.http_reqs.values.count).toBe(5);
  });

  it("batchPerHost: 1 serializes the batch again (ratio > 2.5); batch: 2 allows two at a time (1.5..2.9)", async () => {
    const perHost = await runScript(BATCH("batchPerHost: 1"), { env: { T: slow.url } });
    const r1 = perHost.summary.metrics.batch_ms.values.max / perHost.summary.metrics.one_ms.values.max;
    expect(r1).toBeGreaterThan(2.5);
    const global = await runScript(BATCH("batch: 2, batchPerHost: 0"), { env: { T: slow.url } });
    const r2 = global.summary.metrics.batch_ms.values.max / global.summary.metrics.one_ms.values.max;
    expect(r2).toBeGreaterThan(1.5);
    expect(r2).toBeLessThan(2.9);
  });
});

describe("http.asyncRequest", () => {
  it("three concurrent asyncRequests of one VU overlap: wall time < 2x one request's", async () => {
    const r = await runScript(
      `import http from "k6/http"; import { Trend } from "k6/metrics";
const one = new Trend("one_ms"); const three = new Trend("async_ms");
export const options = { vus: 1, iterations: 1 };
export default async function () {
  http.get(__ENV.T + "/ok");
  let t = Date.now(); http.get(__ENV.T + "/ok"); one.add(Date.now() - t);
  t = Date.now();
  const rs = await Promise.all([1, 2, 3].map(() => http.asyncRequest("GET", __ENV.T + "/ok")));
  three.add(Date.now() - t);
  if (rs.some((x) => x.status !== 200)) throw new Error("bad");
}`,
      { env: { T: slow.url } },
    );
    expect(r.exitCode).toBe(0);
    expect(r.summary.metrics.async_ms.values.max / r.summary.metrics.one_ms.values.max).toBeLessThan(2);
  });
});

describe("response callbacks", () => {
  it("setResponseCallback(null) emits no http_req_failed and no expected_response tag; a params callback overrides it", async () => {
    const r = await runScript(
      `import http from "k6/http";
export const options = { vus: 1, iterations: 2 };
http.setResponseCallback(null);
export default function () {
  http.get(__ENV.T + "/status/500");
  http.get(__ENV.T + "/status/404", { responseCallback: http.expectedStatuses(404) });
}`,
      { env: { T: fast.url } },
    );
    expect(r.exitCode).toBe(0);
    expect(r.summary.metrics.http_reqs.values.count).toBe(4);
    // only the two requests with their own callback are judged, and both are expected
    expect(r.summary.metrics.http_req_failed.values.passes + r.summary.metrics.http_req_failed.values.fails).toBe(2);
    expect(r.summary.metrics.http_req_failed.values.rate).toBe(0); // a Rate's "passes" are its non-zero samples
    const d500 = r.points.filter((p) => p.metric === "http_req_duration" && p.tags?.status === "500");
    expect(d500.length).toBe(2);
    for (const p of d500) expect(p.tags).not.toHaveProperty("expected_response");
  });

  it("setResponseCallback with anything but expectedStatuses or null is an error", async () => {
    const r = await runScript(
      `import http from "k6/http";
export const options = { vus: 1, iterations: 1 };
export default function () { http.setResponseCallback((r) => true); }`,
    );
    expect(r.stderr).toContain("unsupported argument, expected http.expectedStatuses");
  });
});

describe("scenario env and k6/execution", () => {
  it("a scenario's env is merged over __ENV for its VUs only; the init context and setup see the global env", async () => {
    const r = await runScript(
      `import { Counter } from "k6/metrics";
const seen = new Counter("seen");
const initA = __ENV.A;
export const options = { scenarios: {
  plain: { executor: "per-vu-iterations", vus: 1, iterations: 1, exec: "plain" },
  custom: { executor: "per-vu-iterations", vus: 1, iterations: 1, exec: "custom", env: { A: "scen", B: "b" } },
} };
export function setup() { if (__ENV.A !== "global") throw new Error("setup env " + __ENV.A); }
export function plain() { seen.add(1, { a: String(__ENV.A), b: String(__ENV.B), init: initA }); }
export function custom() { seen.add(1, { a: String(__ENV.A), b: String(__ENV.B), c: String(__ENV.C), init: initA }); }`,
      { env: { A: "global", C: "c" } },
    );
    expect(r.exitCode).toBe(0);
    const pts = r.points.filter((p) => p.metric === "seen");
    expect(pts.length).toBe(2);
    const plain = pts.find((p) => p.tags?.scenario === "plain")!;
    const custom = pts.find((p) => p.tags?.scenario === "custom")!;
    expect(plain.tags).toMatchObject({ a: "global", b: "undefined", init: "global" });
    expect(custom.tags).toMatchObject({ a: "scen", b: "b", c: "c", init: "global" });
  });

  it("k6/execution refuses members it does not have, instead of returning undefined", async () => {
    const r = await runScript(
      `import exec from "k6/execution";
export const options = { vus: 1, iterations: 1 };
export default function () { if (exec.vu.bogus === undefined) throw new Error("silently undefined"); }`,
    );
    expect(r.stderr).toContain("'k6/execution.vu' has no member 'bogus'");
    expect(r.stderr).not.toContain("silently undefined");
  });

  it("exec.test.fail() marks the test failed (exit 110) and the test runs to its end", async () => {
    const r = await runScript(
      `import exec from "k6/execution"; import { Counter } from "k6/metrics";
const after = new Counter("after_fail");
export const options = { vus: 1, iterations: 3 };
export default function () { if (exec.vu.iterationInScenario === 0) exec.test.fail("bad data"); after.add(1); }`,
    );
    expect(r.exitCode).toBe(110);
    // fail() does not end the iteration: k6 only marks the test
    expect(r.summary.metrics.after_fail.values.count).toBe(3);
    expect(r.stderr).toContain("bad data");
  });
});
