// `headroom capacity`'s engine: the highest sustainable load of a scenario. The analytic solver
// brackets it; R independent searches (each its own seed) refine it by simulation on the worker
// pool; the mean of their results, with a Student-t 95% interval over them, is the capacity. The
// bottleneck is the simulator's, at the capacity, in most searches.
import type { Scenario } from "../simulator/index.ts";
import { analyticBracket, nominalLoad, loadUnit, type AnalyticBracket, type LoadUnit } from "../simulator/analytic/index.ts";
import type { TaskPool } from "./pool.ts";
import type { SearchOutcome } from "./search.ts";
import type { FunctionFigures } from "./verdict.ts";

export const CAPACITY_SCHEMA = "headroom.capacity/v1";

export interface CapacitySettings {
  /** Independent searches (seeds seed, seed+1, ...). */
  readonly searches: number;
  readonly duration: number;
  readonly warmup: number;
  readonly tolerance: number;
  readonly maxRuns: number;
  readonly seed: number;
}

export interface CapacityResult {
  readonly schema: typeof CAPACITY_SCHEMA;
  readonly scenario: string;
  readonly unit: LoadUnit;
  readonly nominal: number;
  readonly capacity: {
    readonly value: number;
    /** 95% half-width over the searches (Student t), at least the resolution; null with one search. */
    readonly ci95: number | null;
    /** Mean width of the searches' final brackets (highest pass to lowest failure). */
    readonly resolution: number;
    readonly perSearch: number[];
  };
  /** capacity / nominal: above 1, the scenario's load has room to grow. */
  readonly headroom: number;
  readonly analytic: AnalyticBracket;
  readonly bottleneck: string | null;
  /** What fails first above the capacity (most frequent over searches). */
  readonly limitedBy: string | null;
  /** Connections held (time average) per realtime component at the capacity, mean over the searches; absent without one. */
  readonly connectionsAtCapacity?: Record<string, number>;
  /**
   * Per serverless function at the capacity, mean over the searches: the invocations it runs per
   * second (carried, throttles excluded) and the share throttled; absent without a function.
   */
  readonly invocationsAtCapacity?: Record<string, FunctionFigures>;
  /** Simulated p95/p99 (ms) per class at the capacity, first search. */
  readonly atCapacity: Record<string, { p95: number; p99: number }> | null;
  readonly runs: number;
  readonly settings: CapacitySettings;
}

export async function findCapacity(s: Scenario, settings: CapacitySettings, pool: TaskPool): Promise<CapacityResult> {
  const bracket = analyticBracket(s);
  const nominal = nominalLoad(s);
  const guess = bracket.slo > 0 ? bracket.slo : Math.max(bracket.saturation, nominal) / 2;
  const lo = guess * 0.8;
  const hi = bracket.saturation > 0 ? Math.min(guess * 1.15, Math.max(bracket.saturation * 1.02, guess * 1.02)) : guess * 1.15;
  const tasks = Array.from({ length: settings.searches }, (_, i) => ({
    kind: "search" as const,
    spec: { scenario: s, seed: settings.seed + i, lo, hi, duration: settings.duration, warmup: settings.warmup, tolerance: settings.tolerance, maxRuns: settings.maxRuns },
  }));
  const outcomes = await Promise.all(tasks.map((t) => pool.run(t)));
  const values = outcomes.map((o) => o.capacity);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  // Searches often end on the same bisection point: the spread over them then says nothing, and
  // the width of the final brackets (the search's resolution) bounds the uncertainty instead.
  const widths = outcomes.map((o) => (Number.isFinite(o.firstFailure) ? o.firstFailure - o.capacity : 0));
  const resolution = widths.reduce((a, b) => a + b, 0) / widths.length;
  const spread = halfWidth(values);
  return {
    schema: CAPACITY_SCHEMA,
    scenario: s.name,
    unit: loadUnit(s),
    nominal,
    capacity: { value: mean, ci95: spread === null ? null : Math.max(spread, resolution), resolution, perSearch: values },
    headroom: nominal > 0 ? mean / nominal : Infinity,
    analytic: bracket,
    bottleneck: mode(outcomes.map((o) => o.atCapacity?.bottleneck ?? null)),
    limitedBy: mode(outcomes.map((o) => o.aboveCapacity?.failed?.replace(/ [\d.e+-]+ > [\d.e+-]+$/, "") ?? null)),
    atCapacity: outcomes[0].atCapacity ? Object.fromEntries(Object.entries(outcomes[0].atCapacity.latencyMs).map(([k, v]) => [k, { p95: v.p95, p99: v.p99 }])) : null,
    runs: outcomes.reduce((a, o: SearchOutcome) => a + o.runs, 0),
    settings,
    ...connectionsAt(outcomes),
    ...invocationsAt(outcomes),
  };
}

// Two-sided 97.5% Student t quantiles for 1..30 degrees of freedom.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function halfWidth(xs: number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1));
  return (T975[n - 2] ?? 1.96) * sd / Math.sqrt(n);
}

function mode<T>(xs: T[]): T | null {
  const counts = new Map<T, number>();
  for (const x of xs) if (x !== null) counts.set(x, (counts.get(x) ?? 0) + 1);
  let best: T | null = null, n = 0;
  for (const [x, c] of counts) if (c > n) { best = x; n = c; }
  return best;
}

/** The realtime components' connections held at each search's capacity, averaged ({} without any). */
function connectionsAt(outcomes: readonly SearchOutcome[]): { connectionsAtCapacity?: Record<string, number> } {
  const held = outcomes.map((o) => o.atCapacity?.connections).filter((c): c is Record<string, number> => c !== undefined);
  if (held.length === 0) return {};
  const names = Object.keys(held[0]);
  return { connectionsAtCapacity: Object.fromEntries(names.map((n) => [n, held.reduce((a, c) => a + (c[n] ?? 0), 0) / held.length])) };
}

/** The functions' invocations at each search's capacity, averaged ({} without any). */
function invocationsAt(outcomes: readonly SearchOutcome[]): { invocationsAtCapacity?: Record<string, FunctionFigures> } {
  const at = outcomes.map((o) => o.atCapacity?.invocations).filter((c): c is Record<string, FunctionFigures> => c !== undefined);
  if (at.length === 0) return {};
  const mean = (n: string, k: keyof FunctionFigures) => at.reduce((a, c) => a + (c[n]?.[k] ?? 0), 0) / at.length;
  return { invocationsAtCapacity: Object.fromEntries(Object.keys(at[0]).map((n) => [n, { perSecond: mean(n, "perSecond"), throttled: mean(n, "throttled") }])) };
}
