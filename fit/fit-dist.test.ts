// Fits against seeded samples of known distributions (the simulator's own samplers): each
// parameter recovered within 4 standard errors of its estimator (asymptotic variances below; a
// false failure has probability ~6e-5 per check), bands that are a few percent wide so a 10% error
// is caught; the KS rule picks the family the sample came from, a bimodal sample falls back to
// empirical, and a constant added to every time (5 ms + Exp(80 ms)) keeps the sample's cv.
import { describe, expect, it } from "vitest";
import { sample, streamFor } from "../reference-app/sampler.ts";
import type { Dist } from "../simulator/model/index.ts";
import { chosenMoments, fitDurations, fitExponential, fitGamma, fitLognormal, ksCritical } from "./fit-dist.ts";
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

  it("a constant sample is constant; zeros and one repeated value are empirical", () => {
    expect(fitDurations([0.002, 0.002, 0.002]).chosen).toBe("constant");
    const r = fitDurations([0, 0.002, 0.002, 0.002]);
    expect(r.chosen).toBe("empirical");
    expect(r.empirical).toEqual([0, 0.002, 0.002, 0.002]);
  });
});

describe("a constant added to every time (the stack's overhead on an injected wait)", () => {
  // The sample cv's standard error by the delta method on (mean, sd): n Var(cv) = (mu4 - s^4) / (4 s^2 m^2)
  // + s^4 / m^4 - mu3 / m^3, with the central moments mu3, mu4 of the distribution sampled.
  const cvSe = (m: number, s2: number, mu3: number, mu4: number, n: number) => Math.sqrt(((mu4 - s2 * s2) / (4 * s2 * m * m) + (s2 * s2) / m ** 4 - mu3 / m ** 3) / n);

  it("5 ms + Exp(80 ms): the written mean and cv are the sample's, within 4 SE of 85 ms and 0.941", () => {
    const d = 0.005, theta = 0.08;
    const xs = draw({ dist: "exponential", mean: theta }).map((x) => d + x);
    const mean = d + theta, cv = theta / mean;
    const se = cvSe(mean, theta ** 2, 2 * theta ** 3, 9 * theta ** 4, N);
    const r = fitDurations(xs);
    const got = chosenMoments(r);
    expect(["gamma", "lognormal"]).toContain(r.chosen); // the shape-1 test rejects exponential
    expect(Math.abs(got.mean - mean)).toBeLessThan(4 * theta / Math.sqrt(N));
    expect(Math.abs(got.cv - cv)).toBeLessThan(4 * se);
    expect(4 * se / cv).toBeLessThan(0.03); // the band would catch a 3% error
    // what maximum likelihood gave (the shape from mean(log x)): cv 0.875, far outside the band
    expect(1 / Math.sqrt(fitGamma(xs).shape) - cv).toBeLessThan(-0.05);
  });

  it("a true gamma keeps its cv: within 4 SE (n Var(cv) = (k + 1) / (2 k^2))", () => {
    for (const c of [0.5, 1.5]) {
      const k = 1 / (c * c);
      const r = fitDurations(draw({ dist: "gamma", mean: 0.03, cv: c }));
      expect(r.chosen).toBe("gamma");
      const se = Math.sqrt((k + 1) / (2 * k * k) / N);
      expect(Math.abs(chosenMoments(r).cv - c)).toBeLessThan(4 * se);
      expect(4 * se / c).toBeLessThan(0.1);
    }
  });
});
