// Renders a simulation result as aligned text tables for the terminal.
import type { ComponentResult, SimResult } from "../simulator/index.ts";
import type { Estimate } from "../simulator/index.ts";
import { payloadEdges } from "../simulator/index.ts";

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
  const br = c.breaker;
  if (br) out.push(`breaker open ${pct(br.openShare)}, half-open ${pct(br.halfOpenShare)} of the time, opened ${est(br.openings)}x per run`);
  if (c.rateLimited) out.push(`rate limited ${c.rateLimited}`);
  const f = c.function;
  if (f) out.push(`cold starts ${pct(f.coldStartShare)}, p95 cold ${est(f.coldLatencyMs.p95)}ms / warm ${est(f.warmLatencyMs.p95)}ms, peak ${f.peakInstances} instances, ${est(f.gbSecondsPerSecond)} GB-s/s${f.throttled ? `, throttled ${f.throttled}` : ""}`);
  // result files from before the start figures have no boots
  if (f?.boots && f.boots.completed > 0) out.push(`starts ${f.boots.completed}: mean ${est(f.boots.timeMs.mean)}ms, p95 ${est(f.boots.timeMs.p95)}ms, ${est(f.boots.inProgress)} starting (peak ${f.boots.peakInProgress})`);
  const rt = c.realtime;
  if (rt) {
    const n = rt.counts;
    out.push(`connections ${est(rt.connections)} (peak ${rt.peakConnections}, ${num(rt.memoryPeakBytes / 2 ** 20, 3)} MiB peak per instance)`);
    out.push(`msgs in ${est(rt.messagesInPerSecond)}/s, out ${est(rt.messagesOutPerSecond)}/s, delivery p99 ${est(rt.deliveryMs.p99)}ms`);
    if (n.dropped + n.refused + n.lost + n.outOfMemory > 0) out.push(`dropped ${n.dropped}, reconnected ${n.reconnects} (peak ${est(rt.reconnectPeakPerSecond)}/s), refused ${n.refused}, lost ${n.lost}, out of memory ${n.outOfMemory}x`);
  }
  return out.join("; ");
}

const mb = (e: Estimate) => est({ mean: e.mean / 1e6, ci95: e.ci95 === null ? null : e.ci95 / 1e6 });

/** Scenarios with payloads: bytes per component and edge, links (MB = 10^6 bytes, Mbit = 10^6 bits). */
function payloadTable(r: SimResult): string | null {
  const sized = payloadEdges(r.edges);
  if (sized.length === 0) return null;
  const rows = Object.entries(r.components).filter(([, c]) => c.bytes).map(([n, c]) => [
    n, mb(c.bytes!.inPerSecond), mb(c.bytes!.outPerSecond),
    c.link ? num(c.link.bandwidthBitsPerSecond / 1e6, 4) : "-", c.link ? pct(c.link.utilization) : "-",
    c.link ? est(c.link.transfersInFlight) : "-", c.link ? est(c.link.transferMs.mean) : "-",
    c.bytes!.rowsReadPerSecond ? est(c.bytes!.rowsReadPerSecond, 4) : "-",
  ]);
  const edges = sized.map(([n, e]) => [n, mb(e.requestBytesPerSecond), mb(e.responseBytesPerSecond), est(e.responsesPerSecond, 4)]);
  return [
    "Payloads (MB/s; a link is the component's egress, shared by its transfers in flight)",
    table(["component", "in MB/s", "out MB/s", "link Mbit/s", "link busy", "transfers", "transfer ms", "rows/s"], rows),
    "",
    table(["edge", "request MB/s", "response MB/s", "responses/s"], edges),
    ...(r.regionLinks ? ["", table(["link between regions", "Mbit/s", "busy", "transfers", "transfer ms"], Object.entries(r.regionLinks).map(([n, l]) => [
      n, num(l.bandwidthBitsPerSecond / 1e6, 4), pct(l.utilization), est(l.transfersInFlight), est(l.transferMs.mean),
    ]))] : []),
  ].join("\n");
}

/** A database's table: its rows over the run, its reads, and when a read crosses the SLO. */
function tableLine(name: string, t: NonNullable<ComponentResult["table"]>): string {
  const rows = (n: number) => (n >= 1e6 ? `${num(n / 1e6, 4)}M` : n >= 1e4 ? `${num(n / 1e3, 4)}k` : num(n, 4));
  const when = (s: number) => (s >= 7200 ? `${num(s / 3600, 3)} h` : s >= 120 ? `${num(s / 60, 3)} min` : `${num(s, 3)} s`);
  let line = `Table ${name}: ${rows(t.rows.start)} rows at the start, ${rows(t.rows.end.mean)} at the end (+${est(t.growthPerSecond)}/s); reads ${est(t.readMs)} ms at the database`;
  if (t.crossing && t.limitMs !== null) {
    const p = t.crossing.predicted, o = t.crossing.observed;
    line += `; a read reaches the ${num(t.limitMs)} ms limit ${p ? `at ${when(p.atS)} (${rows(p.rows)} rows), predicted` : "never at this growth, predicted"}`;
    line += o.replications > 0 ? `, observed at ${when(o.atS.mean)} (${rows(o.rows.mean)} rows) in ${o.replications} of ${o.of} replications` : ", not observed in the run";
  }
  return line;
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
  if (r.edges) {
    out.push("");
    out.push("Edges (requests sent per second from caller to callee, retries and refused requests included; users = the load)");
    out.push(table(["edge", "requests/s"], Object.entries(r.edges).filter(([, e]) => e.requestsPerSecond.mean > 0 || e.requestBytesPerSecond === undefined).map(([n, e]) => [n, est(e.requestsPerSecond, 4)])));
  }
  const payload = payloadTable(r);
  if (payload) out.push("", payload);
  out.push("");
  const a = r.accounting;
  const reasons = Object.entries(a.byReason).map(([k, v]) => `${k} ${v}`).join(", ");
  out.push(`Accounting (all replications, whole run): ${a.arrived} arrived = ${a.completed} completed + ${a.dropped} dropped + ${a.failed} failed + ${a.inFlightAtEnd} in flight at the end${reasons ? ` (${reasons})` : ""}`);
  const m = a.messages;
  if (m.published > 0) out.push(`Messages: ${m.published} published = ${m.processed} processed + ${m.deadLettered} dead-lettered + ${m.droppedHead} dropped (drop-head) + ${m.inQueueAtEnd} in the queue at the end`);
  for (const [n, c] of Object.entries(r.components)) if (c.table) out.push(tableLine(n, c.table));
  for (const [n, c] of Object.entries(r.classes)) {
    const b = c.browserCache;
    if (b) out.push(`Browser cache ${n}: ${pct(b.hitRatio)} served by the browser, ${pct(b.revalidatedRatio)} revalidated (304), ${pct(b.fetchedRatio)} fetched in full; ${est(b.originRequestsPerSecond, 4)}/s reach the origin`);
  }
  if (r.bottleneck) {
    const b = r.components[r.bottleneck];
    const tls = b.kind === "load_balancer" ? b.parts?.[`${r.bottleneck}.tls`] : undefined;
    const link = b.link && !(b.link.utilization.mean <= b.utilization.mean) ? ` egress link, ${num(b.link.bandwidthBitsPerSecond / 1e6, 4)} Mbit/s (${pct(b.link.utilization)} busy)`
      : tls && !(tls.utilization.mean <= b.utilization.mean) ? ` TLS CPUs (${pct(tls.utilization)} busy)` : ` (${pct(b.utilization)} busy)`;
    out.push(`Bottleneck: ${r.bottleneck}${link}`);
  }
  if (r.cost) {
    out.push(`Cost: ${num(r.cost.perHour, 4)}/hour, ${num(r.cost.perMonth, 4)}/month${r.cost.perMillionRequests === null ? "" : `, ${num(r.cost.perMillionRequests, 3)} per million requests`} (${Object.entries(r.cost.byComponent).map(([n, c]) => `${n} ${c.instances > 0 ? `${num(c.instances, 3)} x` : `${num(c.requestsPerSecond, 4)} req/s`} = ${num(c.perHour, 3)}/h`).join(", ")})`);
  }
  if (r.slo) {
    const fails = r.slo.checks.filter((c) => !c.pass);
    out.push(`SLO: ${r.slo.pass ? "PASS" : "FAIL"}${fails.length ? ` (${fails.map((c) => `${c.class ? `${c.class} ` : ""}${c.metric} ${num(c.value)} > ${num(c.limit)}`).join("; ")})` : ""}`);
  }
  return out.join("\n");
}
