// Confidence intervals from independent replications: the mean of the per-replication estimates
// and the half-width of its 95% Student-t interval; a latency's estimates from its histograms.
import type { Histogram } from "./histogram.ts";

// t quantiles at 0.975 for 1..30 degrees of freedom (Abramowitz and Stegun, table 26.10).
const T975 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16,
  2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[df];
  // Beyond the table, the Cornish-Fisher expansion around the normal quantile is accurate to 1e-3.
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export interface Estimate {
  /** Mean over replications. */
  readonly mean: number;
  /** Half-width of the 95% confidence interval (null with a single replication). */
  readonly ci95: number | null;
}

export function estimate(values: ReadonlyArray<number>): Estimate {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: NaN, ci95: null };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: null };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, ci95: tQuantile975(n - 1) * Math.sqrt(variance / n) };
}

const QUANTILES: Array<[string, number]> = [["p50", 0.5], ["p90", 0.9], ["p95", 0.95], ["p99", 0.99], ["p999", 0.999]];

/**
 * A latency's estimates in milliseconds from one histogram (seconds) per replication: mean, max
 * (NaN where empty) and the quantiles p50 to p999, in the order the result's JSON has them.
 */
export function latencyMs(hists: ReadonlyArray<Histogram>): Record<string, Estimate> {
  const ms = (f: (h: Histogram) => number) => estimate(hists.map((h) => f(h) * 1000));
  const out: Record<string, Estimate> = { mean: ms((h) => h.mean()), max: ms((h) => (h.count ? h.max : Number.NaN)) };
  for (const [k, q] of QUANTILES) out[k] = ms((h) => h.quantile(q));
  return out;
}
