// Renders a simulation result as aligned text tables for the terminal.
import type { ComponentResult, SimResult } from "../simulator/index.ts";
import type { Estimate } from "../simulator/index.ts";

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return "-";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1000) return x.toFixed(0);
  return Number(x.toPrecision(digits)).toString();
}

function est(e: Estimate, digits = 3): string {
  return e.ci95 === null || !Number.isFinite(e.ci95) ? num(e.mean, digits) : `${num(e.mean, digits)}±${num(e.ci95, 2)}`;
}

function pct(e: Estimate): string {
  const m = `${num(e.mean * 100, 3)}%`;
  return e.ci95 === null ? m : `${m}±${num(e.ci95 * 100, 2)}`;
}

function notes(c: ComponentResult): string {
  const out: string[] = [];
  if (c.hitRatio) out.push(`hit ${pct(c.hitRatio)}`);
  if (c.staleReadRatio && Number.isFinite(c.staleReadRatio.mean)) out.push(`stale reads ${pct(c.staleReadRatio)}`);
  if (c.poolWaitMs) out.push(`pool wait ${est(c.poolWaitMs.mean)}ms`);
  if (c.queue) out.push(`backlog ${est(c.queue.backlog)}, async ${est(c.queue.asyncLatencyMs.mean)}ms, dead ${c.queue.deadLettered}`);
  if (c.balancer && c.balancer.maxQueue > 0) out.push(`lb queue ${est(c.balancer.queueLength)} (max ${c.balancer.maxQueue})`);
  if (c.timeouts) out.push(`timeouts ${c.timeouts}`);
  if (c.instances && c.servers !== null && Number.isFinite(c.instances.mean)) out.push(`instances ${est(c.instances)}`);
  const rs = c.resilience;
  if (rs && rs.retries + rs.shortCircuited + rs.retryBudgetDenied > 0) out.push(`retries ${rs.retries}, budget denied ${rs.retryBudgetDenied}, short-circuited ${rs.shortCircuited}, breaker opened ${rs.breakerOpened}x`);
  if (c.rateLimited) out.push(`rate limited ${c.rateLimited}`);
  const rt = c.realtime;
  if (rt) {
    const n = rt.counts;
    out.push(`connections ${est(rt.connections)} (peak ${rt.peakConnections}, ${num(rt.memoryPeakBytes / 2 ** 20, 3)} MiB peak per instance)`);
    out.push(`msgs in ${est(rt.messagesInPerSecond)}/s, out ${est(rt.messagesOutPerSecond)}/s, delivery p99 ${est(rt.deliveryMs.p99)}ms`);
    if (n.dropped + n.refused + n.lost + n.outOfMemory > 0) out.push(`dropped ${n.dropped}, reconnected ${n.reconnects} (peak ${est(rt.reconnectPeakPerSecond)}/s), refused ${n.refused}, lost ${n.lost}, out of memory ${n.outOfMemory}x`);
  }
  return out.join("; ");
}

export function formatResult(r: SimResult): string {
  const out: string[] = [];
  out.push(`${r.scenario.name}: ${r.run.replications} replication${r.run.replications === 1 ? "" : "s"} x ${r.run.durationS}s (warm-up ${r.run.warmupS}s), seed ${r.run.seed}, ${r.run.events} events`);
  out.push("");
  out.push("Request classes (latency in ms, ± is the 95% confidence half-width over replications)");
  out.push(table(
    ["class", "throughput/s", "mean", "p50", "p90", "p95", "p99", "p99.9", "max", "errors"],
    Object.entries(r.classes).map(([n, c]) => [
      n, est(c.throughput, 4), est(c.latencyMs.mean), est(c.latencyMs.p50), est(c.latencyMs.p90), est(c.latencyMs.p95),
      est(c.latencyMs.p99), est(c.latencyMs.p999), est(c.latencyMs.max), pct(c.errorRate),
    ]),
  ));
  if (r.regions) {
    out.push("");
    out.push("Users by region (where requests come from; failed over = completed by another region's entry)");
    out.push(table(
      ["region", "share", "throughput/s", "mean", "p50", "p95", "p99", "errors", "failed over"],
      Object.entries(r.regions).map(([n, g]) => [
        n, `${num(g.share * 100, 3)}%`, est(g.throughput, 4), est(g.latencyMs.mean), est(g.latencyMs.p50), est(g.latencyMs.p95),
        est(g.latencyMs.p99), pct(g.errorRate), String(g.counts.failedOver),
      ]),
    ));
  }
  out.push("");
  out.push("Components (wait: queueing before service; response: wait + service, in ms)");
  out.push(table(
    ["component", "kind", "units", "throughput/s", "utilization", "queue len", "max queue", "wait mean", "wait p95", "resp p50", "resp p95", "resp p99", "dropped/timed out", "notes"],
    Object.entries(r.components).map(([n, c]) => [
      n, c.kind, c.servers === null ? "-" : String(c.servers), est(c.throughput, 4), c.servers === null ? "-" : pct(c.utilization),
      est(c.queueLength), String(c.maxQueue), est(c.waitMs.mean), est(c.waitMs.p95),
      est(c.responseMs.p50), est(c.responseMs.p95), est(c.responseMs.p99),
      Object.entries(c.drops).map(([k, v]) => `${k} ${v}`).join(", ") || "0", notes(c),
    ]),
  ));
  out.push("");
  const a = r.accounting;
  const reasons = Object.entries(a.byReason).map(([k, v]) => `${k} ${v}`).join(", ");
  out.push(`Accounting (all replications, whole run): ${a.arrived} arrived = ${a.completed} completed + ${a.dropped} dropped + ${a.failed} failed + ${a.inFlightAtEnd} in flight at the end${reasons ? ` (${reasons})` : ""}`);
  const m = a.messages;
  if (m.published > 0) out.push(`Messages: ${m.published} published = ${m.processed} processed + ${m.deadLettered} dead-lettered + ${m.droppedHead} dropped (drop-head) + ${m.inQueueAtEnd} in the queue at the end`);
  if (r.bottleneck) out.push(`Bottleneck: ${r.bottleneck} (${pct(r.components[r.bottleneck].utilization)} busy)`);
  if (r.cost) {
    out.push(`Cost: ${num(r.cost.perHour, 4)}/hour, ${num(r.cost.perMonth, 4)}/month${r.cost.perMillionRequests === null ? "" : `, ${num(r.cost.perMillionRequests, 3)} per million requests`} (${Object.entries(r.cost.byComponent).map(([n, c]) => `${n} ${c.instances > 0 ? `${num(c.instances, 3)} x` : `${num(c.requestsPerSecond, 4)} req/s`} = ${num(c.perHour, 3)}/h`).join(", ")})`);
  }
  if (r.slo) {
    const fails = r.slo.checks.filter((c) => !c.pass);
    out.push(`SLO: ${r.slo.pass ? "PASS" : "FAIL"}${fails.length ? ` (${fails.map((c) => `${c.class ? `${c.class} ` : ""}${c.metric} ${num(c.value)} > ${num(c.limit)}`).join("; ")})` : ""}`);
  }
  return out.join("\n");
}
