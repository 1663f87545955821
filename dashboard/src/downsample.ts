// Long runs have thousands of intervals; charts draw at most MAX_POINTS per line (Recharts takes
// about 0.1 ms per point and line on this machine, see npm run bench:dashboard, so 300 points keep
// one chart's render near 100 ms). Consecutive intervals are merged by their mean (rates,
// utilizations and queue lengths are time averages, so their mean over merged intervals is exact;
// for latency percentiles it is an average of percentiles, which the chart's subtitle says). A hit
// ratio is merged weighted by its lookups, which makes it exact too.
import type { SimResult } from "../../simulator/index.ts";

export const MAX_POINTS = 300;

type Series = NonNullable<SimResult["series"]>;

function merge(a: number[], k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i += k) {
    let sum = 0, n = 0;
    for (let j = i; j < Math.min(i + k, a.length); j++) if (Number.isFinite(a[j])) { sum += a[j]; n++; }
    out.push(n ? sum / n : NaN);
  }
  return out;
}

/** Ratios merged weighted by their denominators: sum(v w) / sum(w), NaN where no weight. */
function mergeWeighted(v: number[], w: number[], k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length; i += k) {
    let sum = 0, n = 0;
    for (let j = i; j < Math.min(i + k, v.length); j++) if (Number.isFinite(v[j]) && w[j] > 0) { sum += v[j] * w[j]; n += w[j]; }
    out.push(n ? sum / n : NaN);
  }
  return out;
}

/** Every per-interval array of every entry merged (whatever metrics the simulator adds later). */
function mergeAll<T extends Record<string, Record<string, number[]>>>(entries: T, k: number): T {
  return Object.fromEntries(Object.entries(entries).map(([name, metrics]) => [
    name, Object.fromEntries(Object.entries(metrics).map(([m, a]) => [m, Array.isArray(a) ? merge(a, k) : a])),
  ])) as T;
}

/** The series with every k intervals merged so that at most max points remain; k = 1 leaves it as is. */
export function downsample(s: Series, max = MAX_POINTS): { series: Series; factor: number } {
  const k = Math.ceil(s.t.length / max);
  if (k <= 1) return { series: s, factor: 1 };
  const t: number[] = [];
  for (let i = 0; i < s.t.length; i += k) t.push(s.t[Math.min(i + k, s.t.length) - 1]);
  return {
    factor: k,
    series: {
      intervalS: s.intervalS * k,
      t,
      offered: merge(s.offered, k),
      inFlight: merge(s.inFlight, k),
      classes: mergeAll(s.classes, k),
      components: Object.fromEntries(Object.entries(mergeAll(s.components, k)).map(([name, c]) => {
        const raw = s.components[name];
        return [name, raw.hitRatio && raw.lookups ? { ...c, hitRatio: mergeWeighted(raw.hitRatio, raw.lookups, k) } : c];
      })),
      ...(s.costPerHour ? { costPerHour: merge(s.costPerHour, k) } : {}),
    },
  };
}
