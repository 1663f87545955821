// A k6 threshold expression ("p(95)<150", "rate<=0.01", "count>10"): parsed once, by one rule, for
// the built-in runner (k6/runner/thresholds.ts), which judges a run as k6 does, and for ingest
// (k6/ingest/ingest.ts), which re-judges submetric thresholds from a run's NDJSON. Two regular
// expressions with different number rules used to do this (one read "1.2.3" as a bound, NaN, so the
// threshold failed; the other refused ".5" and "1E3").
// Numbers follow Go's strconv.ParseFloat, which k6 uses, in decimal: an optional sign, digits with
// an optional fraction (".5" and "5." included), an optional exponent ("1e3", "1E-3"). Trades away
// what ParseFloat also takes and no threshold needs: "Inf", "NaN", hex floats and underscores.

export type ThresholdOp = "<" | "<=" | ">" | ">=" | "==" | "===" | "!=";

export interface ThresholdExpr {
  /** avg | min | max | med | count | rate | value | p(N), spaces removed */
  readonly aggregation: string;
  /** N of p(N), else undefined */
  readonly percentile: number | undefined;
  readonly op: ThresholdOp;
  readonly bound: number;
}

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const EXPR = new RegExp(String.raw`^\s*(avg|min|max|med|count|rate|value|p\(\s*(${NUMBER})\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(${NUMBER})\s*$`);

/** The expression's parts, or null when k6 would refuse it. */
export function parseThresholdExpr(source: string): ThresholdExpr | null {
  const m = EXPR.exec(source);
  if (!m) return null;
  const percentile = m[2] === undefined ? undefined : Number(m[2]);
  if (percentile !== undefined && !(percentile >= 0 && percentile <= 100)) return null;
  return { aggregation: m[1].replace(/\s+/g, ""), percentile, op: m[3] as ThresholdOp, bound: Number(m[4]) };
}

/** Whether `value op bound` holds, k6's comparison (== and === alike). */
export function thresholdHolds(value: number, op: ThresholdOp, bound: number): boolean {
  switch (op) {
    case "<": return value < bound;
    case "<=": return value <= bound;
    case ">": return value > bound;
    case ">=": return value >= bound;
    case "!=": return value !== bound;
    default: return value === bound;
  }
}
