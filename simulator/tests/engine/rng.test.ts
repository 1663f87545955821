// RNG streams: uniform on (0,1), reproducible per (seed, replication, stream), independent across
// streams (common random numbers rest on this).
import { describe, expect, it } from "vitest";
import { Rng } from "../../engine/rng.ts";

describe("Rng", () => {
  it("is uniform: mean 1/2, variance 1/12, chi-square over 20 bins", () => {
    const r = new Rng(42, 0, "u");
    const n = 200_000, bins = new Array(20).fill(0);
    let sum = 0, sq = 0, outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u > 0 && u < 1)) outside++;
      sum += u; sq += u * u; bins[Math.floor(u * 20)]++;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sq / n - (sum / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
    const e = n / 20;
    const chi2 = bins.reduce((a, b) => a + (b - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(43.8); // 99.9% quantile of chi-square with 19 degrees of freedom
  });
  it("same identity, same numbers; another stream, uncorrelated numbers", () => {
    const a = new Rng(1, 0, "station:api:service"), b = new Rng(1, 0, "station:api:service");
    const c = new Rng(1, 0, "station:db:service"), d = new Rng(1, 1, "station:api:service");
    const n = 50_000;
    let differ = 0, sac = 0, sad = 0;
    for (let i = 0; i < n; i++) {
      const x = a.next(), y = b.next(), z = c.next(), w = d.next();
      if (x !== y) differ++;
      sac += (x - 0.5) * (z - 0.5); sad += (x - 0.5) * (w - 0.5);
    }
    expect(differ).toBe(0);
    // Correlation of independent uniforms: sd ≈ 1/sqrt(n); 4 sd bound.
    expect(Math.abs((sac / n) * 12)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs((sad / n) * 12)).toBeLessThan(4 / Math.sqrt(n));
  });
});
