// The numeric helpers behind the pages: run-size estimate (checked against real runs), rate
// rescaling and knee for the capacity curve, downsampling of long series, axis tops.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate, peakRate, type Scenario } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { expectedArrivals, expectedEvents } from "./run-size.ts";
import { atRate, bisectKnee, knee, kneeBracket, sweepRates, saturationRate } from "./sweep.ts";
import { downsample } from "./downsample.ts";
import { instanceSeries } from "./Charts.tsx";
import { niceScale, ticksWithin } from "./axis.ts";
import { presets } from "./scenarios.ts";
import { eta } from "./format.ts";

function load(text: string): Scenario {
  return scenarioOf(text, "t.yaml");
}
const single = load(readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8"));
const tandem = load(presets.find((p) => p.id === "template:tandem")!.text);

describe("run size", () => {
  test("single-service: 300/s x 120 s x 5 replications = 180,000 arrivals", () => {
    expect(expectedArrivals(single)).toBe(180_000);
  });

  test.each([["single-service", single], ["tandem", tandem]] as const)("%s (stations): estimated events within 5%% of a real run", (_, s) => {
    const r = simulate(s, { replications: 2, duration: 40, warmup: 5 });
    const est = expectedEvents({ ...s, simulation: { ...s.simulation, duration: 40, warmup: 5, replications: 2 } });
    expect(est / r.run.events).toBeGreaterThan(0.95);
    expect(est / r.run.events).toBeLessThan(1.05);
  });

  test.each(presets.filter((p) => p.group === "scenario").map((p) => p.id))("%s: arrivals within Poisson noise, events within a factor 0.7-1.45 of a 20 s run", (id) => {
    const parsed = load(presets.find((p) => p.id === id)!.text);
    const s = { ...parsed, simulation: { ...parsed.simulation, duration: 20, warmup: 2, replications: 1 } };
    const r = simulate(s);
    // Four standard deviations of a Poisson count, at least 3%.
    const tol = Math.max(0.03, 4 / Math.sqrt(r.accounting.arrived));
    expect(Math.abs(expectedArrivals(s) / r.accounting.arrived - 1)).toBeLessThan(tol);
    expect(expectedEvents(s) / r.run.events).toBeGreaterThan(0.7);
    expect(expectedEvents(s) / r.run.events).toBeLessThan(1.45);
  });

  test("ramping users are integrated: 300k -> 1M over 3 min, 60 s think, first minute = 416,667 requests", () => {
    const s = load(presets.find((p) => p.id === "template:closed")!.text
      .replace("start_users: 0", "start_users: 300k")
      .replace("    - { duration: 30s, target: 50 }\n    - { duration: 90s, target: 50 }", "    - { duration: 3m, target: 1M }")
      .replace("mean: 1s", "mean: 60s")
      .replace("  warmup: 20s\n  replications: 3", "  duration: 60s\n  warmup: 5s\n  replications: 1"));
    expect(expectedArrivals(s)).toBeCloseTo(416_667, 0);
  });

  test("stages are integrated: a 60 s ramp 0 -> 100/s then 60 s at 100/s is 9,000 arrivals", () => {
    const s = load(readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8")
      .replace("  rate: 300/s", "  stages:\n    - { duration: 60s, target: 100/s }\n    - { duration: 60s, target: 100/s }")
      .replace("replications: 5", "replications: 1"));
    expect(expectedArrivals(s)).toBeCloseTo(9_000, 6);
  });
});

describe("capacity sweep helpers", () => {
  test("atRate scales the constant rate and every stage by the same factor", () => {
    expect(peakRate(atRate(single, 150))).toBe(150);
    const staged = load(readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8")
      .replace("  rate: 300/s", "  start_rate: 10/s\n  stages:\n    - { duration: 60s, target: 100/s }\n    - { duration: 60s, target: 50/s }"));
    const scaled = atRate(staged, 200);
    expect(scaled.load.model === "open" && [scaled.load.start_rate, ...scaled.load.stages!.map((s) => s.target)]).toEqual([20, 200, 100]);
  });

  test("a closed model cannot be swept by rate", () => {
    expect(() => atRate(load(presets.find((p) => p.id === "template:closed")!.text), 10)).toThrow(/open load/);
  });

  test("the sweep reaches 110% of the saturation rate measured from a run", () => {
    const r = simulate(single, { replications: 2, duration: 60, warmup: 10 });
    const sat = saturationRate(r, 300)!;
    // M/M/8 with 20 ms: 8 / 0.02 = 400/s.
    expect(sat).toBeGreaterThan(380);
    expect(sat).toBeLessThan(420);
    const rates = sweepRates(single, 12, sat);
    expect(rates).toHaveLength(12);
    expect(rates[11]).toBeCloseTo(sat * 1.1, 0);
    expect(rates[0]).toBeCloseTo(rates[11] / 12, 0);
  });

  const pt = (rate: number, p99: number, utilization = 0.5, failure: string | null = null, hasSlo = false) => ({ rate, p99, utilization, failure, hasSlo });
  test("without an SLO the knee is the last rate before p99 doubles the lowest rate's, never past saturation", () => {
    expect(knee([pt(10, 50), pt(20, 80), pt(30, 101), pt(40, 900)])).toBe(20);
    expect(knee([pt(10, 50), pt(20, 60)])).toBeUndefined();
    // 96% busy is still short of saturation; 98% is past it even with a low p99
    expect(knee([pt(10, 50, 0.3), pt(20, 60, 0.96), pt(30, 70, 0.98)])).toBe(20);
  });
  test("with an SLO the knee is the highest rate before the first that fails headroom capacity's rule", () => {
    const pts = [pt(100, 20, 0.25, null, true), pt(200, 30, 0.5, null, true), pt(300, 500, 0.75, "p99_ms of get 500 > 200", true), pt(400, 1700, 1, "p99_ms of get 1700 > 200", true)];
    expect(knee(pts)).toBe(200);
    expect(kneeBracket(pts)).toEqual({ below: 200, above: 300 });
    expect(bisectKnee(pts)).toBe(250);
    // with an SLO the latency doubling alone does not end the range: only the SLO does
    expect(knee([pt(100, 20, 0.25, null, true), pt(200, 90, 0.9, null, true), pt(300, 900, 1, "error_rate 0.02 > 0.001", true)])).toBe(200);
    // the first rate already fails: no knee within the sweep, and nothing to bisect
    expect(knee([pt(100, 900, 1, "x", true)])).toBeUndefined();
    expect(bisectKnee([pt(100, 900, 1, "x", true)])).toBeUndefined();
  });
});

describe("downsample", () => {
  const n = 7200;
  const series = {
    intervalS: 1,
    t: Array.from({ length: n }, (_, i) => i + 1),
    offered: Array.from({ length: n }, (_, i) => 100 + (i % 7)),
    inFlight: Array.from({ length: n }, () => 3),
    classes: { c: { throughput: Array.from({ length: n }, (_, i) => i % 10), errors: Array(n).fill(0), p50Ms: Array(n).fill(NaN), p95Ms: Array(n).fill(5), p99Ms: Array(n).fill(9) } },
    components: { s: { utilization: Array.from({ length: n }, (_, i) => (i % 2 ? 1 : 0)), queueLength: Array(n).fill(2), throughput: Array(n).fill(1), instances: Array.from({ length: n }, (_, i) => (i < n / 2 ? 2 : 4)) } },
  };

  test("7200 intervals become 300 points of 24 s, time averages preserved", () => {
    const { series: d, factor } = downsample(series);
    expect(factor).toBe(24);
    expect(d.t).toHaveLength(300);
    expect(d.intervalS).toBe(24);
    expect(d.t[0]).toBe(24);
    expect(d.t[299]).toBe(7200);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(d.components.s.utilization)).toBeCloseTo(mean(series.components.s.utilization), 12);
    expect(mean(d.classes.c.throughput)).toBeCloseTo(mean(series.classes.c.throughput), 12);
    expect(Number.isNaN(d.classes.c.p50Ms[0])).toBe(true); // no data stays no data
    // Metrics the chart code does not name are merged too (instance counts under auto-scaling).
    const instances = (d.components.s as unknown as { instances: number[] }).instances;
    expect(instances).toHaveLength(300);
    expect([instances[0], instances[299]]).toEqual([2, 4]);
  });

  test("instance counts are charted only for components whose count changes", () => {
    const fixed = { ...series, components: { ...series.components, z: { ...series.components.s, instances: Array(n).fill(3) } } };
    expect(Object.keys(instanceSeries(fixed))).toEqual(["s"]);
  });

  test("short series are left as they are", () => {
    const short = { ...series, t: series.t.slice(0, 120) };
    expect(downsample(short).series).toBe(short);
  });
});

describe("axes", () => {
  test("tops are the lowest round value with 4-6 intervals", () => {
    expect([360, 441, 7, 0.3, 1234, 100, 0].map((m) => niceScale(m).top)).toEqual([400, 500, 8, 0.3, 1250, 100, 1]);
    expect(niceScale(441).ticks).toEqual([0, 100, 200, 300, 400, 500]);
    expect(niceScale(0.3).ticks).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(niceScale(100).ticks).toEqual([0, 20, 40, 60, 80, 100]);
  });

  test("every value fits under its top, never more than 2.5x above it", () => {
    for (let m = 0.013; m < 1e7; m *= 1.37) {
      const { top, ticks } = niceScale(m);
      expect(top).toBeGreaterThanOrEqual(m);
      expect(top / m).toBeLessThan(2.5);
      expect(ticks.length).toBeGreaterThanOrEqual(5);
      expect(ticks.length).toBeLessThanOrEqual(7);
    }
  });

  test("time ticks stay inside the run and end at its length when the last step is far", () => {
    expect(ticksWithin(120)).toEqual([0, 20, 40, 60, 80, 100, 120]);
    expect(ticksWithin(7200)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);
    expect(ticksWithin(30)).toEqual([0, 5, 10, 15, 20, 25, 30]);
    expect(ticksWithin(90)).toEqual([0, 20, 40, 60, 80, 90]);
  });
});

test("time left is extrapolated from progress, and only once there is enough to go on", () => {
  expect(eta(0.01, 5000)).toBe("");
  expect(eta(0.5, 500)).toBe("");
  expect(eta(0.25, 10_000)).toBe("about 30 s left");
  expect(eta(0.1, 30_000)).toBe("about 4 min 30 s left");
});
