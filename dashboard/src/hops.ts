// The rows of the "where the time goes" chart (HopChart.tsx): per class the mean latency's parts
// from the result's per-hop figures (ClassResult.hopsMs), named "<component> wait", "<component>
// service" and "network", in the scenario's component order. Pure data.
import type { SimResult } from "../../simulator/index.ts";

export interface HopRow {
  readonly cls: string;
  readonly meanMs: number;
  readonly sumMs: number;
  readonly parts: Record<string, number>;
}

/** Segment names in path order (the components' order in the scenario), then the network. */
export function hopRows(result: SimResult): { rows: HopRow[]; segments: Array<{ key: string; component: string | null; wait: boolean }> } {
  const comps: string[] = [];
  for (const c of Object.values(result.classes)) for (const n of Object.keys(c.hopsMs?.components ?? {})) if (!comps.includes(n)) comps.push(n);
  const segments: Array<{ key: string; component: string | null; wait: boolean }> = [];
  for (const n of comps) segments.push({ key: `${n} wait`, component: n, wait: true }, { key: `${n} service`, component: n, wait: false });
  segments.push({ key: "network", component: null, wait: false });
  const rows: HopRow[] = [];
  for (const [cls, c] of Object.entries(result.classes)) {
    const h = c.hopsMs;
    if (!h) continue;
    const parts: Record<string, number> = {};
    for (const [n, x] of Object.entries(h.components)) { parts[`${n} wait`] = x.waitMs.mean; parts[`${n} service`] = x.serviceMs.mean; }
    parts.network = h.networkMs.mean;
    rows.push({ cls, meanMs: c.latencyMs.mean.mean, sumMs: Object.values(parts).reduce((a, v) => a + v, 0), parts });
  }
  return { rows, segments };
}
