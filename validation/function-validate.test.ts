// The pure half of the serverless-function validation (function-validate.ts): reading the
// dispatcher's metrics, the cold-start calibration, one run's percentiles and time averages, which
// scenarios it takes, where each row's target flips, and that the driver sends the model's own
// arrival realization. The run itself is function-burst.e2e.test.ts.
import { describe, expect, it } from "vitest";
import { parseScenario } from "../simulator/model/index.ts";
import { simulate } from "../simulator/index.ts";
import { RateProfile, Rng } from "../simulator/random.ts";
import { Dispatcher, dispatcherConfig } from "../reference-app/function/dispatcher.ts";
import { parseFunctionMetrics } from "../reference-app/collector.ts";
import { calibratedColdStart, functionRows, functionTarget, pathBand, quantileSe, quantileSorted, stepMean, type FunctionSide } from "./function-validate.ts";

const scenario = (extra: string) => {
  const r = parseScenario(`version: 1
name: t
simulation: { duration: 10s, warmup: 0s }
load:
  model: open
  rate: 5/s
  classes:
    a: { http: { method: GET, path: /a }, flow: [{ call: api }] }
components:
  api: { kind: service, handlers: { a: [{ call: f }] } }
  f: { kind: function, cold_start: 100ms, service: 10ms }
${extra}`, "t.yaml");
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
};

describe("function validation, pure parts", () => {
  it("reads the dispatcher's own /metrics text", () => {
    const d = new Dispatcher(dispatcherConfig("thumbs", { max_instances: 2, concurrency: 1, cold_start: { dist: "constant", value: 0 }, idle_timeout: 1, provisioned: 0, on_throttle: "reject" }));
    Object.assign(d.metrics, { cold: 7, warm: 93, throttled: 2, timeouts: 1, started: 7, reaped: 5, coldStartSeconds: 2.45 });
    expect(parseFunctionMetrics(d.prometheus())).toEqual({ instances: 0, cold: 7, warm: 93, throttled: 2, timeouts: 1, started: 7, reaped: 5, coldStartCount: 7, coldStartSum: 2.45 });
    expect(() => parseFunctionMetrics("headroom_function_instances 3\n")).toThrow(/no headroom_function_invocations_total/);
  });

  it("calibrates the cold start to the run's measured ones, resampled; keeps the YAML's without any", () => {
    expect(calibratedColdStart({ dist: "constant", value: 0.2 }, [{ s: 0.31 }, { s: 0.45 }, { s: Number.NaN }, { s: 0.9 }])).toEqual({ dist: "empirical", samples: [0.31, 0.45, 0.9] });
    expect(calibratedColdStart({ dist: "constant", value: 0.2 }, [])).toEqual({ dist: "constant", value: 0.2 });
    // with their times in the run: drawn near the simulation's time (a start 0.05 s before the load's first request counts at 0)
    expect(calibratedColdStart({ dist: "constant", value: 0.2 }, [{ s: 0.31, atS: 11.1 }, { s: 0.9, atS: -0.05 }])).toEqual({ dist: "empirical", samples: [0.31, 0.9], at: [11.1, 0], window: 0.25 });
  });

  it("a quantile's sampling error from its order statistics, and the band it joins", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    // n q = 95 -+ sqrt(4.75) = 2.18: ranks 92 and 98 (values 92 and 98) around the p95 (95)
    expect(quantileSe(xs, 0.95)).toBe(3);
    expect(quantileSe([], 0.95)).toBeNaN();
    expect(pathBand(0, 1)).toBe(3);
    expect(pathBand(1, 0)).toBeCloseTo(3 * Math.sqrt(1 + 1 / 30), 12);
  });

  it("one run's percentile by nearest rank and a step function's time average", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantileSorted(xs, 0.95)).toBe(95);
    expect(quantileSorted(xs, 0.99)).toBe(99);
    expect(quantileSorted([], 0.5)).toBeNaN();
    // 0 for 2 s, 10 for 1 s, 4 for the last 1 s: (0 + 10 + 4) / 4
    expect(stepMean([[0, 0], [2, 10], [3, 4]], 4)).toBeCloseTo(3.5, 12);
  });

  it("takes a scenario with one function (its latency rows: the heaviest class), refuses what it cannot compare, passes others by", () => {
    expect(functionTarget("t.yaml", scenario(""))).toEqual({ fn: "f", cls: "a" });
    const two = scenario("").load.classes.a!;
    const weighted = (wa: number, wb: number) => {
      const s = scenario("");
      return { ...s, load: { ...s.load, classes: { a: { ...two, weight: wa }, b: { ...two, weight: wb } } } } as typeof s;
    };
    expect(functionTarget("t.yaml", weighted(15, 85))).toEqual({ fn: "f", cls: "b" });
    expect(functionTarget("t.yaml", weighted(50, 50))).toEqual({ fn: "f", cls: "a" });
    expect(() => functionTarget("t.yaml", scenario("  g: { kind: function, cold_start: 1ms, service: 1ms }\n"))).toThrow("t.yaml: components: the function validation takes one function, found f, g");
    const r = parseScenario("version: 1\nname: x\nload: { model: open, rate: 1/s, classes: { a: { flow: [{ call: s }] } } }\ncomponents:\n  s: { kind: service, service: 1ms }\n", "x.yaml");
    if (!r.ok) throw new Error("parse");
    expect(functionTarget("x.yaml", r.scenario)).toBeUndefined();
  });

  it("each target flips where docs/validation.md puts it", () => {
    const p: FunctionSide = { coldShare: 0.1, p95Ms: 400, p99Ms: 500, meanInstances: 5, peakInstances: 20, stageInstances: [10, 1], throttled: 0 };
    // the model's runs: p95 sd 10 ms, p99 sd 20 ms, throttles sd 2
    const spread: Parameters<typeof functionRows>[2] = { coldShare: [0, 0], p95: [0, 0], p99: [0, 0], peak: [0, 0], sd: { p95: 10, p99: 20, throttled: 2 } };
    const row = (m: Partial<FunctionSide>, name: string) => functionRows(p, { ...p, ...m }, spread).find((r) => r.name.startsWith(name))!.pass;
    expect(row({ coldShare: 0.129 }, "cold-start share")).toBe(true);
    expect(row({ coldShare: 0.131 }, "cold-start share")).toBe(false);
    // p95: 3 sqrt(10^2 x 31/30) = 30.50 ms without a measured error; with se 10, 3 sqrt(103.3 + 100) = 42.77
    expect(row({ p95Ms: 430.4 }, "p95")).toBe(true);
    expect(row({ p95Ms: 430.6 }, "p95")).toBe(false);
    expect(row({ p95Ms: 442.7, p95Se: 10 }, "p95")).toBe(true);
    expect(row({ p95Ms: 442.8, p95Se: 10 }, "p95")).toBe(false);
    // p99: 3 sqrt(400 x 31/30) = 60.99
    expect(row({ p99Ms: 439.1 }, "p99")).toBe(true);
    expect(row({ p99Ms: 438.9 }, "p99")).toBe(false);
    // throttles (predicted 0): 3 sqrt(4 x 31/30 + m), Poisson's sqrt(m) for the count: 9 -> 10.27, 14 -> 12.68, 15 -> 12.96
    expect(row({ throttled: 9 }, "throttled")).toBe(true);
    expect(row({ throttled: 15 }, "throttled")).toBe(false);
    expect(row({ meanInstances: 5.9 }, "instances alive, time")).toBe(true);
    expect(row({ meanInstances: 6.1 }, "instances alive, time")).toBe(false);
    expect(row({ peakInstances: 25 }, "instances alive, peak")).toBe(true);
    expect(row({ peakInstances: 26 }, "instances alive, peak")).toBe(false);
  });

  it("the driver's arrival times are the model's for the seed, and arrivalSeed pins them across runs", () => {
    const parsed = parseScenario(`version: 1
name: t
seed: 31
simulation: { duration: 10s, warmup: 0s }
load:
  model: open
  stages:
    - { duration: 2500ms, target: 30/s, shape: step }
    - { duration: 3500ms, target: 0.5/s, shape: step }
    - { duration: 4s, target: 20/s }
  classes:
    a: { http: { method: GET, path: /a }, flow: [{ call: f }] }
components:
  f: { kind: function, cold_start: 100ms, service: 10ms }
`, "t.yaml");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const staged = parsed.scenario;
    if (staged.load.model !== "open") throw new Error("open load expected");
    // what driveOrders(..., "model") sends: RateProfile.nextPoisson on the seed's load:arrivals stream
    const profile = new RateProfile(staged.load);
    const rng = new Rng(31, 0, "load:arrivals");
    let sent = 0;
    for (let t = profile.nextPoisson(0, rng); t < 10; t = profile.nextPoisson(t, rng)) sent++;
    const arrived = (seed: number, pin?: number) => simulate(staged, { seed, replications: 1, ...(pin !== undefined ? { arrivalSeed: pin } : {}) }).classes.a!.counts.arrived;
    expect(sent).toBeGreaterThan(90);
    expect(arrived(31)).toBe(sent);
    // other seeds: other realizations, unless pinned to the driver's
    const unpinned = [32, 33, 34].map((k) => arrived(k));
    expect(unpinned.some((n) => n !== sent)).toBe(true);
    for (const k of [32, 33, 34]) expect(arrived(k, 31)).toBe(sent);
  });
});
