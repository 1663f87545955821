// The key-space estimator against samples of known key spaces: Zipf and uniform popularity drawn
// with the simulator's own KeySampler; tolerances from repeated draws (see the figures below).
import { describe, expect, it } from "vitest";
import { KeySampler, Rng } from "../simulator/random.ts";
import { lruHitRatio } from "../simulator/analytic/index.ts";
import { parseDocument } from "yaml";
import { capacityFor, estimateKeys, MIN_KEY_SAMPLES } from "./keys.ts";
import { buildGraph } from "./graph.ts";
import { fitModel } from "./model.ts";
import { Notes, type Span } from "./span.ts";
import { pg, redis, span } from "./testing.ts";
import { assemble } from "./traces.ts";
import { writeScenario } from "./write-scenario.ts";

function sample(count: number, s: number, n: number, seed: number): number[] {
  const k = new KeySampler(count, s);
  const rng = new Rng(seed, 0, "keys-test");
  const f = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = k.sample(rng);
    f.set(key, (f.get(key) ?? 0) + 1);
  }
  return [...f.values()];
}

describe("estimateKeys: the key count and Zipf exponent from the keys requests asked for", () => {
  it("recovers Zipf(0.9) over 1000 keys from 20000 requests: s within 0.05, the count within 15%", () => {
    for (const seed of [1, 2, 3]) {
      const e = estimateKeys(sample(1000, 0.9, 20000, seed))!;
      expect(Math.abs(e.s - 0.9), `seed ${seed}: s ${e.s}`).toBeLessThan(0.05);
      expect(Math.abs(e.count / 1000 - 1), `seed ${seed}: count ${e.count}`).toBeLessThan(0.15);
      expect(e.countIsLowerBound).toBe(false);
    }
  });
  it("a uniform key space reads as s near 0 and its count within 5%", () => {
    // 40 draws of 5000 requests over 500 uniform keys gave s from 0 to 0.11 (the collision
    // statistic's noise at 10 requests a key) and the count 501 each time
    const e = estimateKeys(sample(500, 0, 5000, 4))!;
    expect(e.s).toBeLessThan(0.15);
    expect(Math.abs(e.count / 500 - 1)).toBeLessThan(0.05);
  });
  it("a sample where almost every key is new gives a lower bound, said as such", () => {
    const e = estimateKeys(sample(1_000_000, 0, 1000, 5))!;
    expect(e.countIsLowerBound).toBe(true);
    expect(e.count).toBeGreaterThanOrEqual(e.distinct);
  });
  it("too few requests: no estimate", () => {
    expect(estimateKeys(sample(100, 0.5, MIN_KEY_SAMPLES - 1, 6))).toBeUndefined();
  });
  it("capacityFor inverts Che's hit ratio: the capacity found gives back the ratio asked", () => {
    const k = { samples: 0, distinct: 1000, count: 1000, s: 0.9, countIsLowerBound: false };
    const hit = (p: Float64Array, key: string, c: number) => lruHitRatio(p, key, c, 1, Infinity);
    const c = capacityFor(k, 0.6, hit);
    const p = KeySampler.probabilities(1000, 0.9);
    expect(hit(p, "t", c)).toBeGreaterThanOrEqual(0.6);
    expect(hit(p, "t2", c - 1)).toBeLessThan(0.6);
  });
});

/** 6000 traced requests on Zipf(0.8) over 500 keys before a real LRU of `capacity` keys. */
function traced(capacity: number): { spans: Span[]; misses: number } {
  const k = new KeySampler(500, 0.8);
  const rng = new Rng(9, 0, "fit-keys");
  const lru = new Map<number, true>();
  const spans: Span[] = [];
  let misses = 0;
  for (let i = 0; i < 6000; i++) {
    const key = k.sample(rng);
    const t = i * 10, tr = `r${i}`;
    spans.push(span({ trace: tr, id: "1", kind: "server", start: t, end: t + 5, attrs: { "http.request.method": "GET", "http.route": "/products/:key", "url.path": `/products/${key}` } }));
    spans.push(redis({ trace: tr, id: "2", parent: "1", start: t + 1, end: t + 2, op: "GET" }));
    if (lru.has(key)) lru.delete(key);
    else {
      misses++;
      spans.push(pg({ trace: tr, id: "3", parent: "1", start: t + 2, end: t + 4, sql: "select * from products where id = $1" }));
      if (lru.size >= capacity) lru.delete(lru.keys().next().value!);
    }
    lru.set(key, true);
  }
  return { spans, misses };
}

describe("headroom fit writes the key space and the cache capacity it can tell from the traces", () => {
  it("Zipf(0.8) over 500 keys before an LRU cache of 100 keys: keys and capacity recovered from 6000 traced requests", () => {
    // each request: a server span (its path carries the key), a Redis GET, and on a miss a
    // PostgreSQL read; the misses come from a real LRU of 100 keys over the same requests
    const { spans, misses } = traced(100);
    const notes = new Notes();
    const model = fitModel(buildGraph(assemble(spans, notes).roots, notes));
    const cls = model.classes[0]!;
    expect(cls.keys!.s).toBeGreaterThan(0.75);
    expect(cls.keys!.s).toBeLessThan(0.85);
    expect(Math.abs(cls.keys!.count / 500 - 1)).toBeLessThan(0.15);
    const w = writeScenario(model, "keys", "test");
    const doc = parseDocument(w.yaml).toJS() as { load: { classes: Record<string, { keys: { count: number; popularity: string; s: number } }> }; components: Record<string, { capacity?: number }> };
    const keys = Object.values(doc.load.classes)[0]!.keys;
    expect(keys.popularity).toBe("zipf");
    expect(keys.count).toBe(cls.keys!.count);
    // the hit ratio traced (cold misses included) and Che's inverse: within 20% of the real 100
    const capacity = doc.components.redis!.capacity!;
    expect(Math.abs(capacity / 100 - 1), `capacity ${capacity}, traced hit ratio ${1 - misses / 6000}`).toBeLessThan(0.2);
    expect(w.undetermined).not.toContain("components.redis.capacity");
    expect(w.undetermined.some((p) => p.endsWith(".keys") && p.startsWith("load."))).toBe(false);
  });
  it("a cache that never evicted (one miss per key: the cold start) keeps its capacity undetermined", () => {
    const { spans } = traced(1000);
    const notes = new Notes();
    const w = writeScenario(fitModel(buildGraph(assemble(spans, notes).roots, notes)), "keys", "test");
    expect(w.undetermined).toContain("components.redis.capacity");
  });
});
