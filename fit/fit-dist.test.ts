// Maximum-likelihood fits against seeded samples of known distributions (the simulator's own
// samplers): each parameter recovered within 4 standard errors of its estimator (asymptotic
// variances below; a false failure has probability ~6e-5 per check), bands that are a few percent
// wide so a 10% error is caught; the KS rule picks the family the sample came from, and a bimodal
// sample falls back to empirical.
import { describe, expect, it } from "vitest";
import { sample, streamFor } from "../reference-app/sampler.ts";
import type { Dist } from "../simulator/model/index.ts";
import { fitDurations, fitExponential, fitGamma, fitLognormal, ksCritical } from "./fit-dist.ts";
import { gammaP, logGamma, trigamma } from "./special.ts";

const N = 20_000;
const draw = (d: Dist, n = N, seed = 5) => {
  const rng = streamFor(seed, `fit-test-${d.dist}`);
  return Array.from({ length: n }, () => sample(d, rng));
};

describe("special functions", () => {
  it("match known values", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
    expect(trigamma(1)).toBeCloseTo((Math.PI ** 2) / 6, 8);
    expect(gammaP(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12); // shape 1 = exponential
    expect(gammaP(3, 2.5)).toBeCloseTo(1 - Math.exp(-2.5) * (1 + 2.5 + 2.5 ** 2 / 2), 12);
    // Integer shape: P(a, x) = 1 - e^-x sum_{k<a} x^k / k!; x >= a + 1 takes the continued fraction.
    let term = 1, sum = 0;
    for (let k = 0; k < 30; k++) {
      sum += term;
      term *= 40 / (k + 1);
    }
    expect(gammaP(30, 40)).toBeCloseTo(1 - Math.exp(-40) * sum, 10);
  });
});

describe("maximum likelihood", () => {
  it("exponential: mean within 4 SE (SE = mean / sqrt(n))", () => {
    const xs = draw({ dist: "exponential", mean: 0.02 });
    const se = 0.02 / Math.sqrt(N);
    expect(Math.abs(1 / fitExponential(xs).rate - 0.02)).toBeLessThan(4 * se);
    expect(4 * se / 0.02).toBeLessThan(0.03);
  });

  it("lognormal: mu within 4 sigma/sqrt(n), sigma within 4 sigma/sqrt(2n)", () => {
    const mean = 0.04, cv = 0.5;
    const sigma = Math.sqrt(Math.log(1 + cv * cv));
    const mu = Math.log(mean) - sigma * sigma / 2;
    const f = fitLognormal(draw({ dist: "lognormal", mean, cv }));
    expect(Math.abs(f.mu - mu)).toBeLessThan(4 * sigma / Math.sqrt(N));
    expect(Math.abs(f.sigma - sigma)).toBeLessThan(4 * sigma / Math.sqrt(2 * N));
  });

  it("gamma: shape within 4 SE (Var k = k / (n (k trigamma(k) - 1))), mean within 4 cv mean / sqrt(n)", () => {
    for (const cv of [0.5, 1.5]) {
      const k = 1 / (cv * cv);
      const f = fitGamma(draw({ dist: "gamma", mean: 0.03, cv }));
      const se = Math.sqrt(k / (N * (k * trigamma(k) - 1)));
      expect(Math.abs(f.shape - k)).toBeLessThan(4 * se);
      expect(4 * se / k).toBeLessThan(0.1);
      expect(Math.abs(f.shape * f.scale - 0.03)).toBeLessThan(4 * cv * 0.03 / Math.sqrt(N));
    }
  });
});

describe("choosing a family by the KS rule", () => {
  it("picks the family the sample came from", () => {
    expect(fitDurations(draw({ dist: "exponential", mean: 0.01 }, 5000)).chosen).toBe("exponential");
    expect(fitDurations(draw({ dist: "lognormal", mean: 0.01, cv: 1.2 }, 5000)).chosen).toBe("lognormal");
    expect(fitDurations(draw({ dist: "gamma", mean: 0.01, cv: 0.3 }, 5000)).chosen).toBe("gamma");
  });

  it("falls back to empirical when nothing fits (two far-apart modes)", () => {
    const xs = [...draw({ dist: "gamma", mean: 0.001, cv: 0.1 }, 2000, 1), ...draw({ dist: "gamma", mean: 0.05, cv: 0.1 }, 2000, 2)];
    const r = fitDurations(xs);
    expect(r.chosen).toBe("empirical");
    expect(r.families.every((f) => f.ks > ksCritical(xs.length))).toBe(true);
    expect(r.empirical.length).toBe(100);
  });

  it("a constant sample is constant", () => {
    expect(fitDurations([0.002, 0.002, 0.002]).chosen).toBe("constant");
  });
});
