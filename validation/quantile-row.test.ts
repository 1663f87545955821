// A latency quantile's row widened by a window's own noise, as the model's replications show it
// (validation/compare.ts quantileRow): a median between two modes is not judged on 10%; a class
// with one mode keeps its target.
import { describe, expect, it } from "vitest";
import { quantileRow, row } from "./compare.ts";
import { tQuantile975 } from "../simulator/index.ts";

describe("quantileRow", () => {
  it("two-regions' p50 (20:02 UTC run): the model's five p50s 34.2 ± 14.5 ms, measured 44.7: inside 3 sd of a window's p50", () => {
    const r = quantileRow(row("read", "p50", 34.23, 44.7, "relative", true), 14.55, 5);
    const sd = (14.55 * Math.sqrt(5)) / tQuantile975(4);
    expect(r.target).toBeCloseTo((3 * sd * Math.sqrt(1.2)) / 34.23, 9);
    expect(r.target!).toBeGreaterThan(1);
    expect(r.verdict).toBe("pass");
  });
  it("one mode: twenty replications within 0.3 ms of 30 ms keep the 10% target, and 34 ms fails it", () => {
    const r = quantileRow(row("c", "p50", 30, 34, "relative", true), 0.3, 20);
    expect(r.target).toBe(0.1);
    expect(r.verdict).toBe("fail");
  });
  it("no interval (one replication), no target (past 80% busy) or no prediction: the row as it was", () => {
    const base = row("c", "p99", 30, 45, "relative", true);
    expect(quantileRow(base, null, 1)).toBe(base);
    const info = row("c", "p99", 30, 45, "relative", false);
    expect(quantileRow(info, 20, 5)).toBe(info);
  });
});
