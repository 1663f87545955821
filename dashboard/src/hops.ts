// The rows of the "where the time goes" chart (HopChart.tsx): per class the mean latency's parts
// from the result's per-hop figures (ClassResult.hopsMs), named "<component> wait", "<component>
// service", "<component> link" (its egress link's transfers) and "network", in the scenario's
// component order. Pure data.
import type { SimResult } from "../../simulator/index.ts";

export interface HopRow {
  readonly cls: string;
  readonly meanMs: number;
  readonly sumMs: number;
  readonly parts: Record<string, number>;
  /** Share of the class's requests that failed or were dropped. */
  readonly failedShare: number;
}

/** Off by more than this, the bars are not the completed requests' mean and the card says why. */
export const HOPS_TOLERANCE = 0.05;

/**
 * Why a row's hops do not add up to its mean latency, or null when they do (within 5%). The
 * simulator counts only the completed requests' hop times (simulator/engine/hop-ledger.ts: a failed
 * request's time is left out, as its latency is), so the bars are the completed requests' mean
 * whatever share failed; what remains is a fan-out, whose branches are each counted.
 */
export function hopsMismatch(r: HopRow): string | null {
  if (!(r.meanMs > 0) || Math.abs(r.sumMs - r.meanMs) <= HOPS_TOLERANCE * r.meanMs) return null;
  const why = r.sumMs > r.meanMs
    ? "a fan-out's branches are each counted, so parallel hops add up to more than the time they took"
    : "a queue's publish confirm is in the latency but not on the bars";
  return `${r.cls}: the hops add to ${+r.sumMs.toPrecision(3)} ms against a mean of ${+r.meanMs.toPrecision(3)} ms: ${why}.`;
}

/** Segment names in path order (the components' order in the scenario), then the network. */
export function hopRows(result: SimResult): { rows: HopRow[]; segments: Array<{ key: string; component: string | null; wait: boolean }> } {
  const comps: string[] = [];
  for (const c of Object.values(result.classes)) for (const n of Object.keys(c.hopsMs?.components ?? {})) if (!comps.includes(n)) comps.push(n);
  const segments: Array<{ key: string; component: string | null; wait: boolean }> = [];
  const linked = (n: string) => Object.values(result.classes).some((c) => c.hopsMs?.components[n]?.linkMs !== undefined);
  for (const n of comps) {
    segments.push({ key: `${n} wait`, component: n, wait: true }, { key: `${n} service`, component: n, wait: false });
    // its transfers on its egress link (`bandwidth`), solid as work is
    if (linked(n)) segments.push({ key: `${n} link`, component: n, wait: false });
  }
  segments.push({ key: "network", component: null, wait: false });
  const rows: HopRow[] = [];
  for (const [cls, c] of Object.entries(result.classes)) {
    const h = c.hopsMs;
    if (!h) continue;
    const parts: Record<string, number> = {};
    for (const [n, x] of Object.entries(h.components)) {
      parts[`${n} wait`] = x.waitMs.mean;
      parts[`${n} service`] = x.serviceMs.mean;
      if (x.linkMs) parts[`${n} link`] = x.linkMs.mean;
    }
    parts.network = h.networkMs.mean;
    const n = c.counts.completed + c.counts.failed + c.counts.dropped;
    rows.push({ cls, meanMs: c.latencyMs.mean.mean, sumMs: Object.values(parts).reduce((a, v) => a + v, 0), parts, failedShare: n > 0 ? (c.counts.failed + c.counts.dropped) / n : 0 });
  }
  return { rows, segments };
}
