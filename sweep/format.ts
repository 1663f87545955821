// A sweep result as a terminal table (one row per point, the worst class's p95/p99, the cheapest
// passing point starred) and as CSV (every class's figures, one column each, for a spreadsheet or
// a plotting script). The JSON (headroom.sweep/v1) is the complete form; these two are views of it.
import { table } from "../shared/format-table.ts";
import type { SweepPoint, SweepResult } from "./sweep.ts";

function num(x: number | null, digits = 3): string {
  if (x === null || !Number.isFinite(x)) return x === Infinity ? "inf" : "-";
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  return String(Number(x.toPrecision(digits)));
}

function worst(p: SweepPoint, k: "p95" | "p99"): number {
  return Math.max(...Object.values(p.latencyMs).map((l) => l[k]));
}

export function formatSweep(r: SweepResult): string {
  const paths = r.parameters.map((p) => p.path);
  const headers = ["#", ...r.parameters.map((p) => (p.unit ? `${p.path} (${p.unit})` : p.path)), "p95 ms", "p99 ms", "errors", "req/s", r.costBasis === "instances" ? "instances" : "cost/h", "headroom", "SLO"];
  const rows = r.points.map((p) => [
    `${p.index}${p.index === r.cheapestPassing ? "*" : ""}`,
    ...paths.map((k) => String(p.values[k])),
    num(worst(p, "p95")), num(worst(p, "p99")), `${num(p.errorRate * 100, 2)}%`, num(p.throughput, 4),
    r.costBasis === "instances" ? String(p.cost) : p.cost.toFixed(3), Number.isFinite(p.analyticHeadroom) ? `x${num(p.analyticHeadroom)}` : "-",
    p.pass ? "met" : (p.failed ?? "missed"),
  ]);
  const s = r.settings;
  const head = `${r.scenario}: ${r.points.length} points (${r.design === "grid" ? "grid" : `Latin hypercube, seed ${s.seed}`}), ${s.replications} replication${s.replications === 1 ? "" : "s"} x ${s.duration}s (warm-up ${s.warmup}s), seed ${s.seed}`;
  const best = r.cheapestPassing === null
    ? "No point meets the SLO."
    : `* cheapest point meeting the SLO: #${r.cheapestPassing} (${paths.map((k) => `${k}=${r.points[r.cheapestPassing!].values[k]}`).join(", ")}), ${r.costBasis === "instances" ? `${r.points[r.cheapestPassing].cost} instances` : `${r.points[r.cheapestPassing].cost.toFixed(3)}/h`}`;
  return [head, "", table(headers, rows), "", best, "headroom: analytic saturation load / the point's load; p95, p99: the worst class"].join("\n");
}

function csvCell(v: string | number | boolean | null): string {
  const s = v === null ? "" : typeof v === "number" && !Number.isFinite(v) ? String(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function sweepCsv(r: SweepResult): string {
  const paths = r.parameters.map((p) => p.path);
  const classes = [...new Set(r.points.flatMap((p) => Object.keys(p.latencyMs)))];
  const headers = ["index", ...paths, "meets_slo", "cheapest_passing", "failed", "cost", "cost_per_hour", "instances", "throughput", "error_rate", "analytic_headroom", "bottleneck",
    ...classes.flatMap((c) => [`${c}.mean_ms`, `${c}.p95_ms`, `${c}.p99_ms`])];
  const lines = [headers.map(csvCell).join(",")];
  for (const p of r.points) {
    lines.push([
      p.index, ...paths.map((k) => p.values[k]), p.pass, p.index === r.cheapestPassing, p.failed, p.cost, p.costPerHour, p.instances, p.throughput, p.errorRate,
      Number.isFinite(p.analyticHeadroom) ? p.analyticHeadroom : null, p.bottleneck,
      ...classes.flatMap((c) => { const l = p.latencyMs[c]; return l ? [l.mean, l.p95, l.p99] : [null, null, null]; }),
    ].map(csvCell).join(","));
  }
  return lines.join("\n") + "\n";
}
