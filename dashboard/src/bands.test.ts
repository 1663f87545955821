// The charts' 95% confidence bands (bands.ts): the arithmetic on known numbers, and on a real run
// against theory. single-service is M/M/8 at 300/s: by Burke's theorem its departures are Poisson,
// so a 1 s interval's throughput has variance 300 (req/s)^2 and the mean of 5 replications a 95%
// half-width of t(4) x c4(5) x sqrt(300) / sqrt(5) = 20.2 req/s on average (c4(5) = 0.9400: the
// sample deviation's bias), and the band must cover 300/s in about 95% of the intervals.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { combineReplications, simulateReplication, tQuantile975 } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { bandOf, meanAndHalf, seriesBands } from "./bands.ts";

describe("meanAndHalf", () => {
  test("mean and Student's t half-width per index; NaN values left out; one value, no band", () => {
    const { mean, half } = meanAndHalf([[1, 10, NaN], [2, 20, 5], [3, NaN, NaN]]);
    expect(mean).toEqual([2, 15, 5]);
    expect(half[0]).toBeCloseTo(tQuantile975(2) * 1 / Math.sqrt(3), 12); // sd 1
    expect(half[1]).toBeCloseTo(tQuantile975(1) * Math.sqrt(50) / Math.sqrt(2), 12); // sd sqrt(50)
    expect(half[2]).toBeNaN();
  });

  test("bandOf floors at 0 and scales; no band where the half-width is NaN", () => {
    expect(bandOf([1, 5, 2], [3, 1, NaN], 100)).toEqual([[0, 400], [400, 600], null]);
  });
});

describe("seriesBands on a run", () => {
  const s = scenarioOf(readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8"), "single-service.yaml");
  const o = { replications: 5 };
  const reps = [0, 1, 2, 3, 4].map((r) => combineReplications(s, { ...o, replications: 1 }, [simulateReplication(s, { ...o, series: true }, r)]).series!);
  const b = seriesBands(reps)!;

  test("M/M/8 throughput: the band's mean half-width is Poisson's, and it covers 300/s about 95% of the time", () => {
    const warm = s.simulation.warmup ?? 0;
    const idx = b.mean.t.map((t, i) => (t > warm ? i : -1)).filter((i) => i >= 0);
    const mean = b.mean.classes.get_product.throughput, half = b.half.classes.get_product.throughput;
    const avgHalf = idx.reduce((a, i) => a + half[i], 0) / idx.length;
    const theory = tQuantile975(4) * 0.94 * Math.sqrt(300) / Math.sqrt(5);
    expect(theory).toBeCloseTo(20.21, 1);
    // 105 intervals: the average of the sample deviations is within about 3% (1 sd) of its mean
    expect(Math.abs(avgHalf - theory) / theory).toBeLessThan(0.1);
    const covered = idx.filter((i) => Math.abs(mean[i] - 300) <= half[i]).length / idx.length;
    // binomial(105, 0.95): 3 standard deviations is 6.4 points
    expect(covered).toBeGreaterThan(0.88);
  });

  test("the mean line is the replications' mean; every metric has its band; fewer than 2 replications, none", () => {
    const i = 50;
    const u = reps.map((x) => x.components.api.utilization[i]);
    expect(b.mean.components.api.utilization[i]).toBeCloseTo(u.reduce((a, v) => a + v, 0) / 5, 12);
    expect(b.n).toBe(5);
    for (const m of ["p50Ms", "p95Ms", "p99Ms", "throughput", "errors"] as const) expect(b.half.classes.get_product[m].length).toBe(b.mean.t.length);
    expect(Number.isFinite(b.half.inFlight[i])).toBe(true);
    expect(seriesBands(reps.slice(0, 1))).toBeNull();
  });
});
