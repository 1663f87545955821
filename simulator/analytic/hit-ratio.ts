// Steady-state hit ratios of the simulator's caches under independent requests (the independent
// reference model). LRU: Che's approximation (Che, Tung and Wang 2002; accurate to well under a
// percentage point for Zipf popularity, Fricker, Robert and Roberts 2012). A TTL on top of LRU takes
// the smaller of the two per-key hit probabilities: the LRU one, and the renewal one of a TTL cache,
// λ_i T / (1 + λ_i T) (each miss starts a TTL period during which Poisson requests hit); the
// combination is our approximation, not a published result. A CDN edge is a pure TTL cache.
import { KeySampler } from "../engine/zipf.ts";

/** A stream of requests on keys 0..count-1: Zipf(s) popularity (s = 0 is uniform), at a share of the total. */
export interface KeyStream {
  readonly count: number;
  readonly s: number;
  readonly weight: number;
}

const probabilityCache = new Map<string, Float64Array>();

function probabilities(count: number, s: number): Float64Array {
  const key = `${count}|${s}`;
  let p = probabilityCache.get(key);
  if (!p) {
    p = s === 0 ? new Float64Array(count).fill(1 / count) : KeySampler.probabilities(count, s);
    probabilityCache.set(key, p);
  }
  return p;
}

/** Per-key request probabilities of a mixture of streams over one key space. */
export function mixedPopularity(streams: ReadonlyArray<KeyStream>): Float64Array {
  const n = Math.max(1, ...streams.map((s) => s.count));
  const out = new Float64Array(n);
  const total = streams.reduce((a, s) => a + s.weight, 0) || 1;
  for (const st of streams) {
    const p = probabilities(st.count, st.s);
    const w = st.weight / total;
    for (let i = 0; i < p.length; i++) out[i] += w * p[i];
  }
  return out;
}

const cheCache = new Map<string, number>();

/** Che's characteristic time, in requests (not seconds): Σ_i (1 - e^{-p_i T}) = capacity. */
function cheTime(p: Float64Array, capacity: number, key: string): number {
  const known = cheCache.get(key);
  if (known !== undefined) return known;
  if (capacity >= p.length) { cheCache.set(key, Infinity); return Infinity; }
  const filled = (T: number) => { let a = 0; for (let i = 0; i < p.length; i++) a += 1 - Math.exp(-p[i] * T); return a; };
  let lo = 0, hi = capacity;
  while (filled(hi) < capacity) hi *= 2;
  for (let i = 0; i < 60 && hi - lo > 1e-9 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (filled(mid) < capacity) lo = mid; else hi = mid;
  }
  const T = (lo + hi) / 2;
  cheCache.set(key, T);
  return T;
}

/**
 * LRU with optional TTL: the hit ratio of gets arriving at `rate` per second with popularity `p`
 * (the key identifies the popularity for memoizing Che's characteristic time).
 */
export function lruHitRatio(p: Float64Array, popularityKey: string, capacity: number, rate: number, ttl: number): number {
  const T = cheTime(p, capacity, `${popularityKey}|${capacity}`);
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const lru = Number.isFinite(T) ? 1 - Math.exp(-p[i] * T) : 1;
    const x = p[i] * rate * ttl;
    const ttlHit = Number.isFinite(ttl) ? x / (1 + x) : 1;
    h += p[i] * Math.min(lru, ttlHit);
  }
  return h;
}

