// A run made replication by replication: for paired comparisons (ab-compare.ts) each replication's
// own result beside the run's, and for the charts every replication's series (their 95% bands,
// bands.ts) and replication 0's intervals while they are simulated (streamed to the page). The
// run's result is what simulate() returns for the same options (combineReplications; series only
// observe, so recording them in every replication changes no other figure).
import { combineReplications, runWindow, simulateReplication, type ReplicationResult, type Scenario, type SeriesResult, type SimResult, type SimulateOptions } from "../../simulator/index.ts";

type Options = Omit<SimulateOptions, "onProgress" | "hops">;

export function runByReplication(scenario: Scenario, o: Options, onReplication?: (done: number, of: number) => void): { result: SimResult; replications: SimResult[] } {
  const n = o.replications ?? scenario.simulation.replications;
  const reps: ReplicationResult[] = [];
  for (let r = 0; r < n; r++) {
    reps.push(simulateReplication(scenario, o, r));
    onReplication?.(r + 1, n);
  }
  return {
    result: combineReplications(scenario, o, reps),
    replications: reps.map((rep) => ({ ...combineReplications(scenario, { ...o, replications: 1 }, [rep]), series: null })),
  };
}

export interface SeriesRunHooks {
  /** Share of the whole run done. */
  readonly onProgress?: (fraction: number) => void;
  /** Replication 0's series so far, offered about every `everyMs` (500 by default), and its first
   * two intervals at once: one point draws no line, two draw the first chart. With `peekEveryMs`,
   * also the interval in progress as the last point (`inProgress`), about that often. */
  readonly onPartial?: (series: SeriesResult, inProgress: boolean) => void;
  readonly everyMs?: number;
  /** Offer the interval in progress (the simulator's peek) this often while replication 0 runs,
   * the first as soon as it has a completed request: a first chart long before a 10 s interval of a
   * big model ends. Off when absent. */
  readonly peekEveryMs?: number;
  /** Wall clock for the throttle (performance.now in the worker). */
  readonly now?: () => number;
}

/** Some class has a latency at the series' last point (a request completed in it). */
const hasLatency = (s: SeriesResult): boolean => Object.values(s.classes).some((c) => Number.isFinite(c.p50Ms[c.p50Ms.length - 1]));

/**
 * The run with every replication's series (in the result's form, each alone) beside its result,
 * and replication 0's intervals offered to onPartial while it runs.
 */
export function runWithSeries(scenario: Scenario, o: Options & { readonly hops?: boolean }, hooks: SeriesRunHooks = {}): { result: SimResult; replicationSeries: SeriesResult[] } {
  return combineSeries(scenario, o, runSeriesReplications(scenario, o, hooks, runWindow(scenario, o).replications));
}

/**
 * Replications 0..count-1 of that run, here, with their series (replication 0's intervals offered
 * to onPartial while it runs; progress is the share of these `count` done). The others can be
 * made elsewhere (seriesReplication, another worker): each draws from its own random streams, so
 * combineSeries gives the same bytes wherever each ran.
 */
export function runSeriesReplications(scenario: Scenario, o: Options & { readonly hops?: boolean }, hooks: SeriesRunHooks, count: number): ReplicationResult[] {
  const n = runWindow(scenario, o).replications;
  const every = hooks.everyMs ?? 500;
  const peekEvery = hooks.peekEveryMs;
  const now = hooks.now ?? (() => Date.now());
  let last = -Infinity;
  const reps: ReplicationResult[] = [];
  for (let r = 0; r < count; r++) {
    const onIntervals = r === 0 && hooks.onPartial
      ? (recorded: number, snapshot: () => SeriesResult) => {
          const t = now();
          if (recorded > 2 && t - last < every) return;
          last = t;
          hooks.onPartial!(snapshot(), false);
        }
      : undefined;
    const onPeek = r === 0 && hooks.onPartial && peekEvery !== undefined
      ? (snapshot: () => SeriesResult) => {
          const t = now();
          if (t - last < peekEvery) return;
          const s = snapshot();
          if (!hasLatency(s)) return; // nothing to draw yet: try again at the next peek
          last = t;
          hooks.onPartial!(s, true);
        }
      : undefined;
    reps.push(simulateReplication(scenario, {
      ...o, series: true,
      ...(hooks.onProgress ? { onProgress: (f: number) => { hooks.onProgress!((r + f) / count); } } : {}),
      ...(onIntervals ? { onIntervals } : {}),
      ...(onPeek ? { onPeek } : {}),
    }, r));
    // replication 0 whole (the throttle may have held its last intervals back)
    if (r === 0 && hooks.onPartial && n > 1) hooks.onPartial(combineReplications(scenario, { ...o, replications: 1 }, [reps[0]]).series!, false);
    hooks.onProgress?.((r + 1) / count);
  }
  return reps;
}

/** Replication `r` of that run alone, as runSeriesReplications makes it (for another worker). */
export function seriesReplication(scenario: Scenario, o: Options & { readonly hops?: boolean }, r: number): ReplicationResult {
  return simulateReplication(scenario, { ...o, series: true }, r);
}

/** The run's result and each replication's series, from all its replications in order. */
export function combineSeries(scenario: Scenario, o: Options & { readonly hops?: boolean }, reps: ReplicationResult[]): { result: SimResult; replicationSeries: SeriesResult[] } {
  return {
    result: combineReplications(scenario, o, reps),
    replicationSeries: reps.map((rep) => combineReplications(scenario, { ...o, replications: 1 }, [rep]).series!),
  };
}
