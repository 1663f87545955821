// What-if A/B: the figures compared and their paired differences. A and B run with the same seed,
// so replication i of A and replication i of B draw the same random streams (common random
// numbers): their difference d_i = B_i - A_i carries the change with little of the noise, and the
// 95% confidence interval of the mean difference is Student's t over those n paired differences
// (t(n-1) x sd(d) / sqrt(n)), much tighter than the two runs' intervals combined as if independent.
// A difference is significant when its interval leaves out 0.
import { tQuantile975, type SimResult } from "../../simulator/index.ts";

export interface DiffRow {
  readonly metric: string;
  readonly unit: "ms" | "req/s" | "ratio";
  readonly a: number;
  readonly b: number;
}

/** The rows compared: per class throughput, p50/p95/p99 and error rate; per component utilization. */
export function compareResults(a: SimResult, b: SimResult): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const [name, ca] of Object.entries(a.classes)) {
    const cb = b.classes[name];
    if (!cb) continue;
    rows.push({ metric: `${name} throughput`, unit: "req/s", a: ca.throughput.mean, b: cb.throughput.mean });
    for (const q of ["p50", "p95", "p99"] as const) rows.push({ metric: `${name} ${q}`, unit: "ms", a: ca.latencyMs[q].mean, b: cb.latencyMs[q].mean });
    rows.push({ metric: `${name} error rate`, unit: "ratio", a: ca.errorRate.mean, b: cb.errorRate.mean });
  }
  for (const [name, ca] of Object.entries(a.components)) {
    const cb = b.components[name];
    if (!cb) continue;
    rows.push({ metric: `${name} utilization`, unit: "ratio", a: ca.utilization.mean, b: cb.utilization.mean });
    if (ca.hitRatio && cb.hitRatio) rows.push({ metric: `${name} hit ratio`, unit: "ratio", a: ca.hitRatio.mean, b: cb.hitRatio.mean });
  }
  return rows;
}

export interface PairedRow extends DiffRow {
  /** Mean of the paired differences B_i - A_i (= b - a over the same pairs). */
  readonly delta: number;
  /** Half-width of its 95% confidence interval; null with fewer than 2 pairs. */
  readonly ci95: number | null;
  /** The interval leaves out 0; null when there is no interval. */
  readonly significant: boolean | null;
  /** Replications where both A and B have the figure (a p99 of a replication with no request has none). */
  readonly pairs: number;
}

// Student's t at 0.975, the simulator's own (every ± in the results uses it).
export const t975 = tQuantile975;

/**
 * The A/B rows from the runs' replications, paired by index (A's replication i with B's i, both
 * run with the same seed). Each replication's result is what one replication alone gives
 * (replications.ts), so a and b are the runs' means the Results tab shows.
 */
export function pairedRows(as: readonly SimResult[], bs: readonly SimResult[]): PairedRow[] {
  if (as.length === 0 || as.length !== bs.length) throw new RangeError(`A has ${as.length} replications and B ${bs.length}: they must pair one to one`);
  const per = as.map((a, i) => new Map(compareResults(a, bs[i]).map((r) => [r.metric, r])));
  return compareResults(as[0], bs[0]).map(({ metric, unit }) => {
    const pairs = per.map((m) => m.get(metric)).filter((r): r is DiffRow => r !== undefined && Number.isFinite(r.a) && Number.isFinite(r.b));
    const n = pairs.length;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const d = pairs.map((r) => r.b - r.a);
    const delta = n ? mean(d) : NaN;
    const ci95 = n >= 2 ? t975(n - 1) * Math.sqrt(d.reduce((s, x) => s + (x - delta) ** 2, 0) / (n - 1) / n) : null;
    return {
      metric, unit, pairs: n, delta, ci95,
      a: n ? mean(pairs.map((r) => r.a)) : NaN,
      b: n ? mean(pairs.map((r) => r.b)) : NaN,
      significant: ci95 === null || !Number.isFinite(delta) ? null : Math.abs(delta) > ci95,
    };
  });
}
