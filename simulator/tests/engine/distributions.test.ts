// Each sampler's sample mean and squared coefficient of variation match the closed forms of its
// distribution (within 4 standard errors of 200k samples, computed from the theoretical moments).
import { describe, expect, it } from "vitest";
import { Sampler } from "../../engine/distributions.ts";
import { Rng } from "../../engine/rng.ts";
import { meanOf, scvOf, type Dist } from "../../model/index.ts";

const cases: Dist[] = [
  { dist: "constant", value: 0.02 },
  { dist: "exponential", mean: 0.02 },
  { dist: "uniform", min: 0.01, max: 0.03 },
  { dist: "normal", mean: 0.02, sd: 0.004 },
  { dist: "lognormal", mean: 0.02, cv: 0.8 },
  { dist: "gamma", mean: 0.02, cv: 0.5 },
  { dist: "gamma", mean: 0.02, cv: 2 },
  { dist: "erlang", k: 4, mean: 0.02 },
  { dist: "hyperexponential", mean: 0.02, cv: 2 },
  { dist: "pareto", min: 0.005, max: 0.2, alpha: 2.5 },
  { dist: "empirical", samples: [0.01, 0.02, 0.05] },
];

describe("samplers", () => {
  for (const d of cases) {
    it(`${d.dist} ${JSON.stringify(d)}: mean and cv² match`, () => {
      const s = new Sampler(d);
      const r = new Rng(9, 0, d.dist);
      const n = 200_000;
      let sum = 0, sq = 0, min = Infinity;
      for (let i = 0; i < n; i++) {
        const x = s.sample(r);
        if (x < min) min = x;
        sum += x; sq += x * x;
      }
      expect(min).toBeGreaterThanOrEqual(0);
      const m = meanOf(d), scv = scvOf(d);
      expect(s.mean).toBeCloseTo(m, 12);
      const mean = sum / n;
      const variance = sq / n - mean * mean;
      expect(Math.abs(mean - m)).toBeLessThanOrEqual(4 * Math.sqrt((scv * m * m) / n) + 1e-12);
      expect(Math.abs(variance / (mean * mean) - scv)).toBeLessThanOrEqual(Math.max(0.04 * scv, 1e-9));
    });
  }
});
