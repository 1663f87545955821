// The one percentile helper: k6's definition, checked on samples whose answers are known by hand.
import { describe, expect, it } from "vitest";
import { percentile } from "../percentile.ts";

describe("percentile", () => {
  it("interpolates between the closest ranks as k6 does", () => {
    const xs = Float64Array.from([10, 20, 30, 40, 50]);
    expect(percentile(xs, 0)).toBe(10);
    expect(percentile(xs, 50)).toBe(30);
    expect(percentile(xs, 100)).toBe(50);
    expect(percentile(xs, 90)).toBeCloseTo(46, 12); // rank 3.6: 40 + 0.6 x 10
    expect(percentile(xs, 95)).toBeCloseTo(48, 12);
    expect(percentile([1, 2], 99)).toBeCloseTo(1.99, 12);
  });

  it("one sample is every percentile; an empty sample is NaN", () => {
    expect(percentile([7], 0)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("reads the exponential p99 off a fine grid of its quantiles", () => {
    // The grid i/n mapped through -ln(1 - u): p99 of Exp(1) is ln(100) = 4.605.
    const n = 100_001;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = -Math.log(1 - i / n);
    expect(Math.abs(percentile(xs, 99) - Math.log(100))).toBeLessThan(1e-3);
  });
});
