// The cache-loss validation's pure half: hit ratios per interval from cumulative counters and from
// several simulated series, the recovery time on a trailing mean, and the rows' pass/miss.
import { describe, expect, it } from "vitest";
import { cacheLossRows, cacheLossSide, measuredRatios, meanRatio, predictedRatios, recoveryTime, type RatioSeries } from "./cache-loss-series.ts";

describe("hit ratio series", () => {
  it("reads per-interval ratios from cumulative Redis counters, from the load start; an idle interval is null", () => {
    const t0 = 1_000_000;
    const s = measuredRatios([
      { t: t0, hits: 100, misses: 50 }, { t: t0 + 1000, hits: 160, misses: 90 }, { t: t0 + 2000, hits: 160, misses: 90 }, { t: t0 + 3000, hits: 170, misses: 180 },
    ], t0);
    expect(s).toEqual([[1, 0.6], [2, null], [3, 10 / 100]]);
  });
  it("counts from zero across a restarted Redis (its counters start again)", () => {
    const t0 = 0;
    const s = measuredRatios([
      { t: 0, hits: 600, misses: 400 }, { t: 1000, hits: 660, misses: 440 }, { t: 2000, hits: 2, misses: 38 }, { t: 3000, hits: 32, misses: 78 },
    ], t0);
    expect(s).toEqual([[1, 0.6], [2, 2 / 40], [3, 30 / 70]]);
  });
  it("weights the simulated runs by their lookups", () => {
    expect(predictedRatios([1, 2], [{ hitRatio: [0.5, 1], lookups: [100, 0] }, { hitRatio: [1, 0.2], lookups: [300, 50] }])).toEqual([[1, (50 + 300) / 400], [2, 0.2]]);
  });
});

describe("recovery", () => {
  // steady 0.6; lost at 10 s; climbs 0.1 per second back to 0.6 at 15 s
  const s: RatioSeries = [];
  for (let t = 1; t <= 30; t++) s.push([t, t <= 10 ? 0.6 : Math.min(0.6, 0.1 * (t - 10))]);
  it("is read on the trailing mean of 5 intervals reaching 90% of the steady ratio", () => {
    // trailing means after 10: at 15 (0.1..0.5) 0.3, at 16 0.4, 17 0.48, 18 0.54, 19 0.58
    expect(recoveryTime(s, 10, 0.62)).toBe(9); // 90% of 0.62 = 0.558: first at 19
    expect(recoveryTime(s, 10, 0.6, 5, 0.85)).toBe(8); // 0.51: first at 18
    expect(recoveryTime(s, 10, 0.6, 1, 0.85)).toBe(6); // unsmoothed: 0.5 at 15 is short of 0.51, 0.6 at 16
    expect(recoveryTime(s.slice(0, 12), 10, 0.6)).toBeNaN();
    const side = cacheLossSide(s, 0, [10]);
    expect(side.before).toBeCloseTo(0.6, 12);
    expect(side.after).toBeCloseTo(meanRatio(s, 10, 15), 12);
    expect(side.after).toBeCloseTo(0.3, 12);
  });
  it("averages over several losses, each against the 10 s before it", () => {
    // a second loss at 25 s recovering twice as fast: 0.2 per second
    const two: RatioSeries = s.map(([t, r]) => [t, t <= 25 ? r : Math.min(0.6, 0.2 * (t - 25))]);
    two.push(...Array.from({ length: 10 }, (_, i): [number, number] => [31 + i, 0.6]));
    // second: trailing means at 30 (0.2,0.4,0.6,0.6,0.6) 0.48, at 31 0.56 >= 0.51 -> 6 s; first 8 s
    const side = cacheLossSide(two, 0, [10, 25]);
    expect(side.before).toBeCloseTo(0.6, 12);
    expect(side.after).toBeCloseTo((0.3 + (0.2 + 0.4 + 0.6 + 0.6 + 0.6) / 5) / 2, 12);
    // 90% of 0.6 = 0.54: the first loss's trailing mean 0.58 at 19 (9 s), the second's 0.56 at 31 (6 s)
    expect(recoveryTime(two, 25, 0.6)).toBe(6);
    expect(side.recovery).toBeCloseTo((recoveryTime(two, 10, 0.6) + 6) / 2, 12);
  });
  it("holds before to 3 points, after to 5 points, recovery to 20%", () => {
    const p = { before: 0.64, after: 0.41, recovery: 12 };
    expect(cacheLossRows(p, { before: 0.669, after: 0.459, recovery: 14.3 }).map((r) => r.pass)).toEqual([true, true, true]);
    expect(cacheLossRows(p, { before: 0.671, after: 0.461, recovery: 14.5 }).map((r) => r.pass)).toEqual([false, false, false]);
    expect(cacheLossRows(p, { before: 0.64, after: 0.41, recovery: NaN })[2]!.pass).toBe(false);
  });
});
