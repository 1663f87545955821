// The histogram's quantiles stay within 1% of the exact sample quantiles, over 9 decades.
import { describe, expect, it } from "vitest";
import { Histogram } from "../../engine/histogram.ts";
import { Rng } from "../../engine/rng.ts";

describe("Histogram", () => {
  it("quantiles within 1% relative error of the exact ones", () => {
    const h = new Histogram();
    const r = new Rng(3, 0, "h");
    const xs: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const x = Math.exp(-12 + 20 * r.next()); // 6e-6 s .. 3e3 s
      xs.push(x); h.record(x);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = xs[Math.floor(q * (xs.length - 1))];
      expect(Math.abs(h.quantile(q) - exact) / exact, `q=${q}`).toBeLessThanOrEqual(0.0101);
    }
    expect(h.max).toBe(xs[xs.length - 1]);
    expect(h.mean()).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 6);
  });
  it("reset clears and merge adds", () => {
    const a = new Histogram(), b = new Histogram();
    a.record(1); a.record(2); b.record(3);
    a.merge(b);
    expect(a.count).toBe(3);
    expect(a.max).toBe(3);
    a.reset();
    expect(a.count).toBe(0);
    expect(Number.isNaN(a.quantile(0.5))).toBe(true);
  });
});
