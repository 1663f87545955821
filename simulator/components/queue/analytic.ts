// A queue's analytic form: its workers (or each partition's one consumer) as M/G/c stations fed by
// the publish rate each one gets (times the expected handling attempts, analytic/traffic.ts), with
// the handling time = the service plus the handler's flow; the entry sums over partitions and
// names the busiest as the peak.
import type { QueueComponent } from "../../model/schema.ts";
import { solveStation, type Moments } from "../../analytic/station.ts";

/** The queue's entry among the analytic estimate's components, and whether every partition is stable. */
export function queueAnalytic(c: QueueComponent, name: string, perPartition: Float64Array | undefined, holding: Moments) {
  const servers = c.partitions ? 1 : c.workers;
  let lambda = 0, peak = 0, busy = 0, wait = 0, stable = true;
  const parts: Record<string, { utilization: number; throughput: number }> = {};
  (perPartition ?? new Float64Array(0)).forEach((l, i) => {
    const scv = holding.mean > 0 ? holding.variance / holding.mean ** 2 : 0;
    const sol = solveStation(servers, l, holding.mean, scv);
    stable &&= sol.stable;
    lambda += l; busy += l * holding.mean; peak = Math.max(peak, sol.utilization); wait += l * sol.wait.mean;
    if (c.partitions) parts[`${name}[${i}]`] = { utilization: sol.utilization, throughput: l };
  });
  const units = c.partitions ?? c.workers;
  const entry = {
    kind: c.kind, servers: units, throughput: lambda, utilization: busy / units, peakUtilization: peak,
    waitMs: lambda > 0 ? (wait / lambda) * 1000 : 0, responseMs: lambda > 0 ? (wait / lambda + holding.mean) * 1000 : 0,
    ...(c.partitions ? { parts } : {}),
  };
  return { entry, stable };
}
