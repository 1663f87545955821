// The Zipf key sampler draws key i with probability (i + 1)^-s / H(n, s), and s = 0 is uniform.
// Moved from the k6 scripts' own copy of the sampler (k6/scripts/lib/random.ts, removed): the
// scripts now use this one, so one test covers the model and the load alike.
import { describe, expect, it } from "vitest";
import { KeySampler } from "../../engine/zipf.ts";
import { Rng } from "../../engine/rng.ts";
import { mathRandom } from "../../random.ts";

describe("KeySampler", () => {
  it("draws key i with probability (i+1)^-s / H(n,s): the first 20 keys within 4.5 binomial sigmas", () => {
    const n = 1000, s = 1.1, N = 100_000;
    const z = new KeySampler(n, s);
    const r = new Rng(3, 0, "zipf");
    const counts = new Float64Array(n);
    for (let i = 0; i < N; i++) counts[z.sample(r)]++;
    const p = KeySampler.probabilities(n, s);
    for (let k = 0; k < 20; k++) {
      expect(Math.abs(counts[k] - N * p[k])).toBeLessThanOrEqual(4.5 * Math.sqrt(N * p[k] * (1 - p[k])));
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(N); // every draw inside 0..n-1
  });

  it("s = 0 is uniform over 0..n-1", () => {
    const z = new KeySampler(10, 0);
    const r = new Rng(1, 0, "uniform");
    const c = new Array(10).fill(0);
    for (let i = 0; i < 50_000; i++) c[z.sample(r)]++;
    // binomial sd = sqrt(50000 x 0.1 x 0.9) = 67: 300 is 4.5 sigmas
    for (let k = 0; k < 10; k++) expect(Math.abs(c[k] - 5000)).toBeLessThan(300);
  });

  it("runs on Math.random as the k6 scripts use it, inside the key range", () => {
    const z = new KeySampler(50, 0.9);
    for (let i = 0; i < 10_000; i++) {
      const k = z.sample(mathRandom);
      expect(Number.isInteger(k) && k >= 0 && k < 50).toBe(true);
    }
  });
});
