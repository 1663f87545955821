// Exports of a result: the JSON exactly as the CLI writes it (headroom.result/v3), and CSV tables,
// one of the per-interval series and one of the per-class and per-component summary, for
// spreadsheets. Pure string builders; the page turns them into downloads.
import type { SimResult } from "../../simulator/index.ts";

type Estimate = SimResult["inFlight"];

export function resultJson(result: SimResult): string {
  return JSON.stringify(result, null, 2) + "\n";
}

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function rows(header: string[], body: Array<Array<string | number | null | undefined>>): string {
  return [header, ...body].map((r) => r.map(cell).join(",")).join("\n") + "\n";
}

/** One row per interval: time, offered load, in-flight, then every class and component column. */
export function seriesCsv(result: SimResult): string {
  const s = result.series;
  if (!s) return rows(["t_s"], []);
  const classes = Object.entries(s.classes);
  const comps = Object.entries(s.components);
  const header = [
    "t_s", "offered_per_s", "in_flight",
    ...classes.flatMap(([c]) => [`${c}.throughput_per_s`, `${c}.errors_per_s`, `${c}.p50_ms`, `${c}.p95_ms`, `${c}.p99_ms`]),
    ...comps.flatMap(([n, c]) => [`${n}.utilization`, `${n}.queue_length`, `${n}.throughput_per_s`, ...(c.hitRatio ? [`${n}.hit_ratio`, `${n}.lookups_per_s`] : []), ...(c.breakerOpenShare ? [`${n}.breaker_open_share`] : [])]),
    ...(s.costPerHour ? ["cost_per_hour"] : []),
  ];
  const body = s.t.map((t, i) => [
    t, s.offered[i], s.inFlight[i],
    ...classes.flatMap(([, c]) => [c.throughput[i], c.errors[i], c.p50Ms[i], c.p95Ms[i], c.p99Ms[i]]),
    ...comps.flatMap(([, c]) => [c.utilization[i], c.queueLength[i], c.throughput[i], ...(c.hitRatio ? [c.hitRatio[i], c.lookups?.[i]] : []), ...(c.breakerOpenShare ? [c.breakerOpenShare[i]] : [])]),
    ...(s.costPerHour ? [s.costPerHour[i]] : []),
  ]);
  return rows(header, body);
}

const est = (e: Estimate): [number, number | null] => [e.mean, e.ci95];

/** Per-class and per-component estimates with their 95% confidence half-widths. */
export function summaryCsv(result: SimResult): string {
  const header = ["scope", "name", "metric", "mean", "ci95"];
  const body: Array<Array<string | number | null>> = [];
  for (const [name, c] of Object.entries(result.classes)) {
    body.push(["class", name, "throughput_per_s", ...est(c.throughput)]);
    for (const [k, v] of Object.entries(c.latencyMs)) body.push(["class", name, `latency_${k}_ms`, ...est(v)]);
    body.push(["class", name, "error_rate", ...est(c.errorRate)]);
  }
  for (const [name, c] of Object.entries(result.components)) {
    body.push(["component", name, "throughput_per_s", ...est(c.throughput)]);
    body.push(["component", name, "utilization", ...est(c.utilization)]);
    body.push(["component", name, "queue_length", ...est(c.queueLength)]);
    body.push(["component", name, "wait_p95_ms", ...est(c.waitMs.p95)]);
    body.push(["component", name, "response_p95_ms", ...est(c.responseMs.p95)]);
    if (c.hitRatio) body.push(["component", name, "hit_ratio", ...est(c.hitRatio)]);
    if (c.breaker) {
      body.push(["component", name, "breaker_open_share", ...est(c.breaker.openShare)]);
      body.push(["component", name, "breaker_half_open_share", ...est(c.breaker.halfOpenShare)]);
      body.push(["component", name, "breaker_openings", ...est(c.breaker.openings)]);
    }
  }
  return rows(header, body);
}

/** Starts a browser download of text (the only DOM-touching function here). */
export function download(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
