// Serverless functions (components/function) against closed forms.
//
// 1. Cold starts of one instance (max_instances 1, concurrency 1, refusing beyond it): after each
//    invocation the next admitted one arrives an Exp(lambda) gap later (memoryless, whatever the
//    service and cold start took), and starts cold exactly when that gap exceeds idle_timeout T:
//    cold share = e^{-lambda T}.
// 2. One instance with concurrency c and no cold-start time: the busy slots are an M/G/c/c loss
//    system (insensitive: the truncated Poisson law), an invocation is cold when it finds the
//    instance with no work (N = 0) and it has been so for longer than T (again an Exp(lambda) gap):
//    cold share = pi_0 e^{-lambda T} / (1 - B(c, a)), a = lambda E[S].
// 3. Instances in use at a limit never reached: an M/G/inf system, mean busy = lambda E[S]
//    (Little), for lognormal service times.
// 4. Throttling at the concurrency limit (max_instances x concurrency slots, on_throttle: reject):
//    the share refused is Erlang B, B(K, a), insensitive to the service distribution (instances
//    started on demand, with no start time); with an `overhead`, on the work plus the overhead.
// 5. Queued when throttled (on_throttle: queue), instances provisioned: an M/M/K queue, the share
//    of invocations that wait is Erlang C, C(K, a).
// Bands from the replications' confidence intervals (expectTheory: under 3%). Also the analytic
// form (components/function/analytic.ts), exact in cases 1 and 4.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { coldShareAt, functionAnalytic } from "../../components/function/index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { erlangC, expectTheory, scenarioOf } from "../helpers.ts";
import type { FunctionComponent, Scenario } from "../../model/index.ts";

/** Erlang B by its recurrence: B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)). */
function erlangB(k: number, a: number): number {
  let b = 1;
  for (let i = 1; i <= k; i++) b = (a * b) / (i + a * b);
  return b;
}

/** Truncated Poisson at 0: 1 / sum_{k<=c} a^k / k!. */
function pi0(c: number, a: number): number {
  let term = 1, sum = 1;
  for (let k = 1; k <= c; k++) { term *= a / k; sum += term; }
  return 1 / sum;
}

/** The scenario's function `f`. */
function fnOf(s: Scenario): FunctionComponent {
  const f = s.components.f;
  if (f.kind !== "function") throw new Error("f is not a function");
  return f;
}

const fnScenario = (o: { seed: number; rate: string; sim: string; fn: string }) => scenarioOf(`
version: 1
name: fn
seed: ${o.seed}
simulation: ${o.sim}
load:
  model: open
  rate: ${o.rate}
  classes: { call: { flow: [{ call: f }] } }
components:
  f: { kind: function, ${o.fn} }
`);

describe("one instance: cold share e^{-lambda T}", () => {
  for (const [seed, lt] of [[11, 0.5], [12, 1], [13, 2]] as const) {
    it(`lambda T = ${lt}`, () => {
      // lambda = 1/s, T = lt s; a cold start of 100 ms and work of 10 ms (throttled meanwhile).
      const s = fnScenario({
        seed, rate: "1/s", sim: `{ duration: ${lt === 2 ? 30000 : lt === 1 ? 8000 : 5000}s, warmup: 10s, replications: 12 }`,
        fn: `max_instances: 1, cold_start: 100ms, idle_timeout: ${lt}s, service: { dist: exponential, mean: 10ms }`,
      });
      const r = simulate(s);
      const f = r.components.f.function!;
      const theory = Math.exp(-lt);
      expectTheory(f.coldStartShare, theory, { label: `cold share at lambda T ${lt}` });
      expect(f.throttled).toBeGreaterThan(0);
      expect(r.classes.call.counts.byReason.throttled).toBe(f.throttled);
      expect(f.peakInstances).toBe(1);
      // the analytic form is exact here
      expect(coldShareAt(fnOf(s), 1, 0.11).cold).toBeCloseTo(theory, 12);
    });
  }
});

describe("one instance of concurrency 2, no start time: pi_0 e^{-lambda T} / (1 - B)", () => {
  it("a = 1, lambda T = 0.5", () => {
    // lambda = 100/s, lognormal work of mean 10 ms (a = 1), T = 5 ms.
    const s = fnScenario({
      seed: 21, rate: "100/s", sim: "{ duration: 400s, warmup: 2s, replications: 12 }",
      fn: "max_instances: 1, concurrency: 2, cold_start: 0s, idle_timeout: 5ms, service: { dist: lognormal, mean: 10ms, cv: 1.5 }",
    });
    const r = simulate(s);
    const theory = (pi0(2, 1) * Math.exp(-0.5)) / (1 - erlangB(2, 1));
    expectTheory(r.components.f.function!.coldStartShare, theory, { label: "cold share, concurrency 2" });
    expectTheory(r.components.f.blockingProbability, erlangB(2, 1), { label: "throttled, concurrency 2" });
  });
});

describe("instances in use at a limit never reached: M/G/inf", () => {
  it("mean busy instances = lambda E[S] = 10", () => {
    const s = fnScenario({
      seed: 31, rate: "50/s", sim: "{ duration: 650s, warmup: 50s, replications: 10 }",
      fn: "max_instances: 1000, cold_start: 0s, idle_timeout: 1h, service: { dist: lognormal, mean: 200ms, cv: 1.5 }",
    });
    const r = simulate(s);
    const f = r.components.f.function!;
    expectTheory(f.activeInstances, 10, { label: "busy instances" });
    expect(f.throttled).toBe(0);
    // idle instances are kept for an hour: alive is the most ever busy at once, above the mean
    expect(f.instances.mean).toBeGreaterThan(15);
    expect(f.peakInstances).toBeLessThan(60);
    // GB-seconds per second: busy instances x 128 MiB
    expect(f.gbSecondsPerSecond.mean).toBeCloseTo(f.activeInstances.mean / 8, 9);
    const a = functionAnalytic(fnOf(s), 50, 0.2);
    expect(a.activeInstances).toBeCloseTo(10, 6);
  });
});

describe("throttling at max_instances x concurrency: Erlang B", () => {
  // K = 4 instances x 2 = 8 slots started on demand (no start time), a = 800/s x 10 ms = 8: B = 0.2356.
  // (Provisioned, always-warm instances are the Erlang C case below.)
  it("insensitive to the service time (lognormal, cv 1.5)", () => {
    const s = fnScenario({
      seed: 42, rate: "800/s", sim: "{ duration: 100s, warmup: 5s, replications: 10 }",
      fn: "max_instances: 4, concurrency: 2, cold_start: 0s, idle_timeout: 1h, service: { dist: lognormal, mean: 10ms, cv: 1.5 }",
    });
    const r = simulate(s);
    const theory = erlangB(8, 8);
    expectTheory(r.components.f.blockingProbability, theory, { label: "Erlang B" });
    expect(r.components.f.drops.throttled).toBe(r.components.f.function!.throttled);
    expect(r.classes.call.counts.byReason.throttled).toBe(r.components.f.function!.throttled);
    expect(r.components.f.function!.peakInstances).toBe(4);
    const a = solveAnalytic(s);
    expect(a.components.f.throttled).toBeCloseTo(theory, 9);
  });
});

describe("the platform's overhead holds the slot: Erlang B on work + overhead", () => {
  // The same 8 slots with 6 ms of work and an overhead of 4 ms (lognormal, cv 1): the slot is held
  // for both, so a = 800/s x 10 ms = 8 again and B = 0.2356; without the overhead a = 4.8 (B = 0.0531).
  // The latency of an admitted invocation is the work plus the overhead: 10 ms in the mean (no start time).
  it("a = lambda (E[S] + E[overhead])", () => {
    const s = fnScenario({
      seed: 43, rate: "800/s", sim: "{ duration: 100s, warmup: 5s, replications: 10 }",
      fn: "max_instances: 4, concurrency: 2, cold_start: 0s, idle_timeout: 1h, service: { dist: lognormal, mean: 6ms, cv: 1.5 }, overhead: { dist: lognormal, mean: 4ms, cv: 1 }",
    });
    const r = simulate(s);
    expectTheory(r.components.f.blockingProbability, erlangB(8, 8), { label: "Erlang B with the overhead" });
    expectTheory(r.classes.call.latencyMs.mean, 10, { label: "latency: work + overhead" });
    expect(solveAnalytic(s).components.f.throttled).toBeCloseTo(erlangB(8, 8), 9);
  });
});

describe("queued at max_instances x concurrency: Erlang C", () => {
  it("K = 2 x 2 slots, a = 3: the share that waits", () => {
    const s = fnScenario({
      seed: 51, rate: "300/s", sim: "{ duration: 200s, warmup: 5s, replications: 10 }",
      fn: "max_instances: 2, concurrency: 2, provisioned: 2, cold_start: 1s, on_throttle: queue, service: { dist: exponential, mean: 10ms }",
    });
    const r = simulate(s);
    const f = r.components.f;
    expectTheory(f.waitProbability, erlangC(4, 3), { label: "Erlang C, queued invocations" });
    expect(f.function!.throttled).toBe(0);
    expect(f.function!.coldStarts).toBe(0);
  });
});
