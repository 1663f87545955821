// The one threshold-expression parser: what it reads, what it refuses, and the comparison.
import { describe, expect, it } from "vitest";
import { parseThresholdExpr, thresholdHolds } from "./threshold-expr.ts";

describe("parseThresholdExpr", () => {
  const reads: Array<[string, string, number | undefined, string, number]> = [
    ["p(95)<150", "p(95)", 95, "<", 150],
    ["  p( 99.9 ) <= 1e3 ", "p(99.9)", 99.9, "<=", 1000],
    ["rate<0.01", "rate", undefined, "<", 0.01],
    ["count>-1", "count", undefined, ">", -1],
    ["avg<.5", "avg", undefined, "<", 0.5],
    ["avg<5.", "avg", undefined, "<", 5],
    ["avg<1E-3", "avg", undefined, "<", 0.001],
    ["avg<+2", "avg", undefined, "<", 2],
    ["med===3", "med", undefined, "===", 3],
    ["value!=0", "value", undefined, "!=", 0],
    ["max>=2.5e+2", "max", undefined, ">=", 250],
    ["p(0)>0", "p(0)", 0, ">", 0],
    ["p(100)<9", "p(100)", 100, "<", 9],
  ];
  for (const [src, aggregation, percentile, op, bound] of reads) {
    it(`reads '${src}'`, () => {
      expect(parseThresholdExpr(src)).toEqual({ aggregation, percentile, op, bound });
    });
  }

  const refused = ["avg<1.2.3", "avg<", "p(95)<abc", "avg<1e", "avg<-", "foo<1", "p(95)", "p(101)<1", "p()<1", "avg<<1", "avg<Inf", "avg<NaN", "avg<0x10", "avg<1_000", "avg 1", ""];
  for (const src of refused) {
    it(`refuses '${src}'`, () => {
      expect(parseThresholdExpr(src)).toBeNull();
    });
  }
});

describe("thresholdHolds", () => {
  it("compares as k6 does, == and === alike", () => {
    expect([thresholdHolds(1, "<", 2), thresholdHolds(2, "<", 2), thresholdHolds(2, "<=", 2), thresholdHolds(3, ">", 2)]).toEqual([true, false, true, true]);
    expect([thresholdHolds(2, ">=", 2), thresholdHolds(2, "==", 2), thresholdHolds(2, "===", 2), thresholdHolds(2, "!=", 2)]).toEqual([true, true, true, false]);
    expect(thresholdHolds(Number.NaN, "<", 1)).toBe(false);
  });
});
