// Reads k6 results, whichever engine wrote them: the NDJSON stream of `--out json` (Metric and Point
// lines) and the `--summary-export` JSON. Both become one K6Results shape: per-metric statistics,
// thresholds, checks, and from NDJSON also per-request-class (the `name` tag) latency and errors
// and a per-second request series, which is what Headroom compares against its predictions.
import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { LATE_ARRIVAL_METRIC, WALK_METRIC } from "../plan.ts";
import { parseThresholdExpr, thresholdHolds } from "../threshold-expr.ts";
import { percentile } from "../../simulator/percentile.ts";

export interface MetricStats {
  type: "counter" | "gauge" | "rate" | "trend" | "unknown";
  /** counter: count, rate; gauge: value, min, max; rate: rate, passes, fails; trend: avg, min, med, max, p(N). */
  values: Record<string, number>;
}

export interface ClassStats {
  requests: number;
  failed: number;
  /** http_req_duration percentiles in milliseconds (a paginated class: its walks', headroom_walk_duration). */
  latency: { avg: number; min: number; med: number; p90: number; p95: number; p99: number; max: number };
}

export interface K6Results {
  format: "ndjson" | "summary-export";
  metrics: Record<string, MetricStats>;
  thresholds: Array<{ metric: string; threshold: string; ok: boolean }>;
  checks: Array<{ path: string; name: string; passes: number; fails: number }>;
  /** Only from NDJSON: per `name` tag of HTTP requests. */
  classes?: Record<string, ClassStats>;
  /** Only from NDJSON: requests started per whole second, from the first sample. */
  requestsPerSecond?: number[];
  /** Only from NDJSON: time between the first and the last sample, in seconds. */
  durationSeconds?: number;
  /**
   * Poisson-paced runs (headroom's script, headroom_arrival_late): arrivals paced and those that started
   * late because their VU was busy. Each late one hides its delay from http_req_duration.
   */
  lateArrivals?: { paced: number; late: number; share: number };
}

/** The late-arrival share from the Rate metric the paced script records, when it is there. */
function lateArrivalsOf(metrics: Record<string, MetricStats>): K6Results["lateArrivals"] {
  const m = metrics[LATE_ARRIVAL_METRIC];
  if (!m || m.type !== "rate") return undefined;
  const late = m.values.passes ?? 0;
  const paced = late + (m.values.fails ?? 0);
  return { paced, late, share: paced ? late / paced : 0 };
}

export class IngestError extends Error {
  override readonly name = "IngestError";
}

/** Go's RFC3339Nano timestamps (possibly with a zone offset and 9 fraction digits) as epoch ms. */
export function parseK6Time(s: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return NaN;
  const base = Date.parse(`${m[1]}${m[3]}`);
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return base + frac;
}

/** k6's percentile (simulator/percentile.ts), and 0 for no samples as k6 prints it. */
function k6Percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? percentile(sorted, p) : 0;
}

class Acc {
  values: number[] = [];
  sum = 0;
  nonZero = 0;
  last = 0;
  add(v: number) {
    this.values.push(v);
    this.sum += v;
    if (v !== 0) this.nonZero++;
    this.last = v;
  }
  trend(): Record<string, number> {
    const s = Float64Array.from(this.values).sort();
    const n = s.length;
    return {
      avg: n ? this.sum / n : 0,
      min: n ? s[0] : 0,
      med: k6Percentile(s, 50),
      max: n ? s[n - 1] : 0,
      "p(90)": k6Percentile(s, 90),
      "p(95)": k6Percentile(s, 95),
      "p(99)": k6Percentile(s, 99),
    };
  }
}

export interface ReadOptions {
  /**
   * The script's `options.thresholds` ({"http_req_duration{name:x}": ["p(95)<150"], ...}). k6's NDJSON
   * writes only the thresholds keyed by a metric's exact name in its Metric line; a submetric's
   * thresholds (`metric{tag:value}`) are in the script alone. Given here, each is judged on the points
   * whose tags match the submetric's, and the submetric's statistics appear in `metrics` under its name.
   */
  thresholds?: Record<string, unknown>;
}

/** A threshold as k6 writes it: the expression, or {threshold, abortOnFail, delayAbortEval}. */
function thresholdSource(t: unknown): string | null {
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { threshold?: unknown }).threshold === "string") return (t as { threshold: string }).threshold;
  return null;
}

/** `metric{a:b,c:d}` -> the base name and the tags a point must carry to count for it. */
export function parseSubmetric(key: string): { base: string; tags: Array<[string, string]> } {
  const brace = key.indexOf("{");
  if (brace < 0 || !key.endsWith("}")) return { base: key, tags: [] };
  const tags: Array<[string, string]> = [];
  for (const part of key.slice(brace + 1, -1).split(",")) {
    const i = part.indexOf(":");
    if (i > 0) tags.push([part.slice(0, i).trim(), part.slice(i + 1).trim().replace(/^["']|["']$/g, "")]);
  }
  return { base: key.slice(0, brace), tags };
}

/** Reads `--out json` output (plain or gzipped NDJSON). Unparseable lines are an error with their number. */
export async function readNdjson(path: string, opts: ReadOptions = {}): Promise<K6Results> {
  const input = createReadStream(path);
  const source = path.endsWith(".gz") ? input.pipe(createGunzip()) : input;
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  const types = new Map<string, MetricStats["type"]>();
  const thresholdsByMetric = new Map<string, string[]>();
  const acc = new Map<string, Acc>();
  // A paginated class (the script tags its pages `page`: "1".."N") is one request per walk: its
  // first page counts the request, the walk's time (WALK_METRIC) is its latency, and a failed page
  // is a failed request (the script ends a walk at its first failure), as the model counts them.
  const classes = new Map<string, { dur: Acc; walk: Acc; requests: number; failed: number }>();
  const perSecond: number[] = [];
  const checks = new Map<string, { path: string; name: string; passes: number; fails: number }>();
  // the script's submetric thresholds: per base metric, the submetrics whose points to collect
  const subs = new Map<string, Array<{ name: string; tags: Array<[string, string]>; acc: Acc }>>();
  for (const key of Object.keys(opts.thresholds ?? {})) {
    const { base, tags } = parseSubmetric(key);
    if (!tags.length) continue;
    let list = subs.get(base);
    if (!list) subs.set(base, (list = []));
    list.push({ name: key, tags, acc: new Acc() });
  }
  let first = NaN;
  let last = NaN;
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let obj: any;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new IngestError(`${path}:${n}: not a JSON line`);
    }
    if (obj.type === "Metric") {
      types.set(obj.metric, obj.data?.type ?? "unknown");
      if (Array.isArray(obj.data?.thresholds) && obj.data.thresholds.length) {
        thresholdsByMetric.set(obj.metric, obj.data.thresholds.map(thresholdSource).filter((t: string | null): t is string => t !== null));
      }
      continue;
    }
    if (obj.type !== "Point") throw new IngestError(`${path}:${n}: expected a "Metric" or "Point" line, got type ${JSON.stringify(obj.type)}`);
    const { metric } = obj;
    const { value, tags } = obj.data ?? {};
    const time = parseK6Time(obj.data?.time ?? "");
    if (typeof value !== "number" || Number.isNaN(time)) throw new IngestError(`${path}:${n}: Point line without a numeric value and an RFC3339 time`);
    if (!(first <= time)) first = Number.isNaN(first) ? time : Math.min(first, time);
    last = Number.isNaN(last) ? time : Math.max(last, time);
    let a = acc.get(metric);
    if (!a) acc.set(metric, (a = new Acc()));
    a.add(value);
    const subList = subs.get(metric);
    if (subList) {
      for (const s of subList) if (s.tags.every(([k, v]) => tags?.[k] === v)) s.acc.add(value);
    }
    if (metric === "http_req_duration" || metric === "http_reqs" || metric === "http_req_failed" || metric === WALK_METRIC) {
      const name = tags?.name ?? tags?.url ?? "";
      let c = classes.get(name);
      if (!c) classes.set(name, (c = { dur: new Acc(), walk: new Acc(), requests: 0, failed: 0 }));
      const laterPage = tags?.page !== undefined && tags.page !== "1";
      if (metric === WALK_METRIC) c.walk.add(value);
      else if (metric === "http_req_duration") c.dur.add(value);
      else if (metric === "http_reqs") {
        if (!laterPage) {
          c.requests += value;
          const sec = Math.floor((time - first) / 1000);
          if (sec >= 0) {
            while (perSecond.length <= sec) perSecond.push(0);
            perSecond[sec] += value;
          }
        }
      } else if (value !== 0) c.failed++;
    }
    if (metric === "checks" && tags?.check !== undefined) {
      const path = `${tags.group ?? ""}::${tags.check}`;
      let c = checks.get(path);
      if (!c) checks.set(path, (c = { path, name: tags.check, passes: 0, fails: 0 }));
      if (value) c.passes++;
      else c.fails++;
    }
  }
  const durationSeconds = Number.isNaN(first) ? 0 : (last - first) / 1000;
  const metrics: Record<string, MetricStats> = {};
  const stats = (type: MetricStats["type"], a: Acc): MetricStats => {
    const count = a.values.length;
    if (type === "counter") return { type, values: { count: a.sum, rate: durationSeconds > 0 ? a.sum / durationSeconds : 0 } };
    if (type === "rate") return { type, values: { rate: count ? a.nonZero / count : 0, passes: a.nonZero, fails: count - a.nonZero } };
    if (type === "gauge") {
      const t = a.trend();
      return { type, values: { value: a.last, min: t.min, max: t.max } };
    }
    return { type, values: a.trend() };
  };
  const accByName = new Map<string, { type: MetricStats["type"]; acc: Acc }>();
  for (const [name, a] of acc) {
    const type = types.get(name) ?? "unknown";
    metrics[name] = stats(type, a);
    accByName.set(name, { type, acc: a });
  }
  for (const [base, list] of subs) {
    for (const s of list) {
      const type = types.get(base) ?? "unknown";
      metrics[s.name] = stats(type, s.acc);
      accByName.set(s.name, { type, acc: s.acc });
    }
  }
  const classStats: Record<string, ClassStats> = {};
  for (const [name, c] of classes) {
    const t = (c.walk.values.length > 0 ? c.walk : c.dur).trend();
    classStats[name] = {
      requests: c.requests,
      failed: c.failed,
      latency: { avg: t.avg, min: t.min, med: t.med, p90: t["p(90)"], p95: t["p(95)"], p99: t["p(99)"], max: t.max },
    };
  }
  // NDJSON carries threshold sources (of whole metrics only) but not their outcome: the outcome is
  // recomputed, each threshold on the samples of the metric or submetric it names
  for (const [key, list] of Object.entries(opts.thresholds ?? {})) {
    const srcs = (Array.isArray(list) ? list : [list]).map(thresholdSource).filter((t): t is string => t !== null);
    const known = thresholdsByMetric.get(key) ?? [];
    thresholdsByMetric.set(key, [...known, ...srcs.filter((t) => !known.includes(t))]);
  }
  const thresholds: K6Results["thresholds"] = [];
  for (const [metric, list] of thresholdsByMetric) {
    const m = accByName.get(metric);
    for (const th of list) thresholds.push({ metric, threshold: th, ok: evalThreshold(m, th, durationSeconds) });
  }
  const lateArrivals = lateArrivalsOf(metrics);
  return {
    format: "ndjson", metrics, thresholds, checks: [...checks.values()], classes: classStats, requestsPerSecond: perSecond, durationSeconds,
    ...(lateArrivals ? { lateArrivals } : {}),
  };
}

/**
 * One threshold on a metric's (or submetric's) samples, with k6's aggregations: any p(N), not only
 * the percentiles `metrics` lists. A metric without samples, or an expression this cannot read,
 * counts as passed (k6 would have refused the expression before the test).
 */
function evalThreshold(m: { type: MetricStats["type"]; acc: Acc } | undefined, expr: string, durationSeconds: number): boolean {
  const r = parseThresholdExpr(expr);
  if (!m || !r) return true;
  const a = m.acc;
  const n = a.values.length;
  let v: number | undefined;
  if (r.percentile !== undefined) v = k6Percentile(Float64Array.from(a.values).sort(), r.percentile);
  else if (r.aggregation === "count") v = a.sum;
  else if (r.aggregation === "rate") v = m.type === "rate" ? (n ? a.nonZero / n : 0) : durationSeconds > 0 ? a.sum / durationSeconds : 0;
  else if (r.aggregation === "value") v = a.last;
  else if (r.aggregation === "avg") v = n ? a.sum / n : 0;
  else v = a.trend()[r.aggregation];
  if (v === undefined) return true;
  return thresholdHolds(v, r.op, r.bound);
}

/** Reads a `--summary-export` file: metrics flattened to values, thresholds as {expr: failed}. */
export async function readSummaryExport(path: string): Promise<K6Results> {
  let obj: any;
  try {
    obj = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new IngestError(`${path}: not a JSON summary export (${(e as Error).message})`);
  }
  if (!obj || typeof obj.metrics !== "object") throw new IngestError(`${path}: a summary export needs a "metrics" object`);
  const metrics: Record<string, MetricStats> = {};
  const thresholds: K6Results["thresholds"] = [];
  for (const [name, raw] of Object.entries<any>(obj.metrics)) {
    const { thresholds: th, ...values } = raw ?? {};
    for (const [expr, failed] of Object.entries<boolean>(th ?? {})) thresholds.push({ metric: name, threshold: expr, ok: !failed });
    let type: MetricStats["type"] = "unknown";
    if ("passes" in values && "fails" in values) {
      type = "rate";
      values.rate = values.value; // the legacy export names a rate's ratio `value`
      delete values.value;
    } else if ("count" in values && "rate" in values) type = "counter";
    else if ("avg" in values || "med" in values) type = "trend";
    else if ("value" in values) type = "gauge";
    metrics[name] = { type, values };
  }
  const checks: K6Results["checks"] = [];
  const walk = (g: any) => {
    for (const c of Object.values<any>(g?.checks ?? {})) checks.push({ path: c.path, name: c.name, passes: c.passes, fails: c.fails });
    for (const sub of Object.values<any>(g?.groups ?? {})) walk(sub);
  };
  walk(obj.root_group);
  const lateArrivals = lateArrivalsOf(metrics);
  return { format: "summary-export", metrics, thresholds, checks, ...(lateArrivals ? { lateArrivals } : {}) };
}

/** Reads either format, telling them apart by content; `opts` applies to NDJSON (see ReadOptions). */
export async function readK6Results(path: string, opts: ReadOptions = {}): Promise<K6Results> {
  if (!path.endsWith(".gz")) {
    // only the start of the file: NDJSON outputs run to gigabytes
    const fh = await open(path, "r");
    let head: string;
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead).toString("utf8").trimStart();
    } finally {
      await fh.close();
    }
    if (head.startsWith("{") && !/^\{[^\n]*"type"\s*:\s*"(Metric|Point)"/.test(head)) return readSummaryExport(path);
  }
  return readNdjson(path, opts);
}
