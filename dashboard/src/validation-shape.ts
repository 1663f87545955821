// A validation report reshaped for the overlay charts: one panel per metric family, each a table
// with one row per measured level (sorted by offered rate) and one predicted and one measured
// column per curve. Throughput, latency per class and error rate first, then whatever component
// metrics the report carries (utilization, hit ratio, balancer queue, pool wait, ...); a metric
// this page does not know still gets a panel, titled by its name.
import type { ValidationReport } from "./validation-file.ts";

export interface Curve {
  /** legend name: a class, a component or a statistic (p95) */
  readonly name: string;
  /** keys of the curve's values in the panel's rows */
  readonly predicted: string;
  readonly measured: string;
}

export type OverlayRow = { rate: number } & Record<string, number | null>;

export interface Panel {
  readonly id: string;
  readonly title: string;
  /** the y axis label, with its unit */
  readonly axis: string;
  /** values are fractions shown as percent (already multiplied by 100 in the rows) */
  readonly percent: boolean;
  readonly curves: Curve[];
  readonly rows: OverlayRow[];
  /** draw the offered rate as the diagonal (throughput) */
  readonly offered: boolean;
  /** a log axis: latencies spanning more than LOG_SPAN (a level past saturation next to light ones) */
  readonly log: boolean;
}

/** Beyond this ratio of the largest to the smallest latency, a linear axis flattens the light levels. */
export const LOG_SPAN = 30;

function span(rows: OverlayRow[], keys: string[]): number {
  let lo = Infinity, hi = 0;
  for (const r of rows) for (const k of keys) { const v = r[k]; if (v !== null && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  return hi > 0 ? hi / lo : 1;
}

const CLASS_METRICS = new Set(["throughput", "mean", "p50", "p95", "p99", "errorRate"]);
const LATENCY = ["mean", "p50", "p95", "p99"] as const;

/** Titles and axes of the other metrics compare.ts writes; unknown ones are shown by name. */
const COMPONENT_METRICS: Record<string, { title: string; axis: string; percent?: boolean }> = {
  // per class: arrivals the model generated vs requests the load generator really sent
  offered: { title: "Offered load (sent)", axis: "requests sent (req/s)" },
  utilization: { title: "Utilization", axis: "busy slots (%)", percent: true },
  cacheHitRatio: { title: "Cache hit ratio", axis: "hit ratio (%)", percent: true },
  balancerQueue: { title: "Balancer queue", axis: "requests waiting" },
  poolWaitMs: { title: "Connection pool wait", axis: "mean wait (ms)" },
  replicationLagMs: { title: "Replication lag", axis: "mean lag (ms)" },
  asyncLatencyMs: { title: "Queue: publish to processed", axis: "mean latency (ms)" },
  queueBacklog: { title: "Queue backlog", axis: "messages waiting" },
  bytesInPerSecond: { title: "Bytes in (balancer)", axis: "bytes/s" },
  bytesOutPerSecond: { title: "Bytes out (balancer)", axis: "bytes/s" },
};

export const metricLabel = (m: string) => (m === "errorRate" ? "error rate" : m === "cacheHitRatio" ? "hit ratio" : m);

const key = (panel: string, curve: string, side: "p" | "m") => `${panel}|${curve}|${side}`;

export function overlayPanels(report: ValidationReport): Panel[] {
  const levels = report.levels.filter((l) => !l.error && l.rows.length > 0).sort((a, b) => a.rate - b.rate);
  const classes: string[] = [];
  const others = new Map<string, string[]>(); // metric -> scopes, in report order
  for (const l of levels) {
    for (const r of l.rows) {
      if (CLASS_METRICS.has(r.metric)) {
        if (!classes.includes(r.scope)) classes.push(r.scope);
      } else {
        const scopes = others.get(r.metric) ?? [];
        if (!scopes.includes(r.scope)) scopes.push(r.scope);
        others.set(r.metric, scopes);
      }
    }
  }
  const rowsOf = (id: string, pick: Array<{ curve: string; scope: string; metric: string }>, scale: number, extra?: (rate: number, row: OverlayRow) => void): OverlayRow[] =>
    levels.map((l) => {
      const row = { rate: l.rate } as OverlayRow;
      for (const p of pick) {
        const r = l.rows.find((x) => x.scope === p.scope && x.metric === p.metric);
        row[key(id, p.curve, "p")] = r?.predicted == null ? null : r.predicted * scale;
        row[key(id, p.curve, "m")] = r?.measured == null ? null : r.measured * scale;
      }
      extra?.(l.rate, row);
      return row;
    });
  const curves = (id: string, names: string[]): Curve[] => names.map((n) => ({ name: n, predicted: key(id, n, "p"), measured: key(id, n, "m") }));

  const panels: Panel[] = [];
  // Throughput: every class, and their sum when there are several (the offered rate is the sum's).
  const tpNames = classes.length > 1 ? ["all classes", ...classes] : classes;
  const tpRows = rowsOf("throughput", classes.map((c) => ({ curve: c, scope: c, metric: "throughput" })), 1, (_, row) => {
    if (classes.length < 2) return;
    const sum = (side: "p" | "m") => {
      const v = classes.map((c) => row[key("throughput", c, side)]);
      return v.every((x) => x !== null) ? (v as number[]).reduce((a, b) => a + b, 0) : null;
    };
    row[key("throughput", "all classes", "p")] = sum("p");
    row[key("throughput", "all classes", "m")] = sum("m");
  });
  if (classes.length) panels.push({ id: "throughput", title: "Throughput", axis: "completed (req/s)", percent: false, curves: curves("throughput", tpNames), rows: tpRows, offered: true, log: false });
  for (const c of classes) {
    const id = `latency-${c}`;
    const cs = curves(id, [...LATENCY]);
    const rows = rowsOf(id, LATENCY.map((m) => ({ curve: m, scope: c, metric: m })), 1);
    const log = span(rows, cs.flatMap((x) => [x.predicted, x.measured])) > LOG_SPAN;
    panels.push({ id, title: `Latency · ${c}`, axis: log ? "latency (ms, log)" : "latency (ms)", percent: false, curves: cs, rows, offered: false, log });
  }
  if (classes.length) panels.push({ id: "errorRate", title: "Error rate", axis: "failed (%)", percent: true, curves: curves("errorRate", classes), rows: rowsOf("errorRate", classes.map((c) => ({ curve: c, scope: c, metric: "errorRate" })), 100), offered: false, log: false });
  for (const [metric, scopes] of others) {
    const meta = COMPONENT_METRICS[metric] ?? { title: metric, axis: /Ms$/.test(metric) ? `${metric} (ms)` : metric };
    panels.push({
      id: metric, title: meta.title, axis: meta.axis, percent: !!meta.percent, curves: curves(metric, scopes),
      rows: rowsOf(metric, scopes.map((s) => ({ curve: s, scope: s, metric })), meta.percent ? 100 : 1), offered: false, log: false,
    });
  }
  return panels;
}

/** Counts of the rows' verdicts over all levels (and the saturation row), for the headline. */
export function verdictCounts(report: ValidationReport): { pass: number; fail: number; info: number; errorLevels: number; unreliableLevels: number } {
  const out = { pass: 0, fail: 0, info: 0, errorLevels: 0, unreliableLevels: 0 };
  for (const l of report.levels) {
    if (l.status === "error") out.errorLevels++;
    // the load generator lagged past its bound twice: rows shown in the table, never counted
    if (l.status === "unreliable") { out.unreliableLevels++; continue; }
    for (const r of l.rows) out[r.verdict]++;
  }
  if (report.saturation.throughput) out[report.saturation.throughput.verdict]++;
  return out;
}
