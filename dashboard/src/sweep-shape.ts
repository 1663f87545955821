// What the sweep view draws, computed apart from React so it can be tested on its own: the figures
// a point is judged by (worst-class p95 and p99, cost, headroom, errors), the heatmap grid of two
// varied parameters (the others, if any, fixed at the values of the cheapest passing point), the
// cheapest point meeting the SLO at each load level when the load is one of the parameters, and
// the series of the small multiples (one parameter against each figure).
import type { SweepPoint, SweepResult } from "./sweep-file.ts";

export type Figure = "p95" | "p99" | "cost" | "headroom" | "errorRate";
export const FIGURES: ReadonlyArray<{ id: Figure; label: string; unit: string }> = [
  { id: "p95", label: "p95 (worst class)", unit: "ms" },
  { id: "p99", label: "p99 (worst class)", unit: "ms" },
  { id: "cost", label: "cost", unit: "" },
  { id: "headroom", label: "headroom", unit: "x" },
  { id: "errorRate", label: "errors", unit: "%" },
];

/** The value of a figure at a point (NaN where it has none, e.g. a headroom the analytic model lacks). */
export function figure(p: SweepPoint, f: Figure): number {
  switch (f) {
    case "p95":
    case "p99": {
      let worst = NaN;
      for (const l of Object.values(p.latencyMs)) if (!(l[f] <= worst)) worst = l[f];
      return worst;
    }
    case "cost":
      return p.cost;
    case "headroom":
      return p.analyticHeadroom;
    case "errorRate":
      return p.errorRate;
  }
}

const LOAD_PATHS = new Set(["load.rate", "load.users", "load.start_rate"]);
/** The varied parameter that is the offered load, if any (rate or users). */
export function loadParameter(s: SweepResult): string | null {
  return s.parameters.find((p) => LOAD_PATHS.has(p.path) || /^load\.stages\.\d+\.target$/.test(p.path))?.path ?? null;
}

/**
 * At each value of the load parameter, the cheapest point meeting the SLO (ties: the first): the
 * answer to "what must I pay at this load", which the single cheapest point (usually at the lowest
 * load) does not give. Empty when the load is not varied.
 */
export function cheapestPerLoad(s: SweepResult): Map<number, SweepPoint | null> {
  const lp = loadParameter(s);
  const out = new Map<number, SweepPoint | null>();
  if (!lp) return out;
  for (const p of s.points) {
    const v = p.values[lp];
    const cur = out.get(v);
    if (!out.has(v)) out.set(v, null);
    if (p.pass && (cur == null || p.cost < cur.cost)) out.set(v, p);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

export interface HeatCell {
  readonly x: number;
  readonly y: number;
  readonly point: SweepPoint | null;
}

export interface Heatmap {
  readonly xPath: string;
  readonly yPath: string;
  readonly xs: number[];
  readonly ys: number[];
  /** row-major: cells[yi * xs.length + xi] */
  readonly cells: HeatCell[];
  /** the values the other parameters are held at (a sweep of more than two) */
  readonly fixed: Record<string, number>;
}

const uniq = (v: number[]) => [...new Set(v)].sort((a, b) => a - b);

/**
 * The grid of two parameters (x: the load when it is varied, else the first; y: the other), for a
 * grid design. With more than two parameters the rest are fixed at the values of `anchor` (the
 * cheapest passing point, else the first). Null for a Latin hypercube or a single parameter: those
 * have no grid to fill.
 */
export function heatmap(s: SweepResult, xPath?: string, yPath?: string, anchor?: SweepPoint): Heatmap | null {
  if (s.design !== "grid" || s.parameters.length < 2 || s.points.length === 0) return null;
  const paths = s.parameters.map((p) => p.path);
  const lp = loadParameter(s);
  const x = xPath ?? lp ?? paths[0];
  const y = yPath ?? paths.find((p) => p !== x)!;
  const at = anchor ?? (s.cheapestPassing !== null ? s.points[s.cheapestPassing] : s.points[0]);
  const fixed: Record<string, number> = {};
  for (const p of paths) if (p !== x && p !== y) fixed[p] = at.values[p];
  const inSlice = s.points.filter((p) => Object.entries(fixed).every(([k, v]) => p.values[k] === v));
  const xs = uniq(inSlice.map((p) => p.values[x]));
  const ys = uniq(inSlice.map((p) => p.values[y]));
  const byKey = new Map(inSlice.map((p) => [`${p.values[x]}|${p.values[y]}`, p]));
  const cells: HeatCell[] = [];
  for (const yv of ys) for (const xv of xs) cells.push({ x: xv, y: yv, point: byKey.get(`${xv}|${yv}`) ?? null });
  return { xPath: x, yPath: y, xs, ys, cells, fixed };
}

/**
 * A color for a figure's value on a scale from the best to the worst value shown: green (good) to
 * red (bad). Latencies are placed on a log scale (a saturated point is 100x the others); headroom is
 * better high, the others better low. Grey for a missing value.
 */
export function heatColor(f: Figure, v: number, lo: number, hi: number): string {
  if (!Number.isFinite(v) || !Number.isFinite(lo) || !Number.isFinite(hi)) return "#30363d";
  const log = f === "p95" || f === "p99";
  const t0 = log ? (Math.log(Math.max(v, 1e-9)) - Math.log(Math.max(lo, 1e-9))) / (Math.log(Math.max(hi, 1e-9)) - Math.log(Math.max(lo, 1e-9)) || 1) : (v - lo) / (hi - lo || 1);
  const t = Math.min(1, Math.max(0, f === "headroom" ? 1 - t0 : t0));
  // green #2ea043 -> amber #d29922 -> red #da3633
  const mix = (a: number[], b: number[], u: number) => a.map((c, i) => Math.round(c + (b[i] - c) * u));
  const rgb = t < 0.5 ? mix([46, 160, 67], [210, 153, 34], t * 2) : mix([210, 153, 34], [218, 54, 51], (t - 0.5) * 2);
  return `rgb(${rgb.join(",")})`;
}

/** The finite extent of a figure over points (NaN, NaN when none is finite). */
export function extent(points: ReadonlyArray<SweepPoint | null>, f: Figure): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const p of points) {
    if (!p) continue;
    const v = figure(p, f);
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

/** The small multiples' data: for parameter `path`, each point as {x, value, pass} per figure (errors in %). */
export function multiples(s: SweepResult, path: string): Record<Figure, Array<{ x: number; value: number | null; pass: boolean; index: number }>> {
  const out = {} as Record<Figure, Array<{ x: number; value: number | null; pass: boolean; index: number }>>;
  for (const { id } of FIGURES) {
    out[id] = s.points
      // errors are plotted in percent, as their axis says
      .map((p) => ({ x: p.values[path], value: Number.isFinite(figure(p, id)) ? figure(p, id) * (id === "errorRate" ? 100 : 1) : null, pass: p.pass, index: p.index }))
      .sort((a, b) => a.x - b.x || a.index - b.index);
  }
  return out;
}
