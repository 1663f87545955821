// Renders an analytic estimate (simulator/analytic) as text tables for `headroom simulate --analytic`.
import type { AnalyticResult } from "../simulator/analytic/index.ts";
import { table } from "../shared/format-table.ts";

export function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "-";
  if (!Number.isFinite(x)) return "inf";
  if (Math.abs(x) < 5e-4) return "0";
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  return Number(x.toPrecision(digits)).toString();
}

const pct = (x: number | null) => (x === null ? "-" : `${num(x * 100)}%`);

export function formatAnalytic(r: AnalyticResult): string {
  const out: string[] = [];
  const unit = r.model === "open" ? "req/s" : "users";
  out.push(`${r.scenario}: analytic estimate at ${num(r.load, 4)} ${unit} (${r.model} load), throughput ${num(r.throughput, 4)} req/s${r.stable ? "" : " - UNSTABLE: some component is offered more than it can serve"}`);
  out.push("");
  out.push(table(
    ["class", "throughput/s", "mean ms", "p95 ms", "p99 ms"],
    Object.entries(r.classes).map(([n, c]) => [n, num(c.throughput, 4), num(c.latencyMs.mean), num(c.latencyMs.p95), num(c.latencyMs.p99)]),
  ));
  out.push("");
  const rows: string[][] = [];
  for (const [n, c] of Object.entries(r.components)) {
    const extra: string[] = [];
    if (c.hitRatio !== undefined) extra.push(`hit ${pct(c.hitRatio)}`);
    if (c.poolWaitMs !== undefined) extra.push(`pool wait ${num(c.poolWaitMs)}ms`);
    if (c.coldStartShare !== undefined) extra.push(`cold ${pct(c.coldStartShare)}; throttled ${pct(c.throttled ?? 0)}; ${num(c.activeInstances ?? 0)} instances active`);
    if (c.peakUtilization !== null && c.utilization !== null && c.peakUtilization > c.utilization + 1e-9) extra.push(`busiest part ${pct(c.peakUtilization)}`);
    if (c.link) extra.push(`egress link ${pct(c.link.utilization)} (${num(c.link.bitsPerSecond / 1e6, 4)} Mbit/s)`);
    rows.push([n, c.kind, c.servers === null ? "-" : String(c.servers), num(c.throughput, 4), pct(c.utilization), num(c.waitMs), num(c.responseMs), extra.join("; ")]);
  }
  out.push(table(["component", "kind", "units", "throughput/s", "util", "wait ms", "resp ms", "notes"], rows));
  out.push("");
  const edges = Object.entries(r.edges ?? {});
  if (edges.length > 0) {
    out.push(table(["edge", "requests/s"], edges.map(([n, e]) => [n, num(e.requestsPerSecond, 4)])));
    out.push("");
  }
  for (const [n, l] of Object.entries(r.regionLinks ?? {})) out.push(`link ${n}: ${pct(l.utilization)} busy (${num(l.bitsPerSecond / 1e6, 4)} Mbit/s)`);
  out.push(`bottleneck: ${r.bottleneck ?? "-"}${r.bottleneckPart && r.bottleneckPart !== r.bottleneck ? ` (${r.bottleneckPart})` : ""}`);
  if (r.costPerHour !== null) out.push(`cost: ${r.costPerHour.toFixed(3)}/h, ${(r.costPerHour * 730).toFixed(2)}/month`);
  out.push("");
  out.push("approximations:");
  for (const n of r.notes) out.push(`  - ${n}`);
  return out.join("\n");
}
