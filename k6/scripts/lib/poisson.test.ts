// The open Poisson realization: its arrivals are a Poisson process (counts with dispersion index 1,
// inter-arrival times exponential by a KS test, ramps by time rescaling), and its ramping-arrival-rate
// stages start exactly those arrivals under k6's schedule arithmetic (the runner's arrivalOffsets,
// which counts from 1 for ramping-arrival-rate as k6's `cal` does).
import { describe, expect, it } from "vitest";
import { arrivalOffsets } from "../../runner/executors.ts";
import { parseDuration } from "../../runner/options.ts";
import { arrivalStages, poissonArrivals, TIME_UNIT } from "./poisson.ts";
import { cumulative, type Knot } from "./profile.ts";
import { ksExp1 } from "../../testing/ks.ts";


/** Variance / mean of the counts in consecutive windows of `w` seconds over [0, end). */
function dispersion(times: number[], w: number, end: number): number {
  const counts = new Array(Math.floor(end / w)).fill(0);
  for (const t of times) if (t < counts.length * w) counts[Math.floor(t / w)]++;
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const v = counts.reduce((a, c) => a + (c - mean) ** 2, 0) / (counts.length - 1);
  return v / mean;
}

const gaps = (xs: number[]) => xs.slice(1).map((t, i) => t - xs[i]);

describe("poissonArrivals", () => {
  // n = 20000 gaps: the KS critical value at alpha = 0.001 is 1.95 / sqrt(n) = 0.0138, so the test
  // rejects (power > 0.99) any gap law whose CDF is 0.03 or more from the exponential, e.g. evenly
  // spaced arrivals (0.63), Erlang-2 gaps (0.14), or Bernoulli thinning of a 10x tick grid (0.046 with
  // a uniform offset within the tick, 0.095 without).
  const rate = 100;
  const end = 200;
  const xs = poissonArrivals([[0, rate], [end, rate]], 42);

  it("has Poisson counts: 20000 +/- 4 sd arrivals, dispersion index 1 +/- 0.13 over 2000 windows of 0.1 s", () => {
    expect(Math.abs(xs.length - rate * end)).toBeLessThan(4 * Math.sqrt(rate * end));
    // (m - 1) D ~ chi2(m - 1): sd of D = sqrt(2 / 1999) = 0.032, so +/- 4 sd; thinning a 10x grid gives 0.9
    expect(Math.abs(dispersion(xs, 0.1, end) - 1)).toBeLessThan(0.13);
    expect(xs.every((t, i) => i === 0 || t >= xs[i - 1])).toBe(true);
  });

  it("has exponential gaps (KS distance < 0.0138, alpha = 0.001)", () => {
    expect(ksExp1(gaps(xs).map((g) => g * rate))).toBeLessThan(0.0138);
    // the test has teeth: the same gaps rounded to a 10x grid, as Bernoulli thinning would place them, fail it
    const grid = 1 / (10 * rate);
    expect(ksExp1(gaps(xs).map((g) => Math.max(grid, Math.round(g / grid) * grid) * rate))).toBeGreaterThan(0.03);
  });

  it("follows a ramp by time rescaling: 0 -> 400/s over 50 s, its quarters by the integral, rescaled gaps Exp(1)", () => {
    const knots: Knot[] = [[0, 0], [50, 400]];
    const r = poissonArrivals(knots, 7);
    expect(Math.abs(r.length - 10_000)).toBeLessThan(4 * 100);
    for (const [a, b] of [[0, 25], [25, 50]]) {
      const want = cumulative(knots, b) - cumulative(knots, a);
      const got = r.filter((t) => t >= a && t < b).length;
      expect(Math.abs(got - want)).toBeLessThan(4 * Math.sqrt(want));
    }
    expect(ksExp1(gaps(r.map((t) => cumulative(knots, t))))).toBeLessThan(1.95 / Math.sqrt(r.length));
  });

  it("is the same for the same seed and differs for another", () => {
    const k: Knot[] = [[0, 50], [10, 50]];
    expect(poissonArrivals(k, 3)).toEqual(poissonArrivals(k, 3));
    expect(poissonArrivals(k, 3)).not.toEqual(poissonArrivals(k, 4));
  });
});

describe("arrivalStages", () => {
  it("make ramping-arrival-rate start exactly the realization (within 1 us), nothing more, and last to the end", () => {
    const end = 30;
    const xs = poissonArrivals([[0, 0], [10, 300], [end, 300]], 11);
    const stages = arrivalStages(xs, end).map((s) => ({ durationMs: parseDuration(s.duration, "d"), target: s.target }));
    expect(stages.length).toBe(2 * xs.length + 2);
    expect(stages.reduce((a, s) => a + s.durationMs, 0)).toBeCloseTo(end * 1000, 6);
    // k6's arithmetic: iteration j where the integral of the stage rates reaches j (j = 1, 2, ...)
    const starts = [...arrivalOffsets(0, stages, parseDuration(TIME_UNIT, "t"), 1)];
    expect(starts.length).toBe(xs.length);
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(starts[i] - xs[i] * 1000));
    expect(worst).toBeLessThan(1e-3);
  });

  it("keeps two arrivals within one nanosecond apart, and drops arrivals at or past the end", () => {
    const s = arrivalStages([0.5, 0.5, 2], 1);
    expect(s).toEqual([
      { duration: "0s", target: Math.ceil(1e15 * (1 + 1e-9) / 5e8) },
      { duration: "500000000ns", target: Math.ceil(1e15 * (1 + 1e-9) / 5e8) },
      { duration: "0s", target: Math.ceil(1e15 * (1 + 1e-9)) },
      { duration: "1ns", target: Math.ceil(1e15 * (1 + 1e-9)) },
      { duration: "0s", target: 0 },
      { duration: "499999999ns", target: 0 },
    ]);
  });
});
