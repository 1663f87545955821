// A called service's timeout, retries and circuit breaker run by its caller, as the model reads
// them (they belong to the callers of the service that declares them): web calls slow, which
// answers in 60 ms against slow's own 20 ms timeout. Each web request makes 3 attempts (timeout,
// backoff, retry), answers 504, and web's /metrics count calls, attempts and retries exactly; once
// a breaker window closes with every call failed, the breaker opens and the next calls are
// short-circuited (503) without reaching slow at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scenarioOf } from "../simulator/testing.ts";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import { countBy, drive, get, metricSum } from "./testing.ts";

const SCENARIO = `
version: 1
name: callers-retry
load:
  model: open
  rate: 5/s
  classes:
    item:
      http: { method: GET, path: "/items/{key}" }
      keys: { count: 10 }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, backends: web }
  web:
    kind: service
    concurrency: 16
    handlers:
      item: [{ call: slow }]
  slow:
    kind: service
    concurrency: 16
    service: { dist: constant, value: 60ms }
    timeout: 20ms
    retries: { attempts: 3, backoff: 10ms, jitter: none }
    circuit_breaker: { failure_rate: 0.5, window: 2s, min_calls: 5, open_for: 30s, half_open_calls: 1 }
`;

let app: RunningApp;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ app, stop } = await startAppPromise(scenarioOf(SCENARIO, "callers-retry.yaml"), { file: "callers-retry.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

const web = () => app.tiers.web!.map((r) => `${r.url}/metrics`);
const slow = () => app.tiers.slow!.map((r) => `${r.url}/metrics`);
const counted = (what: string) => metricSum(web(), "headroom_calls_resilience_total", { target: "slow", what });

describe("a called service's policies, run by its caller", () => {
  it("every call times out 3 times (2 retries), answers 504; then the breaker opens and short-circuits", async () => {
    const n = 8;
    const first = await drive(Array.from({ length: n }, (_, i) => get(`${app.url}/items/${i % 10}`)), 4);
    expect(countBy(first, (r) => String(r.status))).toEqual({ "504": n });
    expect(await counted("calls")).toBe(n);
    expect(await counted("attempts")).toBe(3 * n);
    expect(await counted("retries")).toBe(2 * n);
    expect(await counted("failed")).toBe(n);
    // slow saw every attempt: 3 per call
    const reached = await metricSum(slow(), "headroom_http_requests_total", { class: "item" });
    expect(reached).toBe(3 * n);
    // the 2 s window ends with 8 of 8 calls failed (rate 1 >= 0.5, 8 >= min_calls 5): the breaker opens
    await new Promise((r) => setTimeout(r, 2500));
    const second = await drive(Array.from({ length: n }, (_, i) => get(`${app.url}/items/${i % 10}`)), 4);
    expect(countBy(second, (r) => String(r.status))).toEqual({ "503": n });
    expect(await counted("breaker_opened")).toBe(1);
    expect(await counted("short_circuited")).toBe(n);
    expect(await metricSum(slow(), "headroom_http_requests_total", { class: "item" })).toBe(reached);
  });
});
