// Calibration at load, per level (calibration-at.ts): the values a level is predicted with are those
// at its own rate between the two calibration runs' fits, flat outside them; and on
// partitioned-queue, a confirm 1 ms quicker at the upper rate moves the level's predicted median by
// that share of 1 ms (a single fit, as before, would leave it where the lower run put it).
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { simulate } from "../simulator/index.ts";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { applyCalibration, calibratedYaml } from "./calibrate.ts";
import { calibrationAt, weightAt, type FitAt } from "./calibration-at.ts";
import { withRate } from "./levels.ts";
import type { CalibratedParameter } from "./report.ts";

const q40 = (base: number) => Array.from({ length: 40 }, (_, i) => base + i * 0.05);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const lower: FitAt = { rate: 32, parameters: [
  { parameter: "components.api.overhead", valueMs: 0.5, how: "lo" },
  { parameter: "components.events.confirm", valueMs: mean(q40(2)), how: "lo", samplesMs: q40(2) },
] };
const upper: FitAt = { rate: 64, parameters: [
  { parameter: "components.api.overhead", valueMs: 0.7, how: "hi" },
  { parameter: "components.events.confirm", valueMs: mean(q40(1)), how: "hi", samplesMs: q40(1) },
] };
const get = (ps: CalibratedParameter[], name: string) => ps.find((p) => p.parameter === name)!;

describe("calibrationAt: each level's values at its own rate", () => {
  it("carries a fitted spread (the balancer overhead's lognormal cv) between the fits like its mean", () => {
    const lo: FitAt = { rate: 32, parameters: [{ parameter: "components.lb.overhead", valueMs: 2, cv: 0.5, how: "lo" }] };
    const hi: FitAt = { rate: 64, parameters: [{ parameter: "components.lb.overhead", valueMs: 3, cv: 1, how: "hi" }] };
    expect(get(calibrationAt(lo, hi, 48), "components.lb.overhead").cv).toBeCloseTo(0.75, 12);
    expect(get(calibrationAt(lo, hi, 10), "components.lb.overhead").cv).toBe(0.5);
    expect(get(calibrationAt(lo, hi, 90), "components.lb.overhead").cv).toBe(1);
    // a constant at one rate and a spread at the other: the spread scaled by the way between them
    const flat: FitAt = { rate: 64, parameters: [{ parameter: "components.lb.overhead", valueMs: 3, how: "hi" }] };
    expect(get(calibrationAt(lo, flat, 48), "components.lb.overhead").cv).toBeCloseTo(0.25, 12);
  });

  it("moves a distribution written as is (a crossing's latency) to the interpolated mean, its spread kept", () => {
    const lo: FitAt = { rate: 30, parameters: [{ parameter: "regions.a.latency.b", valueMs: 22, dist: { dist: "normal", mean: 0.022, sd: 0.002 }, how: "lo" }] };
    const hi: FitAt = { rate: 60, parameters: [{ parameter: "regions.a.latency.b", valueMs: 24, dist: { dist: "normal", mean: 0.024, sd: 0.002 }, how: "hi" }] };
    const d = get(calibrationAt(lo, hi, 40), "regions.a.latency.b").dist as { dist: string; mean: number; sd: number };
    expect(d.dist).toBe("normal");
    expect(d.mean).toBeCloseTo(0.022 + 0.002 / 3, 12);
    expect(d.sd).toBe(0.002);
  });

  it("is linear between the two fits and flat outside them", () => {
    expect(weightAt(32, 64, 48)).toBe(0.5);
    expect(weightAt(32, 64, 10)).toBe(0);
    expect(weightAt(32, 64, 200)).toBe(1);
    const mid = calibrationAt(lower, upper, 48);
    expect(get(mid, "components.api.overhead").valueMs).toBeCloseTo(0.6, 12);
    const c = get(mid, "components.events.confirm");
    expect(c.valueMs).toBeCloseTo(mean(q40(1.5)), 12);
    // quantile by quantile: the shape between the two measured ones
    c.samplesMs!.forEach((x, i) => expect(x).toBeCloseTo(q40(1.5)[i]!, 12));
    expect(get(calibrationAt(lower, upper, 20), "components.api.overhead").valueMs).toBe(0.5);
    expect(get(calibrationAt(lower, upper, 90), "components.api.overhead").valueMs).toBe(0.7);
    // one fit: every rate gets it
    expect(calibrationAt(lower, undefined, 90)).toBe(lower.parameters);
  });

  it("moves one side's spread to the interpolated mean when the other side has none", () => {
    const noSpread: FitAt = { rate: 64, parameters: [{ parameter: "components.events.confirm", valueMs: mean(q40(1)), how: "hi" }] };
    const c = get(calibrationAt(lower, noSpread, 40), "components.events.confirm");
    expect(c.valueMs).toBeCloseTo(mean(q40(1.75)), 12);
    expect(mean(c.samplesMs!)).toBeCloseTo(c.valueMs, 12);
  });

  it("the calibrated copy names the upper run's value in each comment", () => {
    const out = calibratedYaml("components:\n  api:\n    overhead: 0.1ms\n", { rate: 32, runs: [], parameters: [lower.parameters[0]!], upper: { ...upper, runs: [] } });
    expect(out).toContain("overhead: 0.5ms # calibrated at 32 req/s (was \"0.1ms\"); 0.7ms at 64 req/s");
  });

  it("partitioned-queue: a confirm 1 ms quicker at the upper rate takes that share of 1 ms off the level's median", async () => {
    const s = await loadScenarioFile(join(import.meta.dirname, "../scenarios/validation/partitioned-queue.yaml"));
    const p50 = (params: CalibratedParameter[], rate: number) => simulate(withRate(applyCalibration(s, params), rate), { duration: 25, warmup: 5 }).classes.event!.latencyMs.p50.mean;
    // at 64/s: the upper fit (1 ms quicker) against the lower one alone (the single fit before)
    const at64 = p50(calibrationAt(lower, upper, 64), 64);
    const single64 = p50(calibrationAt(lower, undefined, 64), 64);
    expect(single64 - at64).toBeGreaterThan(1 - 0.25 - 0.2); // the confirm's 1 ms, less the overhead's +0.2 ms, within 0.25
    expect(single64 - at64).toBeLessThan(1 - 0.2 + 0.25);
    // at 48/s: half of each
    const at48 = p50(calibrationAt(lower, upper, 48), 48);
    const single48 = p50(calibrationAt(lower, undefined, 48), 48);
    expect(single48 - at48).toBeGreaterThan(0.4 - 0.25);
    expect(single48 - at48).toBeLessThan(0.4 + 0.25);
  });
});
