// A CDN's analytic form: the edge as a TTL cache of unbounded size (every object fetched within
// the TTL is a hit), over the objects' Zipf or uniform popularity, and its component entry in the
// analytic estimate (no servers; the response is the edge latency).
import type { CdnComponent } from "../../model/schema.ts";
import { meanOf } from "../../model/dist-moments.ts";
import { mixedPopularity } from "../../analytic/hit-ratio.ts";

/** A TTL cache of unbounded size (the CDN edge): Σ_i p_i λ_i T / (1 + λ_i T); 1 without a TTL. */
export function ttlHitRatio(p: Float64Array, rate: number, ttl: number): number {
  if (!Number.isFinite(ttl)) return 1;
  let h = 0;
  for (let i = 0; i < p.length; i++) { const x = p[i] * rate * ttl; h += p[i] * (x / (1 + x)); }
  return h;
}

/** The edge's hit ratio at `rate` requests per second. */
export function cdnHitRatio(c: CdnComponent, rate: number): number {
  const p = mixedPopularity([{ count: c.objects.count, s: c.objects.popularity === "zipf" ? (c.objects.s ?? 1) : 0, weight: 1 }]);
  return ttlHitRatio(p, rate, c.ttl ?? Infinity);
}

/** The CDN's entry among the analytic estimate's components. */
export function cdnAnalytic(c: CdnComponent, rate: number, hitRatio: number) {
  return {
    kind: c.kind, servers: null, throughput: rate, utilization: null, peakUtilization: null,
    waitMs: 0, responseMs: meanOf(c.edge_latency) * 1000, hitRatio,
  } as const;
}
