// LRU hit ratio under independent Zipf requests against Che's approximation (Che, Tung, Wang 2002,
// "Hierarchical Web caching systems: modeling, design and experimental results"): the
// characteristic time T_C solves Σ_i (1 - e^{-p_i T_C}) = C, and the hit ratio is
// h = Σ_i p_i (1 - e^{-p_i T_C}). Fricker, Robert and Roberts (2012) show it is accurate to well
// under a percentage point for Zipf popularity and caches of this size.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { cheHitRatio, scenarioOf } from "../helpers.ts";

const KEYS = 20_000, S = 0.8;

const che = (capacity: number) => cheHitRatio(KEYS, S, capacity);

/** Reads of Zipf keys at 200/s through a cache-aside LRU of `capacity` keys. */
const zipfCache = (capacity: number, seed: number, simulation: string) => scenarioOf(`
version: 1
name: che
seed: ${seed}
simulation: ${simulation}
load:
  model: open
  rate: 200/s
  classes:
    read:
      keys: { count: ${KEYS}, popularity: zipf, s: ${S} }
      flow: [{ call: cache, op: get, miss: [{ call: cache, op: set }] }]
components:
  cache: { kind: cache, capacity: ${capacity}, service: 0.01ms }
`);

describe("cache hit ratio against Che's approximation (Zipf s = 0.8 over 20k keys)", () => {
  for (const capacity of [200, 2000, 8000]) {
    it(`capacity ${capacity}: within 1 percentage point`, () => {
      // Reads at a low rate so the set after a miss lands before the next request (pure IRM LRU).
      const r = simulate(zipfCache(capacity, capacity, "{ duration: 2000s, warmup: 500s, replications: 4 }"));
      const h = r.components.cache.hitRatio!;
      const theory = che(capacity);
      expect(Math.abs(h.mean - theory), `simulated ${h.mean} ± ${h.ci95} vs Che ${theory}`).toBeLessThanOrEqual(0.01);
      expect(h.ci95!).toBeLessThan(0.005);
    });
  }
});

describe("per-interval hit ratio in the series", () => {
  // One replication, warm-up a whole number of intervals: the intervals after the warm-up hold
  // exactly the lookups the summary counts, so the lookup-weighted series equals the summary.
  const r = simulate(zipfCache(2000, 3, "{ duration: 300s, warmup: 100s, replications: 1, interval: 10s }"));
  const s = r.series!;
  const c = s.components.cache;
  const after = s.t.map((_t, i) => i).filter((i) => s.t[i] > 100 + 1e-9);
  it("weighted by lookups over the statistics window, equals the summary hit ratio", () => {
    let hits = 0, lookups = 0;
    for (const i of after) { hits += c.hitRatio![i] * c.lookups![i] * s.intervalS; lookups += c.lookups![i] * s.intervalS; }
    expect(hits / lookups).toBeCloseTo(r.components.cache.hitRatio!.mean, 3);
  });
  it("counts every request's lookup: 200/s within 4 Poisson sd per 10 s interval", () => {
    for (const i of after) expect(Math.abs(c.lookups![i] - 200)).toBeLessThan((4 * Math.sqrt(2000)) / 10);
  });
  it("starts cold and rises (the first interval hits less than the steady state)", () => {
    expect(c.hitRatio![0]).toBeLessThan(r.components.cache.hitRatio!.mean - 0.05);
  });
  it("is absent for components that are not caches", () => {
    const plain = simulate(scenarioOf(`
version: 1
name: plain
simulation: { duration: 20s, warmup: 0s, replications: 1 }
load: { model: open, rate: 10/s, classes: { r: { flow: [{ visit: s }] } } }
components:
  s: { kind: station, servers: 1, service: 10ms }
`));
    expect(plain.series!.components.s.hitRatio).toBeUndefined();
    expect(plain.series!.costPerHour).toBeUndefined();
  });
});
