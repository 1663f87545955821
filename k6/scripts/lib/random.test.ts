// The script's samplers: think-time distributions match their means, Zipf matches its pmf.
import { describe, expect, it } from "vitest";
import { seededRandom, sample, Zipf, type Dist } from "./random.ts";


describe("think-time distributions", () => {
  const N = 40_000;
  const cases: Array<[Dist, number, number]> = [
    [{ dist: "constant", value: 0.5 }, 0.5, 0],
    [{ dist: "exponential", mean: 2 }, 2, 1],
    [{ dist: "uniform", min: 1, max: 3 }, 2, 0.58 / 2],
    [{ dist: "lognormal", mean: 1, cv: 0.5 }, 1, 0.5],
    [{ dist: "gamma", mean: 1, cv: 0.5 }, 1, 0.5],
    [{ dist: "gamma", mean: 1, cv: 2 }, 1, 2],
    [{ dist: "erlang", k: 4, mean: 1 }, 1, 0.5],
    [{ dist: "hyperexponential", mean: 1, cv: 2 }, 1, 2],
    [{ dist: "empirical", samples: [1, 2, 3] }, 2, 0.41],
    [{ dist: "normal", mean: 1, sd: 0.2 }, 1, 0.2],
  ];
  for (const [d, mean, cv] of cases) {
    it(`${d.dist} ${JSON.stringify(d)} has mean ${mean} (within 4 standard errors)`, () => {
      const r = seededRandom(7);
      let s = 0;
      for (let i = 0; i < N; i++) s += sample(d, r);
      const se = (cv * mean) / Math.sqrt(N);
      expect(Math.abs(s / N - mean)).toBeLessThanOrEqual(Math.max(4 * se, 1e-12));
    });
  }
});

it("bounded Pareto stays in [min, max] and has its closed-form mean", () => {
  const [L, H, a] = [0.01, 1, 1.5];
  const r = seededRandom(11);
  const N = 100_000;
  let sum = 0;
  let sum2 = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < N; i++) {
    const x = sample({ dist: "pareto", min: L, max: H, alpha: a }, r);
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
    sum += x;
    sum2 += x * x;
  }
  expect(lo).toBeGreaterThanOrEqual(L);
  expect(hi).toBeLessThanOrEqual(H);
  const mean = (Math.pow(L, a) / (1 - Math.pow(L / H, a))) * (a / (a - 1)) * (1 / Math.pow(L, a - 1) - 1 / Math.pow(H, a - 1));
  const sd = Math.sqrt(sum2 / N - (sum / N) ** 2);
  expect(Math.abs(sum / N - mean)).toBeLessThanOrEqual((4 * sd) / Math.sqrt(N));
});

describe("Zipf", () => {
  it("draws rank k with probability k^-s / H(n,s) (chi-square over the first ranks)", () => {
    const n = 1000;
    const s = 1.1;
    const z = new Zipf(n, s);
    const r = seededRandom(3);
    const N = 100_000;
    const counts = new Float64Array(n + 1);
    for (let i = 0; i < N; i++) counts[z.sample(r)]++;
    let h = 0;
    for (let k = 1; k <= n; k++) h += Math.pow(k, -s);
    // ranks 1..20 each: |observed - expected| within 4.5 sigma of a binomial
    for (let k = 1; k <= 20; k++) {
      const p = Math.pow(k, -s) / h;
      expect(Math.abs(counts[k] - N * p)).toBeLessThanOrEqual(4.5 * Math.sqrt(N * p * (1 - p)));
    }
    expect(Math.min(...Array.from(counts).slice(1).map((c, i) => (c > 0 ? i + 1 : Infinity)))).toBe(1);
  });

  it("s = 0 is uniform over 1..n", () => {
    const z = new Zipf(10, 0);
    const r = seededRandom(1);
    const c = new Array(11).fill(0);
    for (let i = 0; i < 50_000; i++) c[z.sample(r)]++;
    for (let k = 1; k <= 10; k++) expect(Math.abs(c[k] - 5000)).toBeLessThan(300);
    expect(c[0]).toBe(0);
  });
});
