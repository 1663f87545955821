// A cache's state over one replication: per cache, its entries as an exact LRU or as Redis's
// sampled LRU (engine/lru.ts, engine/sampled-lru.ts), keyed by the request's key. The kernel runs
// the command when the cache's server has served it (OP_CACHE in serviceDone) and empties a cache
// a fault or a region outage lost; the methods take and return numbers and allocate nothing.
import { LruCache } from "../../engine/lru.ts";
import { SampledLruCache } from "../../engine/sampled-lru.ts";
import type { RuntimeContext } from "../kind.ts";
import type { CacheSpec } from "./compile.ts";

export class CacheRuntime {
  private readonly caches: Array<LruCache | SampledLruCache>;

  constructor(specs: readonly CacheSpec[], ctx: RuntimeContext) {
    this.caches = specs.map((c) => c.evictionSamples > 0
      ? new SampledLruCache(c.capacity, ctx.keySpace, c.ttl, c.evictionSamples, ctx.stream(`cache:${ctx.componentNames[c.component]}:evict`))
      : new LruCache(c.capacity, ctx.keySpace, c.ttl));
  }

  /** A get at time now: whether the key is held and fresh (a hit refreshes its recency). */
  get(c: number, key: number, now: number): boolean {
    return this.caches[c].get(key, now);
  }

  set(c: number, key: number, now: number): void {
    this.caches[c].set(key, now);
  }

  delete(c: number, key: number): void {
    this.caches[c].delete(key);
  }

  /** The cache node was lost and replaced: it comes back empty. */
  clear(c: number): void {
    this.caches[c].clear();
  }
}
