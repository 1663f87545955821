// The consistent-hash ring of a consistent_hash balancer, built once at compile time. Each backend
// (by its index in the pool, so a replica keeps its points whether or not it is up) owns points on
// a 32-bit ring in proportion to its weight: 160 per unit of mean weight, ketama's count per server
// (libmemcached), where HAProxy's `hash-type consistent` uses weight x 16. A key goes to the owner
// of the first point at or after the key's hash, walking on clockwise past backends that are down
// or full, so a backend that fails loses only its own keys and they spread over the others.
import { hashString } from "./rng.ts";

export const POINTS_PER_WEIGHT = 160;

export class HashRing {
  /** Point positions, ascending. */
  readonly points: Uint32Array;
  /** Backend owning each point. */
  readonly owner: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += weights[k];
    const mean = sum / n;
    const pts: Array<[number, number]> = [];
    for (let k = 0; k < n; k++) {
      const m = Math.max(1, Math.round((POINTS_PER_WEIGHT * weights[k]) / mean));
      for (let j = 0; j < m; j++) pts.push([hashString(`backend ${k} point ${j}`) >>> 0, k]);
    }
    pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(pts, (x) => x[0]);
    this.owner = Int32Array.from(pts, (x) => x[1]);
  }

  /** Index of the first point at or after hash h (an unsigned 32-bit value), wrapping to 0. */
  first(h: number): number {
    const pts = this.points;
    let lo = 0, hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pts[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === pts.length ? 0 : lo;
  }
}
