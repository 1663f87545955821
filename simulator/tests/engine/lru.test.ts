// The LRU cache (engine/lru.ts) keeps its list in packed slot records; this checks it against a
// plain reference (a Map in recency order) over random gets, sets, deletes and clears with a TTL:
// every hit, the size, the evictions and the expirations must agree at every step.
import { describe, expect, it } from "vitest";
import { LruCache } from "../../engine/lru.ts";
import { Rng } from "../../engine/rng.ts";

class ReferenceLru {
  private readonly m = new Map<number, number>(); // key -> stored at, least recent first
  evictions = 0;
  expirations = 0;
  constructor(private readonly capacity: number, private readonly ttl: number) {}
  get size(): number { return this.m.size; }
  get(key: number, now: number): boolean {
    const at = this.m.get(key);
    if (at === undefined) return false;
    this.m.delete(key);
    if (now - at >= this.ttl) { this.expirations++; return false; }
    this.m.set(key, at);
    return true;
  }
  set(key: number, now: number): void {
    if (this.m.has(key)) this.m.delete(key);
    else if (this.m.size >= this.capacity) { this.m.delete(this.m.keys().next().value as number); this.evictions++; }
    this.m.set(key, now);
  }
  delete(key: number): void { this.m.delete(key); }
  clear(): void { this.m.clear(); }
}

describe("LruCache", () => {
  for (const [capacity, keys, ttl] of [[50, 200, 3], [7, 10, Infinity], [300, 300, 0.5]] as const) {
    it(`matches a reference LRU over 200,000 random operations (capacity ${capacity}, ${keys} keys, ttl ${ttl})`, () => {
      const rng = new Rng(7, 0, "lru-test");
      const a = new LruCache(capacity, keys, ttl), b = new ReferenceLru(capacity, ttl);
      let now = 0, hits = 0, mismatches = 0;
      for (let i = 0; i < 200_000; i++) {
        now += rng.next() * 0.01;
        const key = Math.floor(rng.next() ** 2 * keys);
        const op = rng.next();
        if (op < 0.6) {
          const hit = a.get(key, now);
          if (hit !== b.get(key, now)) mismatches++;
          if (hit) hits++;
        } else if (op < 0.95) { a.set(key, now); b.set(key, now); }
        else if (op < 0.9999) { a.delete(key); b.delete(key); }
        else { a.clear(); b.clear(); }
        if (a.size !== b.size) mismatches++;
      }
      expect(mismatches).toBe(0);
      expect(a.evictions).toBe(b.evictions);
      expect(a.expirations).toBe(b.expirations);
      expect(hits).toBeGreaterThan(10_000); // the run exercised hits, not only misses
    });
  }
});
