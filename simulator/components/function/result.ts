// A function's result section: its instances (time-average alive, and the peak), how many
// invocations started cold and their share, the throttled ones, the invocation time with and
// without a cold start, and the GB-seconds billed per second (instances starting or working,
// times memory), and the instance starts themselves (how long a start took from its beginning to
// ready, which boot_capacity stretches when many start at once, and how many were starting). The
// common figures stay: utilization is busy slots over max_instances x
// concurrency, throughput the invocations completed.
import { C_FN_COLD, C_FN_THROTTLED, C_FN_WARM, C_TIMEOUTS } from "../../engine/codes.ts";
import { estimate, latencyMs } from "../../engine/stats.ts";
import type { ResultContext } from "../kind.ts";
import type { FunctionStats } from "./runtime.ts";

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
      boots: {
        completed: stats.reduce((a, s) => a + s.bootTime.count, 0),
        timeMs: latencyMs(stats.map((s) => s.bootTime)),
        inProgress: estimate(stats.map((s, k) => s.bootingArea / reps[k].window)),
        peakInProgress: stats.reduce((m, s) => Math.max(m, s.peakBooting), 0),
      },
    },
  };
}
