// The end-of-test summary: the group/check tree, the data k6 hands to handleSummary(), the legacy
// `--summary-export` JSON derived from it exactly as k6's summary wrapper does, and a text report.
import { createHash } from "node:crypto";
import type { Registry, Sink } from "../metrics.ts";
import type { Threshold } from "../thresholds.ts";
import { aggregate } from "../thresholds.ts";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

interface CheckNode {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}
interface GroupNode {
  name: string;
  path: string;
  id: string;
  groups: GroupNode[];
  checks: CheckNode[];
}

/** Groups and checks in the order the script first reached them; ids are md5 of paths as in k6. */
export class GroupTree {
  readonly root: GroupNode = { name: "", path: "", id: md5(""), groups: [], checks: [] };
  private readonly byPath = new Map<string, GroupNode>([["", this.root]]);
  private readonly checks = new Map<string, CheckNode>();

  ensure(path: string): GroupNode {
    let g = this.byPath.get(path);
    if (g) return g;
    const idx = path.lastIndexOf("::");
    const parent = this.ensure(path.slice(0, idx));
    g = { name: path.slice(idx + 2), path, id: md5(path), groups: [], checks: [] };
    parent.groups.push(g);
    this.byPath.set(path, g);
    return g;
  }

  recordCheck(groupPath: string, name: string, ok: boolean): void {
    const key = `${groupPath}::${name}`;
    let c = this.checks.get(key);
    if (!c) {
      c = { name, path: key, id: md5(key), passes: 0, fails: 0 };
      this.checks.set(key, c);
      this.ensure(groupPath).checks.push(c);
    }
    if (ok) c.passes++;
    else c.fails++;
  }
}

export interface SummaryData {
  root_group: GroupNode;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, { type: string; contains: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
}

function values(type: string, sink: Sink, trendStats: string[], seconds: number): Record<string, number> {
  switch (type) {
    case "counter":
      return { count: sink.sum, rate: seconds > 0 ? sink.sum / seconds : 0 };
    case "gauge":
      return { value: sink.last, min: sink.count ? sink.min : 0, max: sink.count ? sink.max : 0 };
    case "rate":
      return { rate: sink.count ? sink.nonZero / sink.count : 0, passes: sink.nonZero, fails: sink.count - sink.nonZero };
    default: {
      const out: Record<string, number> = {};
      for (const s of trendStats) out[s] = s === "count" ? sink.count : aggregate(sink, s, seconds);
      return out;
    }
  }
}

/** The object k6 passes to handleSummary(data): observed metrics and submetrics with their thresholds. */
export function summaryData(reg: Registry, thresholds: Threshold[], groups: GroupTree, trendStats: string[], durationMs: number): SummaryData {
  const metrics: SummaryData["metrics"] = {};
  const seconds = durationMs / 1000;
  const th = (name: string) => {
    const list = thresholds.filter((t) => t.metricName === name);
    if (!list.length) return undefined;
    const out: Record<string, { ok: boolean }> = {};
    for (const t of list) out[t.source] = { ok: t.ok };
    return out;
  };
  // as k6 (MetricsEngine.markObserved): a metric is shown once it has a sample, and a metric or
  // submetric with thresholds (and a submetric's parent) is shown even without samples, so a threshold
  // never vanishes from the summary for lack of data
  const withThresholds = new Set<string>();
  for (const t of thresholds) {
    withThresholds.add(t.metricName);
    const brace = t.metricName.indexOf("{");
    if (brace > 0) withThresholds.add(t.metricName.slice(0, brace));
  }
  for (const m of [...reg.metrics.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!m.seen && !withThresholds.has(m.name)) continue;
    const entry: SummaryData["metrics"][string] = { type: m.type, contains: m.contains, values: values(m.type, m.sink, trendStats, seconds) };
    const t = th(m.name);
    if (t) entry.thresholds = t;
    metrics[m.name] = entry;
    for (const sub of m.submetrics) {
      if (sub.sink.count === 0 && !withThresholds.has(sub.name)) continue;
      const e: SummaryData["metrics"][string] = { type: m.type, contains: m.contains, values: values(m.type, sub.sink, trendStats, seconds) };
      const st = th(sub.name);
      if (st) e.thresholds = st;
      metrics[sub.name] = e;
    }
  }
  return {
    root_group: JSON.parse(JSON.stringify(groups.root)),
    options: { summaryTrendStats: trendStats, summaryTimeUnit: "", noColor: false },
    state: { isStdOutTTY: Boolean(process.stdout.isTTY), isStdErrTTY: Boolean(process.stderr.isTTY), testRunDurationMs: durationMs },
    metrics,
  };
}

/** `--summary-export`: k6's legacy shape (metrics flattened to their values, thresholds name -> failed). */
export function legacySummaryExport(data: SummaryData): string {
  const results = JSON.parse(JSON.stringify(data));
  delete results.options;
  delete results.state;
  for (const [name, metric] of Object.entries<any>(results.metrics)) {
    const old = metric.values;
    if (metric.thresholds && Object.keys(metric.thresholds).length > 0) {
      old.thresholds = {};
      for (const [tn, t] of Object.entries<any>(metric.thresholds)) old.thresholds[tn] = !t.ok;
    }
    if (metric.type === "rate" && "rate" in old) {
      old.value = old.rate;
      delete old.rate;
    }
    results.metrics[name] = old;
  }
  const transform = (g: any): any => {
    if (Array.isArray(g.groups)) g.groups = Object.fromEntries(g.groups.map((x: any) => [x.name, transform(x)]));
    if (Array.isArray(g.checks)) g.checks = Object.fromEntries(g.checks.map((c: any) => [c.name, c]));
    return g;
  };
  results.root_group = transform(results.root_group);
  return JSON.stringify(results, null, 4);
}

function fmt(contains: string, key: string, v: number): string {
  if (contains === "time" && key !== "count") {
    if (v >= 1000) return `${(v / 1000).toFixed(2)}s`;
    if (v >= 1) return `${v.toFixed(2)}ms`;
    return `${(v * 1000).toFixed(2)}µs`;
  }
  if (contains === "data") {
    const units = ["B", "kB", "MB", "GB"];
    let i = 0;
    while (v >= 1000 && i < units.length - 1) {
      v /= 1000;
      i++;
    }
    return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
  }
  return Number.isInteger(v) ? String(v) : v.toFixed(6).replace(/0+$/, "");
}

/** A text report in the spirit of k6's end-of-test summary. */
export function textSummary(data: SummaryData): string {
  const lines: string[] = [];
  const checks = (g: GroupNode, indent: string) => {
    for (const c of g.checks) {
      const mark = c.fails === 0 ? "✓" : "✗";
      lines.push(`${indent}${mark} ${c.name}${c.fails ? `\n${indent}  ↳  ${Math.floor((100 * c.passes) / (c.passes + c.fails))}% — ✓ ${c.passes} / ✗ ${c.fails}` : ""}`);
    }
    for (const sub of g.groups) {
      lines.push(`${indent}█ ${sub.name}`);
      checks(sub, indent + "  ");
    }
  };
  checks(data.root_group, "     ");
  if (lines.length) lines.push("");
  const names = Object.keys(data.metrics);
  const width = Math.max(20, ...names.map((n) => n.length + 2));
  for (const name of names) {
    const m = data.metrics[name];
    const failed = m.thresholds && Object.values(m.thresholds).some((t) => !t.ok);
    const mark = m.thresholds ? (failed ? "✗ " : "✓ ") : "  ";
    let val: string;
    if (m.type === "trend") val = Object.entries(m.values).map(([k, v]) => `${k}=${fmt(m.contains, k, v)}`).join(" ");
    else if (m.type === "counter") val = `${fmt(m.contains, "count", m.values.count)} ${fmt(m.contains === "data" ? "data" : "default", "rate", m.values.rate)}/s`;
    else if (m.type === "rate") val = `${(m.values.rate * 100).toFixed(2)}% ✓ ${m.values.passes} ✗ ${m.values.fails}`;
    else val = `${m.values.value} min=${m.values.min} max=${m.values.max}`;
    lines.push(`   ${mark}${(name + " ").padEnd(width, ".")}: ${val}`);
  }
  return lines.join("\n") + "\n";
}

/** A duration as k6's progress bar prints it (pb.GetFixedLengthDuration at its own length): 9.5s, 15.0s, 1m05.0s, 1h02m05.0s. */
function progressDuration(ms: number): string {
  const tenths = Math.round(ms / 100);
  const s = Math.floor(tenths / 10) % 60;
  const m = Math.floor(tenths / 600) % 60;
  const h = Math.floor(tenths / 36000);
  const sec = `${s}.${tenths % 10}s`;
  if (ms < 60_000) return sec;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (ms < 3_600_000) return `${m}m${pad(s)}.${tenths % 10}s`;
  return `${h}h${pad(m)}m${pad(s)}.${tenths % 10}s`;
}

/**
 * k6's last progress line (execution.Scheduler.getRunStats), printed before the summary:
 * `running (15.0s), 00/50 VUs, 0 complete and 30 interrupted iterations`. It is where k6 reports
 * interrupted iterations; VU counts are zero-padded to the width of the initialized count.
 */
export function runStatsLine(durationMs: number, activeVus: number, initializedVus: number, complete: number, interrupted: number): string {
  const w = String(initializedVus).length;
  const vus = `${String(activeVus).padStart(w, "0")}/${String(initializedVus).padStart(w, "0")}`;
  return `running (${progressDuration(durationMs)}), ${vus} VUs, ${complete} complete and ${interrupted} interrupted iterations\n`;
}
