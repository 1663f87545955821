// The percentile of a sorted sample, one definition for every reader of measured latencies: k6's
// (linear interpolation between the closest ranks, rank = p/100 x (n - 1)), so the built-in runner,
// the NDJSON reader, the validation window and the benchmarks all report what k6 would. Pure; the
// caller sorts (numerically: a Float64Array's sort() does, an Array's needs (a, b) => a - b).
// An empty sample gives NaN: k6 prints 0 there, and its callers say so where they need it.

/** p in [0, 100] of an ascending sample. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0];
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}
