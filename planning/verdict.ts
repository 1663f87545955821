// Whether one simulated run at a load level is sustainable: the scenario's SLO holds (every latency
// limit on every class, the error rate), and no queue's workers are saturated (a backlog that only
// grows can meet a latency SLO for a while; it is not a capacity). Also compacts a result for the
// trip back from a worker thread.
import type { SimResult, SloCheck } from "../simulator/index.ts";

/** Worker utilization above which a queue is treated as falling behind. */
export const QUEUE_SATURATED = 0.97;

export interface RunSummary {
  readonly level: number;
  readonly pass: boolean;
  /** The first failing check, e.g. "p99_ms of get_product 312 > 250", or null. */
  readonly failed: string | null;
  readonly bottleneck: string | null;
  readonly latencyMs: Record<string, { p95: number; p99: number; mean: number }>;
  readonly errorRate: number;
  readonly costPerHour: number | null;
  readonly throughput: number;
}

export function summarize(level: number, r: SimResult): RunSummary {
  const queues: Record<string, number> = {};
  for (const [name, c] of Object.entries(r.components)) if (c.kind === "queue") queues[name] = busiestWorkers(name, c);
  const failed = firstFailure(r.slo?.checks ?? [], queues);
  const latencyMs: RunSummary["latencyMs"] = {};
  let ended = 0, bad = 0, throughput = 0;
  for (const [n, c] of Object.entries(r.classes)) {
    latencyMs[n] = { p95: c.latencyMs.p95.mean, p99: c.latencyMs.p99.mean, mean: c.latencyMs.mean.mean };
    ended += c.counts.completed + c.counts.dropped + c.counts.failed;
    bad += c.counts.dropped + c.counts.failed;
    throughput += c.throughput.mean;
  }
  return {
    level, pass: failed === null, failed, bottleneck: r.bottleneck, latencyMs,
    errorRate: ended > 0 ? bad / ended : 0, costPerHour: r.cost?.perHour ?? null, throughput,
  };
}

/**
 * A queue's worker utilization for the saturation rule: a partitioned queue's busiest partition
 * (its parts `Q[i]`), since one hot partition falls behind while the average looks idle
 * (partitioned-queue: partitions 75%, 38%, 38%, 46% busy, average 49%, at 80/s).
 */
function busiestWorkers(name: string, c: SimResult["components"][string]): number {
  let u = c.utilization.mean;
  for (const [part, p] of Object.entries(c.parts ?? {})) if (part.startsWith(`${name}[`)) u = Math.max(u, p.utilization.mean);
  return u;
}

/**
 * The rule itself, on figures from anywhere (a simulation here, a measurement of the reference app
 * in validation/knee-search.ts): the first failing SLO check (simulator/result.ts sloChecks), else
 * the first queue whose workers are busier than QUEUE_SATURATED; null when the level is sustainable.
 */
export function firstFailure(checks: readonly SloCheck[], queueUtilization: Readonly<Record<string, number>>): string | null {
  for (const c of checks) {
    if (!c.pass) return `${c.metric}${c.class ? ` of ${c.class}` : ""} ${fmt(c.value)} > ${fmt(c.limit)}`;
  }
  for (const [name, u] of Object.entries(queueUtilization)) {
    if (u > QUEUE_SATURATED) return `queue ${name} saturated (workers ${fmt(u * 100)}% busy)`;
  }
  return null;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
