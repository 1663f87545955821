// Whether one simulated run at a load level is sustainable: the scenario's SLO holds (every latency
// limit on every class, the error rate), and no queue's workers are saturated (a backlog that only
// grows can meet a latency SLO for a while; it is not a capacity). Also compacts a result for the
// trip back from a worker thread.
import type { SimResult } from "../../simulator/index.ts";

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
  let failed: string | null = null;
  for (const c of r.slo?.checks ?? []) {
    if (!c.pass) { failed = `${c.metric}${c.class ? ` of ${c.class}` : ""} ${fmt(c.value)} > ${fmt(c.limit)}`; break; }
  }
  if (!failed) {
    for (const [name, c] of Object.entries(r.components)) {
      if (c.kind === "queue" && c.utilization.mean > QUEUE_SATURATED) { failed = `queue ${name} saturated (workers ${fmt(c.utilization.mean * 100)}% busy)`; break; }
    }
  }
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

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
