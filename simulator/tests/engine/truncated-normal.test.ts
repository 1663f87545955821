// The normal sampler resamples negative draws, so its mean and variance are the truncated normal's:
// with sd near the mean, mu + sigma φ(a) / (1 - Φ(a)) (a = -mu/sigma) is about 29% above mu. The
// closed forms (dist-moments.ts) are checked against numerical integration of the density and
// against the sampler itself.
import { describe, expect, it } from "vitest";
import { Sampler } from "../../engine/distributions.ts";
import { Rng } from "../../engine/rng.ts";
import { erfc, meanOf, scvOf, truncatedNormal } from "../../model/dist-moments.ts";

/** ∫ f over [lo, hi] by composite Simpson with n (even) panels. */
function simpson(f: (x: number) => number, lo: number, hi: number, n = 20000): number {
  const h = (hi - lo) / n;
  let s = f(lo) + f(hi);
  for (let i = 1; i < n; i++) s += f(lo + i * h) * (i % 2 === 1 ? 4 : 2);
  return (s * h) / 3;
}

describe("truncated normal moments", () => {
  it("erfc matches known values to 1.2e-7 relative", () => {
    expect(Math.abs(erfc(0) - 1)).toBeLessThan(1e-7);
    expect(Math.abs(erfc(1) / 0.157299207050285 - 1)).toBeLessThan(1.2e-7);
    expect(Math.abs(erfc(-1) / 1.842700792949715 - 1)).toBeLessThan(1.2e-7);
    expect(Math.abs(erfc(2) / 0.004677734981047266 - 1)).toBeLessThan(1.2e-7);
  });

  for (const [mu, sigma] of [[0.02, 0.02], [0.02, 0.004], [0.01, 0.03]] as const) {
    it(`mean ${mu}, sd ${sigma}: closed form = integral of the density over [0, ∞)`, () => {
      const pdf = (x: number) => Math.exp(-0.5 * ((x - mu) / sigma) ** 2);
      const hi = mu + 12 * sigma;
      const z = simpson(pdf, 0, hi);
      const m1 = simpson((x) => x * pdf(x), 0, hi) / z;
      const m2 = simpson((x) => x * x * pdf(x), 0, hi) / z;
      const t = truncatedNormal(mu, sigma);
      expect(Math.abs(t.mean / m1 - 1)).toBeLessThan(1e-6);
      expect(Math.abs(t.variance / (m2 - m1 * m1) - 1)).toBeLessThan(1e-5);
      // The textbook form, with Φ from the integral rather than from erfc.
      const a = -mu / sigma;
      const tail = z / (sigma * Math.sqrt(2 * Math.PI));
      expect(Math.abs(t.mean / (mu + (sigma * Math.exp(-0.5 * a * a)) / Math.sqrt(2 * Math.PI) / tail) - 1)).toBeLessThan(1e-6);
    });
  }

  it("sd = mean: meanOf, scvOf and Sampler.mean are the truncated ones, and the sampler agrees", () => {
    const d = { dist: "normal", mean: 0.02, sd: 0.02 } as const;
    const m = meanOf(d), scv = scvOf(d);
    expect(m / 0.02).toBeGreaterThan(1.28);
    expect(m / 0.02).toBeLessThan(1.30);
    const s = new Sampler(d);
    expect(s.mean).toBe(m);
    const r = new Rng(5, 0, "truncated-normal");
    const n = 400_000;
    let sum = 0, sq = 0;
    for (let i = 0; i < n; i++) { const x = s.sample(r); sum += x; sq += x * x; }
    const mean = sum / n, variance = sq / n - mean * mean;
    // 4 standard errors of the mean; the untruncated mean 0.02 is ~150 standard errors away.
    expect(Math.abs(mean - m)).toBeLessThanOrEqual(4 * Math.sqrt((scv * m * m) / n));
    expect(Math.abs(variance / (mean * mean) / scv - 1)).toBeLessThan(0.02);
  });
});
