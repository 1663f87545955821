// A function's result section: its instances (time-average alive, and the peak), how many
// invocations started cold and their share, the throttled ones, the invocation time with and
// without a cold start, and the GB-seconds billed per second (instances starting or working,
// times memory). The common figures stay: utilization is busy slots over max_instances x
// concurrency, throughput the invocations completed.
import { C_FN_COLD, C_FN_THROTTLED, C_FN_WARM, C_TIMEOUTS } from "../../engine/codes.ts";
import type { Histogram } from "../../engine/histogram.ts";
import { estimate, type Estimate } from "../../engine/stats.ts";
import type { ResultContext } from "../kind.ts";
import type { FunctionStats } from "./runtime.ts";

const QUANTILES: Array<[string, number]> = [["p50", 0.5], ["p90", 0.9], ["p95", 0.95], ["p99", 0.99], ["p999", 0.999]];

/** Milliseconds, as the result's other latencies (result.ts). */
function latencyMs(hists: Histogram[]): Record<string, Estimate> {
  const ms = (f: (h: Histogram) => number) => estimate(hists.map((h) => f(h) * 1000));
  const out: Record<string, Estimate> = { mean: ms((h) => h.mean()), max: ms((h) => (h.count ? h.max : Number.NaN)) };
  for (const [k, q] of QUANTILES) out[k] = ms((h) => h.quantile(q));
  return out;
}

export function functionResult({ reps, component: ci }: ResultContext): Record<string, unknown> {
  const stats = reps.map((rep) => rep.components[ci].function as FunctionStats);
  const count = (i: number) => reps.reduce((a, rep) => a + rep.components[ci].counts[i], 0);
  const cold = count(C_FN_COLD), warm = count(C_FN_WARM);
  return {
    instances: estimate(stats.map((s, k) => s.aliveArea / reps[k].window)),
    function: {
      invocations: cold + warm,
      coldStarts: cold,
      coldStartShare: estimate(reps.map((rep) => {
        const c = rep.components[ci].counts;
        const n = c[C_FN_COLD] + c[C_FN_WARM];
        return n > 0 ? c[C_FN_COLD] / n : Number.NaN;
      })),
      throttled: count(C_FN_THROTTLED),
      timeouts: count(C_TIMEOUTS),
      instances: estimate(stats.map((s, k) => s.aliveArea / reps[k].window)),
      activeInstances: estimate(stats.map((s, k) => s.activeArea / reps[k].window)),
      peakInstances: stats.reduce((m, s) => Math.max(m, s.peak), 0),
      gbSecondsPerSecond: estimate(stats.map((s, k) => (s.activeArea * s.memoryGb) / reps[k].window)),
      coldLatencyMs: latencyMs(stats.map((s) => s.coldLatency)),
      warmLatencyMs: latencyMs(stats.map((s) => s.warmLatency)),
    },
  };
}
