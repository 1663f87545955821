// The key space of a request class from the keys its traced requests asked for: how many keys there
// are and how skewed their popularity is (Zipf s; 0 is uniform), which the cache's hit ratio
// depends on and the spans do not state. Method of moments on two statistics of the sample that
// the model (keys: { count: N, popularity: zipf, s }) fixes: the number of distinct keys seen,
// E[D] = Σ_i 1 - (1 - p_i)^n, and the chance that two requests ask for the same key, Σ_i p_i²,
// estimated without bias by Σ_k f_k (f_k - 1) / (n (n - 1)). For a given s, N is the one whose
// E[D] is the distinct count seen; then s is the one whose Σ p_i² is the collision estimate. Both
// are monotone, so two nested bisections find them. A sample where nearly every key is new says
// little about N: the search stops at MAX_SUPPORT_FACTOR x the distinct count and says so.
import { KeySampler } from "../simulator/random.ts";

export interface KeyEstimate {
  /** Requests whose key was read. */
  readonly samples: number;
  readonly distinct: number;
  /** Estimated number of keys (at least `distinct`). */
  readonly count: number;
  /** Zipf exponent; 0 = uniform. */
  readonly s: number;
  /** The count hit the search's upper bound: the sample is too thin to tell how many keys there are (count is a lower bound). */
  readonly countIsLowerBound: boolean;
}

/** Fewer requests than this on a class: no estimate (the two statistics are noise). */
export const MIN_KEY_SAMPLES = 200;
/** The key count is searched up to this multiple of the distinct keys seen. */
export const MAX_SUPPORT_FACTOR = 20;
const MAX_S = 3;

function probabilities(n: number, s: number): Float64Array {
  return s === 0 ? new Float64Array(n).fill(1 / n) : KeySampler.probabilities(n, s);
}

/** Expected distinct keys in `draws` requests over popularity p. */
function expectedDistinct(p: Float64Array, draws: number): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) d += -Math.expm1(draws * Math.log1p(-p[i]));
  return d;
}

function collision(p: Float64Array): number {
  let c = 0;
  for (let i = 0; i < p.length; i++) c += p[i] * p[i];
  return c;
}

/** The key count N (distinct..cap) whose expected distinct keys in n draws is `distinct`, at exponent s. */
function supportFor(s: number, n: number, distinct: number, cap: number): number {
  if (expectedDistinct(probabilities(cap, s), n) <= distinct) return cap;
  let lo = distinct, hi = cap;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (expectedDistinct(probabilities(mid, s), n) < distinct) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The key space from per-key request counts (one entry per distinct key seen). Undefined below
 * MIN_KEY_SAMPLES requests.
 */
export function estimateKeys(counts: Iterable<number>): KeyEstimate | undefined {
  let n = 0, distinct = 0, pairs = 0;
  for (const f of counts) {
    if (!(f > 0)) continue;
    n += f;
    distinct++;
    pairs += f * (f - 1);
  }
  if (n < MIN_KEY_SAMPLES) return undefined;
  const c = pairs / (n * (n - 1));
  const cap = Math.max(distinct, MAX_SUPPORT_FACTOR * distinct);
  const at = (s: number) => {
    const N = supportFor(s, n, distinct, cap);
    return { N, c: collision(probabilities(N, s)) };
  };
  // less concentrated than uniform over the keys it needs: uniform
  let best = at(0);
  let s = 0;
  if (c > best.c) {
    let lo = 0, hi = MAX_S;
    for (let i = 0; i < 30 && hi - lo > 1e-3; i++) {
      const mid = (lo + hi) / 2;
      const x = at(mid);
      if (x.c < c) lo = mid;
      else hi = mid;
    }
    s = Math.round(((lo + hi) / 2) * 100) / 100;
    best = at(s);
  }
  return { samples: n, distinct, count: best.N, s, countIsLowerBound: best.N >= cap };
}

/**
 * The LRU capacity (in keys) whose steady-state hit ratio under this popularity is `hitRatio`
 * (Che's approximation, the simulator's analytic form): the smallest capacity that reaches it.
 */
export function capacityFor(k: KeyEstimate, hitRatio: number, hit: (p: Float64Array, key: string, capacity: number) => number): number {
  const p = probabilities(k.count, k.s);
  const key = `${k.count}|${k.s}`;
  if (hitRatio <= 0) return 1;
  let lo = 1, hi = k.count;
  if (hit(p, key, hi) <= hitRatio) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (hit(p, key, mid) < hitRatio) lo = mid;
    else hi = mid;
  }
  return hi;
}
