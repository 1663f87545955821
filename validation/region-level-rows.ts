// The per-region rows of a `headroom validate` level for a scenario with `regions:` (issue 15: per-
// region throughput within 3%, cross-region latency within 10%), beside the usual rows. The load
// draws each request's users' region by the load's shares and sends it to that region's entry
// (k6/scripts/scenario.ts, the app's geo routers); the k6 window splits the requests by that tag
// (k6-window.ts). Pure: its tests start no app (region-level-rows.test.ts).
//
// - Each region's users' throughput: the model's `regions.<r>.throughput` per request it offered
//   from the region, times the region's measured offered rate (conditioned on the load really sent,
//   as compare.ts's class rows are): what the region's users got answered. 3%.
// - Each region's offered share against the load's: shown (the draw's own noise).
// - Cross-region latency: what each region's users pay over the reference region's (the model's
//   fastest), mean and p50, model against app: the app's own cost per request, the same for every
//   region's users, cancels in the difference (regions-rows.ts, crossRegionDiffs). 10%; judged
//   with at least 30 answered requests on each side.
// - Each regional service a geo route reaches: compare.ts's throughput row is judged within 3%, but
//   each request's region is drawn on both sides, so a service's share of N requests wanders by
//   its binomial error; the band is widened to 3 standard errors of the two shares' difference
//   where wider (as the shard rows, compare.ts splitRow; regions-rows.ts steadyRows).
import type { SimResult } from "../simulator/index.ts";
import { row, widened, type Row } from "./compare.ts";
import type { WindowClassStats } from "./k6-window.ts";
import { crossRegionDiffs } from "./regions-rows.ts";

/** The least answered requests per region for a cross-region latency row to be judged. */
export const MIN_JUDGED_REQUESTS = 30;

const windowOf = (sim: SimResult) => sim.run.replications * (sim.run.durationS - sim.run.warmupS);

/** Per-region rows: each region's users' offered share and throughput, and the cross-region latencies. */
export function regionLevelRows(sim: SimResult, measured: Readonly<Record<string, WindowClassStats>> | undefined, applies: boolean): Row[] {
  const regions = sim.regions;
  if (!regions) return [];
  const rows: Row[] = [];
  const m = measured ?? {};
  const offeredAll = Object.values(m).reduce((s, x) => s + x.offeredRate, 0);
  for (const [r, res] of Object.entries(regions)) {
    const x = m[r];
    const simOffered = res.counts.arrived / windowOf(sim);
    const served = res.counts.arrived > 0 ? res.throughput.mean / simOffered : 1;
    rows.push(row(`region ${r}`, "offeredShare", res.share, x && offeredAll > 0 ? x.offeredRate / offeredAll : undefined, "absolute", false));
    rows.push(row(`region ${r}`, "regionThroughput", x ? served * x.offeredRate : res.throughput.mean, x?.throughput, "relative", applies));
    rows.push(row(`region ${r}`, "mean", res.latencyMs.mean.mean, x?.latencyMs.mean, "relative", false));
  }
  if (Object.keys(regions).length < 2) return rows;
  const stats = Object.fromEntries(Object.entries(m).map(([r, x]) => [r, { n: Math.round(x.throughput * (sim.run.durationS - sim.run.warmupS)), mean: x.latencyMs.mean, p50: x.latencyMs.p50 }]));
  for (const d of crossRegionDiffs(sim, stats)) {
    const judged = applies && d.n >= MIN_JUDGED_REQUESTS && d.refN >= MIN_JUDGED_REQUESTS;
    const r = row(`${d.region} over ${d.ref}`, d.stat === "mean" ? "crossRegionMean" : "crossRegionP50", d.predicted, Number.isFinite(d.measured) ? d.measured : undefined, "relative", judged);
    rows.push(judged || !applies ? r : { ...r, note: `shown: fewer than ${MIN_JUDGED_REQUESTS} answered requests` });
  }
  return rows;
}

/**
 * The usual rows with each regional service's throughput row (a service a geo route reaches)
 * widened by the region draw's noise: its share p of the route's predicted throughput, over the
 * requests counted on each side. An entry that is a balancer (`backendsOf` names its pool): its
 * service's row is widened by the balancer's share.
 */
export function widenRegionalServices(rows: readonly Row[], sim: SimResult, geo: Readonly<Record<string, readonly string[]>> | undefined, measuredRequests: number, backendsOf?: (entry: string) => string | undefined): Row[] {
  if (!geo) return [...rows];
  const modelRequests = Object.values(sim.classes).reduce((s, c) => s + c.counts.arrived, 0);
  const share = new Map<string, number>();
  for (const targets of Object.values(geo)) {
    const all = targets.reduce((s, t) => s + (sim.components[t]?.throughput.mean ?? 0), 0);
    for (const t of targets) {
      if (!(all > 0)) continue;
      const p = (sim.components[t]?.throughput.mean ?? 0) / all;
      share.set(t, p);
      // an entry that is a balancer: its pool's service carries the same share of the route's requests
      const pool = backendsOf?.(t);
      if (pool !== undefined) share.set(pool, p);
    }
  }
  return rows.map((r) => {
    const p = share.get(r.scope);
    if (r.metric !== "throughput" || p === undefined || !(p > 0 && p < 1) || !(measuredRequests > 0 && modelRequests > 0)) return r;
    return widened(r, 3 * Math.sqrt(((1 - p) / p) * (1 / measuredRequests + 1 / modelRequests)));
  });
}
