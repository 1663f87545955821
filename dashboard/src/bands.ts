// 95% confidence bands over the time series. A run's replications each record their series (the
// worker asks simulateReplication for every one's; series only observe, so the run's figures are
// unchanged), and at every interval the charts then draw the mean over the replications with the
// 95% confidence interval of that mean: Student's t (the simulator's tQuantile975, the same as
// every ± of the results) x the replications' standard deviation / sqrt(n), over the replications
// with a value there (a latency percentile is NaN in an interval without completions). With fewer
// than two values there is no interval (NaN: no band). Pure data; the series keep their shape, so
// downsample() applies to each replication before (the same buckets for all).
// Trade-off: the line is the mean, not one replication's path, so a single replication's spikes are
// smoothed; the band says how far the mean may be from the model's expected path at that time.
import { tQuantile975, type SimResult } from "../../simulator/index.ts";

type Series = NonNullable<SimResult["series"]>;

export interface SeriesBands {
  /** Replications behind each band. */
  readonly n: number;
  /** The mean over replications, shaped like a series (what the charts draw as the line). */
  readonly mean: Series;
  /** The 95% half-width per interval, shaped like a series (NaN: fewer than two values). */
  readonly half: Series;
}

/** Mean and 95% half-width at each index over the arrays (finite values only). */
export function meanAndHalf(arrays: ReadonlyArray<ReadonlyArray<number>>): { mean: number[]; half: number[] } {
  const len = Math.min(...arrays.map((a) => a.length));
  const mean: number[] = [], half: number[] = [];
  for (let i = 0; i < len; i++) {
    let n = 0, sum = 0;
    for (const a of arrays) if (Number.isFinite(a[i])) { n++; sum += a[i]; }
    const m = n > 0 ? sum / n : NaN;
    let ss = 0;
    for (const a of arrays) if (Number.isFinite(a[i])) ss += (a[i] - m) ** 2;
    mean.push(m);
    half.push(n >= 2 ? tQuantile975(n - 1) * Math.sqrt(ss / (n - 1) / n) : NaN);
  }
  return { mean, half };
}

/** Per named entry (a class, a component), every metric array combined across the replications. */
function combineEntries(entries: ReadonlyArray<Record<string, Record<string, number[] | undefined>>>, pick: "mean" | "half", cache: Map<string, { mean: number[]; half: number[] }>, prefix: string) {
  const out: Record<string, Record<string, number[]>> = {};
  for (const [name, metrics] of Object.entries(entries[0])) {
    const m: Record<string, number[]> = {};
    for (const [metric, a] of Object.entries(metrics)) {
      if (!Array.isArray(a)) continue;
      const key = `${prefix}\u0000${name}\u0000${metric}`;
      let r = cache.get(key);
      if (!r) {
        r = meanAndHalf(entries.map((e) => e[name]?.[metric] ?? []));
        cache.set(key, r);
      }
      m[metric] = r[pick];
    }
    out[name] = m;
  }
  return out;
}

/**
 * The bands of a run's replications' series (each already downsampled alike), or null with fewer
 * than two replications or series of different lengths (not the same run).
 */
export function seriesBands(reps: ReadonlyArray<Series>): SeriesBands | null {
  if (reps.length < 2 || reps.some((s) => s.t.length !== reps[0].t.length)) return null;
  const cache = new Map<string, { mean: number[]; half: number[] }>();
  const top = (f: (s: Series) => number[] | undefined) => meanAndHalf(reps.map((s) => f(s) ?? []));
  const offered = top((s) => s.offered), inFlight = top((s) => s.inFlight);
  const cost = reps[0].costPerHour ? top((s) => s.costPerHour) : undefined;
  const build = (pick: "mean" | "half"): Series => ({
    intervalS: reps[0].intervalS,
    t: reps[0].t,
    offered: offered[pick],
    inFlight: inFlight[pick],
    classes: combineEntries(reps.map((s) => s.classes), pick, cache, "c") as Series["classes"],
    components: combineEntries(reps.map((s) => s.components), pick, cache, "k") as Series["components"],
    ...(cost ? { costPerHour: cost[pick] } : {}),
  });
  return { n: reps.length, mean: build("mean"), half: build("half") };
}

export { bandOf } from "./band-of.ts";
