// Human units parse to seconds, per-second rates, counts, fractions and bytes; bad ones are refused.
import { describe, expect, it } from "vitest";
import { parseCount, parseDuration, parseRate, parseRatio, parseSize } from "../../model/units.ts";

describe("units", () => {
  it("durations", () => {
    expect(parseDuration("250ms")).toBeCloseTo(0.25, 12);
    expect(parseDuration("2s")).toBe(2);
    expect(parseDuration("1.5m")).toBe(90);
    expect(parseDuration("2h")).toBe(7200);
    expect(parseDuration("100us")).toBeCloseTo(1e-4, 12);
    expect(parseDuration(20)).toBeUndefined(); // a bare number needs its unit
    expect(parseDuration("20 parsecs")).toBeUndefined();
  });
  it("rates", () => {
    expect(parseRate("1200/s")).toBe(1200);
    expect(parseRate("3k/m")).toBe(50);
    expect(parseRate("1e6/h")).toBeCloseTo(277.777, 2);
    expect(parseRate("1200")).toBeUndefined();
  });
  it("counts, ratios, sizes", () => {
    expect(parseCount("20k")).toBe(20000);
    expect(parseCount("1.5M")).toBe(1.5e6);
    expect(parseCount(7)).toBe(7);
    expect(parseRatio("0.1%")).toBeCloseTo(0.001, 12);
    expect(parseRatio(0.05)).toBe(0.05);
    expect(parseSize("1KB")).toBe(1000);
    expect(parseSize("4MiB")).toBe(4 * 1024 * 1024);
    expect(parseSize("4 furlongs")).toBeUndefined();
  });
});
