// `eviction: sampled` (Redis's allkeys-lru: engine/sampled-lru.ts). Its agreement with a real Redis is
// reference-app/redis-eviction.e2e.test.ts; here, what must hold of the algorithm itself: with many
// samples and a turnover slow against its one-second clock it is LRU (Che's approximation, as exact
// LRU is in cache-che.test.ts); fewer samples keep less of the hot set; and the cache never holds
// more than its capacity. Plus the check that `samples` only goes with `eviction: sampled`.
import { describe, expect, it } from "vitest";
import { simulate, parseScenario } from "../../index.ts";
import { SampledLruCache } from "../../engine/sampled-lru.ts";
import { Rng } from "../../engine/rng.ts";
import { cheHitRatio, scenarioOf } from "../helpers.ts";

const KEYS = 20_000, S = 0.8, CAPACITY = 2000;

const che = (capacity: number) => cheHitRatio(KEYS, S, capacity);

const sampledCache = (eviction: string) => scenarioOf(`
version: 1
name: sampled
seed: 11
simulation: { duration: 1500s, warmup: 500s, replications: 3 }
load:
  model: open
  rate: 200/s
  classes:
    read:
      keys: { count: ${KEYS}, popularity: zipf, s: ${S} }
      flow: [{ call: cache, op: get, miss: [{ call: cache, op: set }] }]
components:
  cache: { kind: cache, capacity: ${CAPACITY}, service: 0.01ms, ${eviction} }
`);

describe("eviction: sampled", () => {
  // Che's T here is about 4,700 requests (23 s at 200/s): the one-second clock rarely ties.
  const many = simulate(sampledCache("eviction: sampled, samples: 64")).components.cache.hitRatio!;
  const five = simulate(sampledCache("eviction: sampled")).components.cache.hitRatio!;
  it("with 64 samples and slow turnover, is LRU: within 1 point of Che's approximation", () => {
    expect(Math.abs(many.mean - che(CAPACITY)), `sampled(64) ${many.mean} vs Che ${che(CAPACITY)}`).toBeLessThanOrEqual(0.01);
  });
  it("with Redis's default 5 samples and slow turnover, is still within 1 point of LRU (Redis's own claim)", () => {
    // (0.24 points below 64 samples with these seeds; the gap that matters comes from the clock at
    // fast turnover: 3 points in the e2e test against Redis)
    expect(Math.abs(five.mean - che(CAPACITY)), `sampled(5) ${five.mean} vs Che ${che(CAPACITY)}`).toBeLessThanOrEqual(0.01);
    expect(five.mean).toBeLessThanOrEqual(many.mean + five.ci95!);
  });
  it("at fast turnover the one-second clock costs hit ratio that exact LRU keeps", () => {
    // 500 keys at 2,000 requests/s turn over in well under a second: recency within a second is lost
    const fast = (eviction: string) => simulate(scenarioOf(`
version: 1
name: fast
seed: 3
simulation: { duration: 60s, warmup: 20s, replications: 3 }
load:
  model: open
  rate: 2000/s
  classes:
    read:
      keys: { count: ${KEYS}, popularity: zipf, s: 0.9 }
      flow: [{ call: cache, op: get, miss: [{ call: cache, op: set }] }]
components:
  cache: { kind: cache, capacity: 500, service: 0.001ms, ${eviction} }
`)).components.cache.hitRatio!;
    const exact = fast("eviction: lru"), sampled = fast("eviction: sampled");
    expect(exact.mean - sampled.mean).toBeGreaterThan(0.015);
    expect(exact.mean - sampled.mean).toBeGreaterThan(2 * Math.max(exact.ci95!, sampled.ci95!));
  });
  it("never holds more than its capacity, and frees what delete and clear remove", () => {
    const c = new SampledLruCache(50, 1000, Infinity, 5, new Rng(1, 0, "t"));
    const r = new Rng(2, 0, "keys");
    for (let i = 0; i < 5000; i++) { c.set(Math.floor(r.next() * 1000), i / 100); expect(c.size).toBeLessThanOrEqual(50); }
    expect(c.size).toBe(50);
    expect(c.evictions).toBeGreaterThan(4000);
    let present = -1;
    for (let k = 0; k < 1000 && present < 0; k++) if (c.get(k, 50)) present = k;
    c.delete(present);
    expect(c.get(present, 50)).toBe(false);
    expect(c.size).toBe(49);
    c.clear();
    expect(c.size).toBe(0);
    c.set(3, 60);
    expect(c.get(3, 61)).toBe(true);
  });
  it("expires entries past the ttl like the exact LRU", () => {
    const c = new SampledLruCache(10, 100, 5, 5, new Rng(1, 0, "t"));
    c.set(1, 0);
    expect(c.get(1, 4.9)).toBe(true);
    expect(c.get(1, 5)).toBe(false);
    expect(c.expirations).toBe(1);
  });
  it("`samples` without `eviction: sampled` is a located error", () => {
    const r = parseScenario(`
version: 1
name: bad
load: { model: open, rate: 1/s, classes: { r: { flow: [{ call: cache, op: get }] } } }
components:
  cache: { kind: cache, capacity: 10, samples: 5 }
`, "bad.yaml");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => `${e.line}:${e.path}`)).toContain("6:components.cache.samples");
  });
});
