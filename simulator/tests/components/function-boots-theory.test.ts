// Shared boots (a function's `boot_capacity` c, components/function/runtime.ts) against closed
// forms. When every invocation starts a new instance (none provisioned, an idle timeout of 10 us so
// an instance is almost never found idle, concurrency 1, a limit never reached), the boots in
// progress are a queue whose k jobs each progress at min(1, c/k): processor sharing over c servers,
// a symmetric discipline, so the number booting is M/M/c's birth-death law whatever the cold-start
// distribution (insensitivity), and by Little the mean start is M/M/c's mean sojourn,
// W = w + C(c, a) / (c/w - lambda), a = lambda w (c = 1: w / (1 - rho)). A cold invocation's time at
// the function is that start plus its work (a constant). Without boot_capacity each start is its
// draw alone (W = w), which the bands here would refuse. lambda is the cold invocations' rate (the
// few warm ones, about lambda x 10 us of the time, thin it).
// The analytic form (components/function/analytic.ts) takes its mean start from the same chain.
// The result's start figures (function.boots) are checked on the same runs: the mean start to
// ready is that sojourn and the starts in progress are lambda times it (Little).
// Bands from the replications' confidence intervals (expectTheory: under 3%).
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { functionAnalytic, sharedStartMean } from "../../components/function/analytic.ts";
import { erlangC, expectTheory, scenarioOf } from "../helpers.ts";

const bootScenario = (o: { seed: number; rate: number; cold: string; capacity?: number }) => scenarioOf(`
version: 1
name: boots
seed: ${o.seed}
simulation: { duration: 5000s, warmup: 20s, replications: 10 }
load:
  model: open
  rate: ${o.rate}/s
  classes: { call: { flow: [{ call: f }] } }
components:
  f: { kind: function, max_instances: 500, cold_start: ${o.cold}, ${o.capacity !== undefined ? `boot_capacity: ${o.capacity}, ` : ""}idle_timeout: 10us, service: 1ms }
`);

/** M/M/c's mean time in system (s): c servers of mean w, arrivals lambda. */
function mmcSojourn(c: number, lambda: number, w: number): number {
  return w + erlangC(c, lambda * w) / (c / w - lambda);
}

describe("shared boots: the mean start is M/M/c's sojourn (processor sharing over c, insensitive)", () => {
  const cases = [
    { seed: 41, c: 1, rate: 5, cold: "{ dist: exponential, mean: 100ms }", label: "c 1, exponential, rho 0.5" },
    { seed: 42, c: 1, rate: 5, cold: "{ dist: lognormal, mean: 100ms, cv: 1 }", label: "c 1, lognormal cv 1, rho 0.5" },
    { seed: 43, c: 2, rate: 12, cold: "{ dist: exponential, mean: 100ms }", label: "c 2, exponential, rho 0.6" },
    { seed: 44, c: 2, rate: 14, cold: "{ dist: uniform, min: 0ms, max: 200ms }", label: "c 2, uniform, rho 0.7" },
    { seed: 45, c: 1.5, rate: 7.5, cold: "{ dist: exponential, mean: 100ms }", label: "c 1.5, exponential, rho 0.5" },
  ];
  for (const k of cases) {
    it(k.label, () => {
      const r = simulate(bootScenario({ seed: k.seed, rate: k.rate, cold: k.cold, capacity: k.c }));
      const f = r.components.f.function!;
      expect(f.coldStartShare.mean).toBeGreaterThan(0.99);
      const lambda = k.rate * f.coldStartShare.mean;
      // c 1.5: rates min(1, 1.5/k) are not M/M/c's; the birth-death law with death rate min(k, c)/w
      const theory = (Number.isInteger(k.c) ? mmcSojourn(k.c, lambda, 0.1) : bdSojourn(k.c, lambda, 0.1)) * 1000 + 1;
      expectTheory(f.coldLatencyMs.mean!, theory, { label: k.label });
      // the result's own start figures: start to ready is the sojourn, and (Little) the starts in
      // progress are lambda times it, M/M/c's mean number in system
      expectTheory(f.boots.timeMs.mean!, theory - 1, { label: `${k.label}, boot time` });
      // (a count's time-average varies more than a mean time: the CI may be up to 1.4%)
      expectTheory(f.boots.inProgress, (lambda * (theory - 1)) / 1000, { label: `${k.label}, starting`, precision: 0.014 });
      expect(f.boots.peakInProgress).toBeGreaterThan(k.c);
      // the analytic form's start: the same chain (capped at max_instances 500: no difference here)
      expect(sharedStartMean(k.c, lambda, 0.1, 500) * 1000 + 1).toBeCloseTo(theory, 6);
      // unshared, the same draws would give w + 1 ms: the sharing is what the band sees
      expect(theory).toBeGreaterThan(1.3 * 101);
    });
  }

  it("the analytic form's holding time: the work plus the cold share of the shared start", () => {
    const s = bootScenario({ seed: 47, rate: 12, cold: "{ dist: exponential, mean: 100ms }", capacity: 2 });
    const fc = s.components.f;
    if (fc.kind !== "function") throw new Error("f is not a function");
    const a = functionAnalytic(fc, 12, 0.001);
    const starts = 12 * (1 - a.throttled) * a.coldStartShare;
    expect(a.holding).toBeCloseTo(0.001 + a.coldStartShare * mmcSojourn(2, starts, 0.1), 6);
    // against the simulated runs: the same mean start within the band the simulation test uses
    const r = simulate(s);
    expectTheory(r.components.f.function!.coldLatencyMs.mean!, (0.001 + (a.holding - 0.001) / a.coldStartShare) * 1000, { label: "analytic" });
    // a start cannot queue past max_instances: capped, the mean stays finite beyond c starts' worth
    expect(Number.isFinite(sharedStartMean(1, 50, 0.1, 20))).toBe(true);
    expect(sharedStartMean(1, 50, 0.1, 20)).toBeGreaterThan(1.5);
  });

  it("without boot_capacity each start is its own draw (the same load: W = w)", () => {
    const r = simulate(bootScenario({ seed: 46, rate: 14, cold: "{ dist: exponential, mean: 100ms }" }));
    const f = r.components.f.function!;
    expectTheory(f.coldLatencyMs.mean!, 101, { label: "unshared" });
    expectTheory(f.boots.timeMs.mean!, 100, { label: "unshared, boot time" });
    // starts in progress: M/G/inf, lambda w
    expectTheory(f.boots.inProgress, 14 * f.coldStartShare.mean * 0.1, { label: "unshared, starting" });
  });
});

/** Mean time in a birth-death system with arrivals lambda and total service rate min(k, c)/w at k present (c real), by Little. */
function bdSojourn(c: number, lambda: number, w: number): number {
  let p = 1, sum = 1, mean = 0;
  for (let k = 1; k < 10_000; k++) {
    p *= (lambda * w) / Math.min(k, c);
    sum += p;
    mean += k * p;
    if (p < 1e-15 * sum && k > c) break;
  }
  return mean / sum / lambda;
}

describe("shared boots in a whole scenario", () => {
  // concurrency 4 (invocations join an instance still starting: they wait on it too), a timeout that
  // some shared starts exceed, and bursts: every invocation accounted for, the same output twice
  const yaml = (capacity: string) => `
version: 1
name: boots-burst
seed: 7
simulation: { duration: 120s, warmup: 0s, replications: 2 }
load:
  model: open
  stages:
    - { duration: 30s, target: 40/s, shape: step }
    - { duration: 30s, target: 1/s, shape: step }
    - { duration: 30s, target: 200/s, shape: step }
    - { duration: 30s, target: 1/s, shape: step }
  classes: { call: { flow: [{ call: f }] } }
components:
  f: { kind: function, max_instances: 30, concurrency: 4, cold_start: { dist: lognormal, mean: 400ms, cv: 0.5 }, ${capacity}idle_timeout: 5s, timeout: 1500ms, service: 20ms }
`;
  it("accounted, deterministic, and slower starts than unshared", () => {
    const shared = simulate(scenarioOf(yaml("boot_capacity: 1.5, ")));
    const again = simulate(scenarioOf(yaml("boot_capacity: 1.5, ")));
    const alone = simulate(scenarioOf(yaml("")));
    expect(JSON.stringify(again)).toBe(JSON.stringify(shared));
    const c = shared.classes.call.counts;
    expect(c.arrived).toBeGreaterThan(0);
    // the last stage runs at 1/s with 20 ms of work: at most a few requests in flight at the end
    const ended = c.completed + c.dropped + c.failed;
    expect(ended).toBeLessThanOrEqual(c.arrived);
    expect(ended).toBeGreaterThanOrEqual(c.arrived - 2 * 5);
    const f = shared.components.f.function!, g = alone.components.f.function!;
    expect(f.coldStarts).toBeGreaterThan(0);
    // shared: starts several at once at 1.5 starts' speed, so the cold invocations wait longer and some time out
    expect(f.coldLatencyMs.mean!.mean).toBeGreaterThan(1.2 * g.coldLatencyMs.mean!.mean);
    expect(f.timeouts).toBeGreaterThan(g.timeouts);
  });
});
