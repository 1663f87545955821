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
   * two intervals at once: one point draws no line, two draw the first chart. */
  readonly onPartial?: (series: SeriesResult) => void;
  readonly everyMs?: number;
  /** Wall clock for the throttle (performance.now in the worker). */
  readonly now?: () => number;
}

/**
 * The run with every replication's series (in the result's form, each alone) beside its result,
 * and replication 0's intervals offered to onPartial while it runs.
 */
export function runWithSeries(scenario: Scenario, o: Options & { readonly hops?: boolean }, hooks: SeriesRunHooks = {}): { result: SimResult; replicationSeries: SeriesResult[] } {
  const w = runWindow(scenario, o);
  const n = w.replications;
  const every = hooks.everyMs ?? 500;
  const now = hooks.now ?? (() => Date.now());
  let last = -Infinity;
  const reps: ReplicationResult[] = [];
  for (let r = 0; r < n; r++) {
    const onIntervals = r === 0 && hooks.onPartial
      ? (recorded: number, snapshot: () => SeriesResult) => {
          const t = now();
          if (recorded > 2 && t - last < every) return;
          last = t;
          hooks.onPartial!(snapshot());
        }
      : undefined;
    reps.push(simulateReplication(scenario, {
      ...o, series: true,
      ...(hooks.onProgress ? { onProgress: (f: number) => { hooks.onProgress!((r + f) / n); } } : {}),
      ...(onIntervals ? { onIntervals } : {}),
    }, r));
    // replication 0 whole (the throttle may have held its last intervals back)
    if (r === 0 && hooks.onPartial && n > 1) hooks.onPartial(combineReplications(scenario, { ...o, replications: 1 }, [reps[0]]).series!);
    hooks.onProgress?.((r + 1) / n);
  }
  return {
    result: combineReplications(scenario, o, reps),
    replicationSeries: reps.map((rep) => combineReplications(scenario, { ...o, replications: 1 }, [rep]).series!),
  };
}
