// The balancer overhead's spread (overhead-spread.ts) through the whole fit (calibrate.ts fitHops):
// a "real system" that is the model with a known overhead, its per-class quantiles and per-hop
// means read as the app's metrics read them; the fit must give back the mean and the shape.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate, type SimResult } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { withRate } from "./levels.ts";
import { applyCalibration, calibratedYaml, fitHops, realizedLinkScale } from "./calibrate.ts";
import { quantileMiss, SPREAD_CVS } from "./overhead-spread.ts";
import type { CalibratedParameter } from "./report.ts";

const root = join(import.meta.dirname, "..");
const FILE = "scenarios/validation/bandwidth-link.yaml";
const o = { durationS: 60, warmupS: 10 };
const RATE = 41;
const W = o.durationS - o.warmupS;

/** The app's view of a simulated run: the clients' mean and quantiles per class, the replica's mean. */
function measuredOf(real: SimResult) {
  return {
    engine: "model", requestsTotal: 1, scrapes: 2, generator: { reliable: true } as never,
    classes: Object.fromEntries(Object.entries(real.classes).map(([n, c]) => [n, {
      requests: c.throughput.mean * W, failed: 0, throughput: c.throughput.mean, offeredRate: c.throughput.mean,
      latencyMs: { mean: c.latencyMs.mean.mean, p50: c.latencyMs.p50.mean, p95: c.latencyMs.p95.mean, p99: c.latencyMs.p99.mean },
    }])),
    hops: {
      serviceMs: Object.fromEntries(Object.entries(real.classes).map(([n, c]) => {
        const api = c.hopsMs!.components.api;
        return [n, { meanMs: api.waitMs.mean + api.serviceMs.mean, count: c.throughput.mean }];
      })),
      calls: {},
    },
    // the relay's figures of the link: the run's own transfers, their time summed
    links: { lb: { seconds: W, transfers: 1, transferSeconds: real.components.lb.link!.transfersInFlight.mean * W, lateSeconds: 0, busySeconds: 0, messages: 0, bodyBytes: 0, bodySquares: 0, headBytes: 0, behind: 0, behindSeconds: 0 } },
  };
}

function realWith(overhead: CalibratedParameter) {
  const s = scenarioOf(readFileSync(join(root, FILE), "utf8"), FILE);
  const truth: CalibratedParameter[] = [overhead, { parameter: "components.api.overhead", valueMs: 0.3, how: "truth" }];
  // the real system draws its own random numbers: another seed than the fit's model
  const real = simulate(withRate({ ...applyCalibration(s, truth), seed: 7 }, RATE), { duration: o.durationS, warmup: o.warmupS, hops: true });
  return { s, real, m: measuredOf(real) };
}

describe("the balancer overhead's spread", () => {
  it("recovers a lognormal overhead's cv and mean from the classes' quantiles (bandwidth-link: the pings carry it bare)", () => {
    const { s, real, m } = realWith({ parameter: "components.lb.overhead", valueMs: 2.5, cv: 1.5, how: "truth" });
    // the real ping is spread: its p99 several times its p50
    expect(real.classes.ping.latencyMs.p99.mean / real.classes.ping.latencyMs.p50.mean).toBeGreaterThan(3);
    const lb = fitHops(s, m as never, RATE, o).find((p) => p.parameter === "components.lb.overhead")!;
    expect(Math.abs(lb.valueMs - 2.5)).toBeLessThan(0.15);
    // within one step of the grid either side
    expect(lb.cv).toBeGreaterThanOrEqual(1.25);
    expect(lb.cv).toBeLessThanOrEqual(1.75);
    expect(lb.how).toMatch(/lognormal, cv 1\.[257]/);
    // the calibrated model's ping now has the real one's shape, within 15% at each quantile
    const fitted = simulate(withRate(applyCalibration(s, [lb]), RATE), { duration: o.durationS, warmup: o.warmupS });
    for (const q of ["p50", "p95", "p99"] as const) {
      expect(Math.abs(fitted.classes.ping.latencyMs[q].mean / real.classes.ping.latencyMs[q].mean - 1), q).toBeLessThan(0.15);
    }
  });
  it("keeps a constant overhead constant", () => {
    const { s, m } = realWith({ parameter: "components.lb.overhead", valueMs: 2.5, how: "truth" });
    const lb = fitHops(s, m as never, RATE, o).find((p) => p.parameter === "components.lb.overhead")!;
    expect(Math.abs(lb.valueMs - 2.5)).toBeLessThan(0.15);
    expect(lb.cv ?? 0).toBeLessThanOrEqual(0.25);
    // without the relay's figures the model's expected transfers are taken off the run's own:
    // the difference lands in the overhead (the bug the realized link time fixes)
    const blind = fitHops(s, { ...m, links: undefined } as never, RATE, o).find((p) => p.parameter === "components.lb.overhead")!;
    expect(Math.abs(blind.valueMs - 2.5)).toBeGreaterThan(0.4);
  });
  it("misses nothing against itself, and more the further the shape is from the truth", () => {
    const { s, real, m } = realWith({ parameter: "components.lb.overhead", valueMs: 2.5, cv: 1, how: "truth" });
    expect(quantileMiss(real, m.classes as never)).toBeCloseTo(0, 12);
    const missAt = (cv: number) => quantileMiss(simulate(withRate(applyCalibration(s, [
      { parameter: "components.lb.overhead", valueMs: 2.5, ...(cv ? { cv } : {}), how: "t" },
      { parameter: "components.api.overhead", valueMs: 0.3, how: "t" },
    ]), RATE), { duration: o.durationS, warmup: o.warmupS }), m.classes as never);
    expect(missAt(0)).toBeGreaterThan(missAt(0.5));
    expect(missAt(0.5)).toBeGreaterThan(missAt(1));
    expect(missAt(3)).toBeGreaterThan(missAt(1));
    expect(SPREAD_CVS[0]).toBe(0);
  });
  it("writes a fitted spread into the calibrated YAML as the scenario's lognormal", () => {
    const text = readFileSync(join(root, FILE), "utf8");
    const out = calibratedYaml(text, { rate: 41, runs: [], parameters: [{ parameter: "components.lb.overhead", valueMs: 2.4567, cv: 1.25, how: "t" }] });
    expect(out).toMatch(/overhead: \{ dist: lognormal, mean: 2\.457ms, cv: 1\.25 \} # calibrated at 41 req\/s \(not set\)/);
    const s = scenarioOf(out, "calibrated.yaml");
    expect(s.components.lb).toMatchObject({ overhead: { dist: "lognormal", mean: 0.002457, cv: 1.25 } });
  });
  it("scales the model's time on a link by the run's own (the relay's transfer seconds per request, less the heads' share by bytes, plus late releases)", () => {
    const { real, m } = realWith({ parameter: "components.lb.overhead", valueMs: 2.5, how: "truth" });
    // the same run on both sides: 1 (but for the requests at the window's edges)
    const base = realizedLinkScale(real, m as never, "lb");
    expect(base).toBeCloseTo(1, 3);
    const lb = m.links.lb;
    // 10% more transfer time; heads of 1% of the bytes; late releases of 2% more
    const w = { ...lb, transferSeconds: lb.transferSeconds * 1.1, bodyBytes: 99e6, headBytes: 1e6, lateSeconds: lb.transferSeconds * 0.02 };
    expect(realizedLinkScale(real, { ...m, links: { lb: w } } as never, "lb")).toBeCloseTo(base * (1.1 * 0.99 + 0.02), 9);
    // no figures for that link, or no link in the model: 1
    expect(realizedLinkScale(real, { ...m, links: undefined } as never, "lb")).toBe(1);
    expect(realizedLinkScale(real, m as never, "api")).toBe(1);
  });
});
