// Human units parse to seconds, per-second rates, counts, fractions and bytes; bad ones are refused.
import { describe, expect, it } from "vitest";
import { UNIT_PATTERNS, parseCount, parseDuration, parseRate, parseRatio, parseSize, parseBandwidth } from "../../model/units.ts";

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
  it("the JSON Schema patterns accept exactly the strings the parsers accept", () => {
    const parsers = { duration: parseDuration, rate: parseRate, count: parseCount, ratio: parseRatio, size: parseSize, bandwidth: parseBandwidth };
    const samples = ["250ms", " 2s ", "1.5m", "100us", "10µs", "3 min", "+.5e-3s", "1200/s", "3k/s", "1e6/h", "50 / m", "20k",
      "1.5M", "1000", "2G", "0.1%", "0.05", "5 %", "1k%", "512B", "1KB", "4MiB", "10", "-5ms", "abc", "ms", "1/s/s", "", "%", "1e",
      "1Gbps", " 100 Mbit/s ", "125MB/s", "10 KiB/s", "5 furlongs/s", "Gbps"];
    let accepted = 0;
    for (const [kind, pattern] of Object.entries(UNIT_PATTERNS)) {
      const re = new RegExp(pattern, "u"); // as JSON Schema validators compile patterns
      for (const s of samples) {
        const parsed = parsers[kind as keyof typeof parsers](s) !== undefined;
        expect(re.test(s), `${kind} ${JSON.stringify(s)}`).toBe(parsed);
        if (parsed) accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(25); // the samples exercise acceptance, not only refusal
  });
});
