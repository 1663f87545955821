// Redis's eviction against the model's, on the same requests at the same moments: a private Redis
// (the reference app's own part, sized to hold 500 keys, allkeys-lru, maxmemory-samples 5) takes a Zipf sequence of
// cache-aside accesses at 2,000/s for 10 s; the model replays that exact sequence and timing into
// `eviction: sampled` (engine/sampled-lru.ts) and into exact LRU. Redis must land inside the sampled
// model's spread over random streams, and away from exact LRU: at this turnover (a few hundred keys
// a second) Redis's one-second access clock costs about 3 points of hit ratio, the gap the issue saw.
import { describe, expect, it } from "vitest";
import { Effect } from "effect";
import { Redis } from "ioredis";
import { runDir } from "./resources.ts";
import { startRedis } from "./parts/redis.ts";
import { preflight } from "./preflight.ts";
import type { AppPlan } from "./plan.ts";
import { LruCache } from "../simulator/engine/lru.ts";
import { SampledLruCache } from "../simulator/engine/sampled-lru.ts";
import { KeySampler } from "../simulator/random.ts";
import { Rng } from "../simulator/random.ts";

const KEYS = 20_000;
const ZIPF_S = 0.9;
const RATE = 2000; // accesses per second, sent in batches of BATCH
const BATCH = 20; // (batches of 100 buffer 10 kB of replies in Redis, counted against maxmemory: 459 keys held)
const SECONDS = 10;
const WARMUP_S = 3; // the cache fills in about 1 s; hit ratios count from here

interface Trace {
  keys: Int32Array;
  at: Float64Array; // seconds since the first batch, when the batch was sent
  hit: Uint8Array; // what Redis answered
  capacity: number; // keys Redis held once full (DBSIZE)
  evicted: number;
}

/** One access = `SET key v GET`: Redis answers the old value (a hit) or nil (a miss) and stores v. */
async function drive(port: number, password: string): Promise<Trace> {
  const n = RATE * SECONDS;
  const sampler = new KeySampler(KEYS, ZIPF_S);
  const rng = new Rng(7, 0, "redis-eviction:keys");
  const keys = Int32Array.from({ length: n }, () => sampler.sample(rng));
  const at = new Float64Array(n);
  const hit = new Uint8Array(n);
  const r = new Redis({ host: "127.0.0.1", port, password, maxRetriesPerRequest: 1 });
  try {
    const t0 = performance.now();
    for (let b = 0; b < n; b += BATCH) {
      const due = t0 + (b / RATE) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const now = (performance.now() - t0) / 1000;
      const p = r.pipeline();
      for (let i = b; i < b + BATCH; i++) p.set(`product:${keys[i]}`, "x".repeat(100), "GET");
      const out = (await p.exec())!;
      for (let i = b; i < b + BATCH; i++) {
        at[i] = now;
        const [err, old] = out[i - b]!;
        if (err) throw err;
        hit[i] = old === null ? 0 : 1;
      }
    }
    const capacity = await r.dbsize();
    const evicted = Number(/evicted_keys:(\d+)/.exec(await r.info("stats"))?.[1] ?? 0);
    return { keys, at, hit, capacity, evicted };
  } finally {
    r.disconnect();
  }
}

function hitRatio(hits: ArrayLike<number>, at: Float64Array): number {
  let h = 0, c = 0;
  for (let i = 0; i < at.length; i++) if (at[i] >= WARMUP_S) { c++; h += hits[i]; }
  return h / c;
}

/** The model on Redis's exact sequence and timing. */
function replay(t: Trace, cache: { get(k: number, now: number): boolean; set(k: number, now: number): void }): number {
  const hits = new Uint8Array(t.keys.length);
  for (let i = 0; i < t.keys.length; i++) {
    hits[i] = cache.get(t.keys[i], t.at[i]) ? 1 : 0;
    cache.set(t.keys[i], t.at[i]);
  }
  return hitRatio(hits, t.at);
}

describe("Redis eviction (allkeys-lru, maxmemory-samples 5) against the model", () => {
  it("lands within the sampled model's spread and away from exact LRU", async () => {
    const trace = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const cache = { name: "cache", capacity: 500, valueSize: 100, service: { dist: "constant" as const, value: 0 }, evictionSamples: 5, largestKey: KEYS - 1 };
          const tools = yield* preflight({ cache, queues: [] } as unknown as AppPlan);
          const dir = yield* runDir();
          const part = yield* startRedis(cache, dir.path, tools);
          const t = yield* Effect.promise(() => drive(part.port, part.password));
          return { ...t, sized: part.held };
        }),
      ),
    );
    expect(trace.evicted).toBeGreaterThan(1000); // the cache was full and evicting throughout
    const redis = hitRatio(trace.hit, trace.at);
    const exact = replay(trace, new LruCache(trace.capacity, KEYS));
    const sampled = Array.from({ length: 8 }, (_, seed) => replay(trace, new SampledLruCache(trace.capacity, KEYS, Infinity, 5, new Rng(seed, 0, "evict"))));
    const mean = sampled.reduce((a, b) => a + b, 0) / sampled.length;
    const sd = Math.sqrt(sampled.reduce((a, b) => a + (b - mean) ** 2, 0) / (sampled.length - 1));
    console.log(`redis ${redis.toFixed(4)} (capacity ${trace.capacity}, ${trace.sized} when sized, evicted ${trace.evicted}); sampled model ${mean.toFixed(4)} ± ${sd.toFixed(4)}; exact LRU ${exact.toFixed(4)}`);
    // Redis draws its samples from a walk over hash buckets, the model uniformly: allow 4 sd of the
    // model's spread plus half a point for that difference and for pacing jitter.
    expect(Math.abs(redis - mean)).toBeLessThan(4 * sd + 0.005);
    // and the exact model is measurably further off (it is what the issue saw: ~3 points high)
    expect(exact - redis).toBeGreaterThan(Math.abs(redis - mean) + 0.01);
    // the part's sizing makes an evicting Redis hold about the YAML's capacity (406 keys before it
    // was by trial; 497, 493 and 524 on 1 Dec 2026's machine; 573 and 578 under this test's Zipf keys
    // on 2 Dec's, Redis 7.0.15, whose sizing trials ended at 469, 6% short): within 20%. The comparisons above
    // use what Redis held, so the sizing's error does not enter them.
    expect(Math.abs(trace.capacity - 500)).toBeLessThanOrEqual(100);
  });
});
