// A span's own time: its duration minus the time covered by at least one child, i.e. minus the
// length of the union of its children's intervals clipped to its own. Children that run in parallel
// are counted once, and a child that outlives its parent (an async publish) only for the part
// inside. Trades away nothing the model uses; a span whose children cover it entirely owns 0.

/** Length of the union of [start, end) intervals clipped to [lo, hi]. Sorts a copy by start. */
export function unionLength(intervals: ReadonlyArray<readonly [number, number]>, lo: number, hi: number): number {
  const xs = intervals
    .map(([a, b]) => [Math.max(a, lo), Math.min(b, hi)] as const)
    .filter(([a, b]) => b > a)
    .sort((p, q) => p[0] - q[0]);
  let total = 0;
  let curA = -Infinity, curB = -Infinity;
  for (const [a, b] of xs) {
    if (a > curB) {
      if (curB > curA) total += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  if (curB > curA) total += curB - curA;
  return total;
}

/** Own time of a span from start to end whose children cover `children`, in microseconds. */
export function ownTimeMicros(start: number, end: number, children: ReadonlyArray<readonly [number, number]>): number {
  return Math.max(0, end - start - unionLength(children, start, end));
}
