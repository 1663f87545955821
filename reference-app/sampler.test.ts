// The seeded sampler reproduces each distribution's mean (20k draws, tolerances stated per case)
// and repeats exactly for the same seed.
import { describe, expect, it } from "vitest";
import { sample, streamFor, meanOf, type Dist } from "./sampler.ts";

const N = 20_000;
function mean(d: Dist, seed = 1): number {
  const rng = streamFor(seed, 0);
  let s = 0;
  for (let i = 0; i < N; i++) s += sample(d, rng);
  return s / N;
}

describe("sample", () => {
  const cases: Array<[Dist, number, number]> = [
    // [distribution, expected mean, relative tolerance]
    [{ dist: "constant", value: 0.003 }, 0.003, 0],
    [{ dist: "exponential", mean: 0.02 }, 0.02, 0.03],
    [{ dist: "uniform", min: 0.001, max: 0.003 }, 0.002, 0.01],
    [{ dist: "lognormal", mean: 0.002, cv: 0.5 }, 0.002, 0.02],
    [{ dist: "gamma", mean: 0.01, cv: 0.5 }, 0.01, 0.02],
    [{ dist: "erlang", k: 4, mean: 0.01 }, 0.01, 0.02],
    [{ dist: "hyperexponential", mean: 0.01, cv: 2 }, 0.01, 0.06],
    [{ dist: "pareto", min: 0.001, max: 0.1, alpha: 1.5 }, meanOf({ dist: "pareto", min: 0.001, max: 0.1, alpha: 1.5 }), 0.05],
    [{ dist: "empirical", samples: [0.01, 0.02, 0.03] }, 0.02, 0.02],
  ];
  for (const [d, want, tol] of cases) {
    it(`${d.dist}: mean ${want.toPrecision(3)} within ${tol * 100}%`, () => {
      const got = mean(d);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(want * tol + 1e-12);
    });
  }

  it("truncates normal at 0", () => {
    const rng = streamFor(3, 0);
    for (let i = 0; i < 5000; i++) expect(sample({ dist: "normal", mean: 0.001, sd: 0.002 }, rng)).toBeGreaterThanOrEqual(0);
  });

  it("repeats for the same (seed, index) and differs across indexes", () => {
    const a = streamFor(42, 1), b = streamFor(42, 1), c = streamFor(42, 2);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });
});
