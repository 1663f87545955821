// The pure half of the cache-loss validation (validation/cache-loss-validate.ts): hit ratio per
// interval from the collector's cumulative Redis counters and from the simulator's series, the
// hit ratio before and just after the loss, the recovery time, and the rows against
// docs/validation.md's targets, each a mean over the run's losses. Recovery is read on a trailing mean of `smooth` intervals, on
// both sides alike: one interval of ~100 lookups swings by several points, and a single lucky
// interval must not count as recovered. Kept apart so its tests load no launcher or simulator.
import type { Row } from "./dynamics-series.ts";

/** Hit ratio per interval: [end of the interval in s from the load start, hits / lookups or null]. */
export type RatioSeries = Array<[number, number | null]>;

/**
 * From collector samples (Date.now() and cumulative hits/misses), aligned to the load start. A
 * restarted Redis (the cache-loss fault) starts its counters at zero: an interval whose counters
 * went down counts from zero, i.e. only the lookups since the restart (those between the last
 * sample and the restart were counted by the process that died).
 */
export function measuredRatios(samples: ReadonlyArray<{ t: number; hits: number; misses: number }>, loadStartMs: number): RatioSeries {
  const out: RatioSeries = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!, b = samples[i]!;
    const reset = b.hits < a.hits || b.misses < a.misses;
    const dh = reset ? b.hits : b.hits - a.hits, dm = reset ? b.misses : b.misses - a.misses;
    out.push([(b.t - loadStartMs) / 1000, dh + dm > 0 ? dh / (dh + dm) : null]);
  }
  return out;
}

/** From several simulated runs' series (interval ends, hit ratio, lookups/s): lookup-weighted mean per interval. */
export function predictedRatios(t: readonly number[], runs: ReadonlyArray<{ hitRatio: readonly number[]; lookups: readonly number[] }>): RatioSeries {
  return t.map((ti, i) => {
    let hits = 0, lookups = 0;
    for (const r of runs) { const n = r.lookups[i] ?? 0; lookups += n; hits += n * (r.hitRatio[i] ?? 0); }
    return [ti, lookups > 0 ? hits / lookups : null];
  });
}

/** Mean of the intervals ending in (from, to]. */
export function meanRatio(s: RatioSeries, from: number, to: number): number {
  const xs = s.filter(([t, r]) => t > from && t <= to && r !== null).map(([, r]) => r!);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Seconds from `at` until the trailing mean of `smooth` intervals first reaches `frac` x steady; NaN if never. */
export function recoveryTime(s: RatioSeries, at: number, steady: number, smooth = 5, frac = 0.9): number {
  const after = s.filter(([t, r]) => t > at && r !== null) as Array<[number, number]>;
  for (let i = smooth - 1; i < after.length; i++) {
    let sum = 0;
    for (let k = i - smooth + 1; k <= i; k++) sum += after[k]![1];
    if (sum / smooth >= frac * steady) return after[i]![0] - at;
  }
  return NaN;
}

export interface CacheLossSide { before: number; after: number; recovery: number }

/**
 * Means over the losses at `ats`: the hit ratio in the `steadyS` seconds before each (after the
 * warm-up), in the `afterS` seconds after it, and its recovery time against its own before.
 */
export function cacheLossSide(s: RatioSeries, warmup: number, ats: readonly number[], afterS = 5, steadyS = 10): CacheLossSide {
  const each = ats.map((at) => {
    const before = meanRatio(s, Math.max(warmup, at - steadyS), at);
    return { before, after: meanRatio(s, at, at + afterS), recovery: recoveryTime(s, at, before) };
  });
  const mean = (f: (x: CacheLossSide) => number) => each.reduce((a, x) => a + f(x), 0) / each.length;
  return { before: mean((x) => x.before), after: mean((x) => x.after), recovery: mean((x) => x.recovery) };
}

export function cacheLossRows(p: CacheLossSide, m: CacheLossSide): Row[] {
  const rel = (a: number, b: number) => (b - a) / a;
  return [
    { name: "hit ratio before the loss", predicted: p.before, measured: m.before, target: "within 3 points", pass: Math.abs(m.before - p.before) <= 0.03 },
    { name: "hit ratio in the 5 s after the loss", predicted: p.after, measured: m.after, target: "within 5 points", pass: Math.abs(m.after - p.after) <= 0.05 },
    { name: "recovery time (s): 5-s trailing mean back to 90% of before", predicted: p.recovery, measured: m.recovery, target: "within 20%", pass: Number.isFinite(p.recovery) && Number.isFinite(m.recovery) && Math.abs(rel(p.recovery, m.recovery)) <= 0.2 },
  ];
}
