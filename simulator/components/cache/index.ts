// The cache kind: a key-value cache (Redis) with one server, LRU or sampled-LRU eviction and an
// optional TTL. A get branches to the step's hit or miss flow. Schema and checks still live in
// model/schema.ts and model/check.ts; the per-interval hit series is kept by the kernel.
import type { KindModule } from "../kind.ts";
import { compileCache, emitCacheCall, type CacheSpec } from "./compile.ts";
import { CacheRuntime } from "./runtime.ts";
import { cacheResult } from "./result.ts";

export { CACHE_DELETE, CACHE_GET, CACHE_SET, type CacheSpec } from "./compile.ts";
export { CacheRuntime } from "./runtime.ts";
export { cacheHitRatio } from "./analytic.ts";

export const cache: KindModule<"cache", CacheSpec, CacheRuntime> = {
  kind: "cache",
  compile: compileCache,
  emitCall: emitCacheCall,
  runtime: (specs, ctx) => new CacheRuntime(specs, ctx),
  result: cacheResult,
};
