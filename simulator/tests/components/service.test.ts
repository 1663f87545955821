// The service kind's runtime on its own (components/service): the numbers a caller's retries,
// the breaker's admission and the client-side round robin give, without a run. Backoff is
// exponential, capped, without jitter: 100, 200, 400, 800, then 1000 ms (the cap); attempts bound
// the retries; a success or a short-circuited call is never retried; a budget of 0.25 per first
// attempt over a reserve of 10 tokens allows exactly 10 + 0.25 k retries after k first attempts.
// Breaker and autoscaler behaviour through whole runs: dynamics/resilience.test.ts,
// dynamics/breaker-time.test.ts, dynamics/autoscaling.test.ts.
import { describe, expect, it } from "vitest";
import { compile } from "../../engine/program.ts";
import { Calendar } from "../../engine/calendar.ts";
import { Histogram } from "../../engine/histogram.ts";
import { Rng } from "../../engine/rng.ts";
import { C_BUDGET_DENIED, C_COUNTERS, C_RETRIES, R_CIRCUIT_OPEN, R_SVCTIMEOUT, REP_DOWN, REP_SERVING } from "../../engine/codes.ts";
import { KINDS } from "../../components/index.ts";
import { ADMIT_CALL } from "../../engine/codes.ts";
import type { RuntimeContext } from "../../components/kind.ts";
import { scenarioOf } from "../helpers.ts";

const s = scenarioOf(`
version: 1
name: service-parts
load: { model: open, rate: 10/s, classes: { req: { flow: [{ call: front }] } } }
components:
  front: { kind: service, replicas: 1, handlers: { req: [{ call: api }, { call: budgeted }] } }
  api:
    kind: service
    replicas: 3
    concurrency: 4
    service: { dist: constant, value: 1ms }
    retries: { attempts: 6, backoff: 100ms, max_backoff: 1s, jitter: none }
    circuit_breaker: { failure_rate: 50%, window: 10s, min_calls: 5, open_for: 5s }
  budgeted:
    kind: service
    replicas: 1
    service: { dist: constant, value: 1ms }
    retries: { attempts: 3, backoff: 10ms, budget: 0.25 }
`);
const p = compile(s);
const idx = (n: string) => p.services.findIndex((sv) => p.components[sv.component].name === n);

function fresh() {
  const nRep = p.services.reduce((a, sv) => a + sv.slots.length, 0);
  const componentStats = p.components.map(() => ({ counts: new Float64Array(C_COUNTERS), latency: new Histogram(), queueArea: 0, maxQueue: 0, instanceArea: 0 }));
  const kernel = { busy: new Int32Array(p.resources.length), units: new Float64Array(p.resources.length), replicaState: new Uint8Array(nRep).fill(REP_SERVING), componentDown: new Uint8Array(p.components.length), componentStats };
  const ctx: RuntimeContext = { stream: (n) => new Rng(3, 0, n), componentNames: p.components.map((c) => c.name), samplers: p.samplers, keySpace: 1, kernel, faults: [] };
  const rt = KINDS.service.runtime(p.services, ctx);
  rt.start(new Calendar(16));
  rt.startMeasuring(0);
  return { rt, kernel };
}

describe("service compiled: a slot resource per replica, each a global replica", () => {
  it("api: 3 slots of 4 units, replicas numbered after front's one", () => {
    const sv = p.services[idx("api")];
    expect([...sv.slots].map((r) => p.resources[r].units)).toEqual([4, 4, 4]);
    expect([...sv.replicas]).toEqual([1, 2, 3]);
    expect([...sv.slots].map((r) => p.replicaOf[r])).toEqual([1, 2, 3]);
  });
});

describe("service runtime: retries, budget, breaker admission, round robin", () => {
  it("backoff without jitter: 0.1, 0.2, 0.4, 0.8, 1 s (cap), then the attempts are spent", () => {
    const { rt } = fresh();
    const api = idx("api");
    expect([0, 1, 2, 3, 4].map((k) => rt.retryDelay(api, k, R_SVCTIMEOUT))).toEqual([0.1, 0.2, 0.4, 0.8, 1]);
    expect(rt.retryDelay(api, 5, R_SVCTIMEOUT)).toBe(-1);
  });
  it("no retry for a success or a call the breaker refused", () => {
    const { rt } = fresh();
    expect(rt.retryDelay(idx("api"), 0, 0)).toBe(-1);
    expect(rt.retryDelay(idx("api"), 0, R_CIRCUIT_OPEN)).toBe(-1);
  });
  it("budget 0.25 per first attempt (exact in binary) over a reserve of 10: 100 failed first attempts retry 10 + 25 = 35 times", () => {
    const { rt, kernel } = fresh();
    const b = idx("budgeted");
    let retried = 0;
    for (let k = 0; k < 100; k++) if (rt.retryDelay(b, 0, R_SVCTIMEOUT) >= 0) retried++;
    expect(retried).toBe(35);
    const counts = kernel.componentStats[p.services[b].component].counts;
    expect([counts[C_RETRIES], counts[C_BUDGET_DENIED]]).toEqual([35, 65]);
  });
  it("a closed breaker admits every call", () => {
    const { rt } = fresh();
    for (let k = 0; k < 10; k++) expect(rt.admit(idx("api"))).toBe(ADMIT_CALL);
  });
  it("round robin over serving replicas, skipping a down one: 0, 2, 0, 2", () => {
    const { rt, kernel } = fresh();
    const api = idx("api");
    kernel.replicaState[p.services[api].replicas[1]] = REP_DOWN;
    expect([0, 1, 2, 3].map(() => rt.nextReplica(api))).toEqual([0, 2, 0, 2]);
  });
});
