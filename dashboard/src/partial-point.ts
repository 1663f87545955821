// The interval in progress as a partial series' last point (the worker's peek, protocol.ts
// `inProgress`): kept out of downsampling, so a live chart never averages a part-simulated interval
// with whole ones, and put back as the last point, where the charts mark it (Charts.tsx lastDot).
import type { SeriesResult } from "../../simulator/index.ts";
import { downsample } from "./downsample.ts";

type Tree = number | number[] | undefined | { readonly [k: string]: Tree };

/** Every per-interval array of the series through f, whatever metrics it carries (numbers as they are). */
function mapArrays(x: Tree, y: Tree, f: (a: number[], b: number[]) => number[]): Tree {
  if (Array.isArray(x)) return f(x, y as number[]);
  if (x === undefined || typeof x === "number") return x;
  const yo = y as { readonly [k: string]: Tree };
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mapArrays(v, yo[k], f)]));
}

/** The series without its last point (the interval in progress). */
export function wholeIntervals(s: SeriesResult): SeriesResult {
  return mapArrays(s as unknown as Tree, s as unknown as Tree, (a) => a.slice(0, -1)) as unknown as SeriesResult;
}

/** `head` (the whole intervals, possibly downsampled) with `full`'s last point appended. */
export function withLastOf(head: SeriesResult, full: SeriesResult): SeriesResult {
  return mapArrays(head as unknown as Tree, full as unknown as Tree, (a, b) => [...a, b[b.length - 1]]) as unknown as SeriesResult;
}

const LIVE_POINTS = 150;

/** A partial series as the live charts draw it: half the finished charts' points (they are redrawn
 * every 500 ms while the worker runs, so each redraw stays short), the interval in progress a point
 * of its own, out of the merging. */
export function liveSeries(p: { readonly series: SeriesResult; readonly inProgress: boolean }): SeriesResult {
  return p.inProgress
    ? withLastOf(downsample(wholeIntervals(p.series), LIVE_POINTS - 1).series, p.series)
    : downsample(p.series, LIVE_POINTS).series;
}
