// A cache's analytic form: the LRU hit ratio under the mix of key streams that get from it (Che's
// approximation with the TTL, analytic/hit-ratio.ts), at their total rate.
import type { CacheComponent } from "../../model/schema.ts";
import { lruHitRatio, mixedPopularity, type KeyStream } from "../../analytic/hit-ratio.ts";

export function cacheHitRatio(c: CacheComponent, streams: ReadonlyArray<KeyStream>): number {
  const rate = streams.reduce((a, s) => a + s.weight, 0);
  const key = streams.map((s) => `${s.count},${s.s},${(s.weight / rate).toFixed(6)}`).join(";");
  return lruHitRatio(mixedPopularity(streams), key, c.capacity, rate, c.ttl ?? Infinity);
}
