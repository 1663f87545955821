// Per-class figures from a k6 end-of-test summary, in either JSON shape: `--summary-export`
// (metrics flattened: {"http_reqs": {count, rate}}) or the data a script's handleSummary() writes
// (metrics as {type, contains, values: {...}}, and state.testRunDurationMs). A summary holds per-class
// figures only as submetrics (`http_req_duration{name:get_item}`), which k6 writes when a threshold
// names them; a scenario with one class can use the whole-run metrics instead. Trades away what a
// summary never had: the time series (so no warm-up can be cut) and percentiles k6 was not asked
// for (p(99) needs --summary-trend-stats); those are NaN here and reported as not measured.
import { readFile } from "node:fs/promises";
import { IngestError, parseSubmetric } from "./ingest.ts";
import type { Classifier } from "./classify.ts";

export interface SummaryClass {
  requests: number;
  failed: number;
  /** latency of successful requests when the summary has `expected_response:true`, else of all */
  latencyMs: { mean: number; p50: number; p90: number; p95: number; p99: number };
  /** which latency figures k6 left out of the summary (e.g. p99) */
  missing: string[];
}

export interface SummaryClasses {
  format: "summary-export" | "handle-summary";
  durationS: number;
  classes: Record<string, SummaryClass>;
  /** the whole run's requests that fit no class (when the summary has per-name submetrics) */
  unmatched: Record<string, number>;
  notes: string[];
}

type Values = Record<string, number>;

/** Whether a JSON object is a k6 summary (either shape), for telling it from NDJSON. */
export function isSummary(obj: unknown): boolean {
  return !!obj && typeof obj === "object" && typeof (obj as { metrics?: unknown }).metrics === "object";
}

export async function readSummaryClasses(path: string, classOf: Classifier, classNames: readonly string[]): Promise<SummaryClasses> {
  let obj: { metrics?: Record<string, unknown>; state?: { testRunDurationMs?: number } };
  try {
    obj = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new IngestError(`${path}: not a k6 summary JSON (${(e as Error).message})`);
  }
  if (!isSummary(obj)) throw new IngestError(`${path}: a k6 summary needs a "metrics" object (from --summary-export or handleSummary)`);
  const raw = obj.metrics!;
  const handle = Object.values(raw).some((m) => !!m && typeof m === "object" && "values" in m && "type" in m);
  const values = (m: unknown): Values => (handle ? ((m as { values?: Values })?.values ?? {}) : ((m ?? {}) as Values));
  const reqs = values(raw["http_reqs"]);
  const durationS = obj.state?.testRunDurationMs !== undefined ? obj.state.testRunDurationMs / 1000 : reqs.count > 0 && reqs.rate > 0 ? reqs.count / reqs.rate : NaN;
  if (!(durationS > 0)) throw new IngestError(`${path}: no http_reqs count and rate (nor state.testRunDurationMs): cannot tell the run's length`);
  const notes: string[] = [];
  // base metric -> class -> the submetric's values; expected_response:true preferred for latency
  const per = new Map<string, Map<string, { all?: Values; ok?: Values }>>();
  const unmatched: Record<string, number> = {};
  for (const [key, m] of Object.entries(raw)) {
    const { base, tags } = parseSubmetric(key);
    if (!tags.length) continue;
    const t = Object.fromEntries(tags);
    if (t.name === undefined && t.url === undefined) continue; // e.g. {expected_response:true} of the whole run
    const other = Object.keys(t).filter((k) => k !== "name" && k !== "url" && k !== "method" && k !== "expected_response");
    if (other.length) continue; // a scenario, group or status slice: not a class's figures
    const cls = classOf(t);
    if (cls === undefined) {
      if (base === "http_reqs") unmatched[t.name ?? t.url] = values(m).count ?? 0;
      continue;
    }
    let byClass = per.get(base);
    if (!byClass) per.set(base, (byClass = new Map()));
    let e = byClass.get(cls);
    if (!e) byClass.set(cls, (e = {}));
    if (t.expected_response === "true") e.ok = values(m);
    else if (t.expected_response === undefined) e.all = values(m);
  }
  const classes: Record<string, SummaryClass> = {};
  // one class: the whole run's metrics are its own where no submetric names it
  const single = classNames.length === 1;
  const wholeOk = Object.entries(raw).find(([k]) => k.startsWith("http_req_duration{") && parseSubmetric(k).tags.map(([t]) => t).join() === "expected_response")?.[1];
  const whole = { http_reqs: { all: values(raw["http_reqs"]) }, http_req_duration: { all: values(raw["http_req_duration"]), ok: wholeOk ? values(wholeOk) : undefined }, http_req_failed: { all: values(raw["http_req_failed"]) } } as Record<string, { all?: Values; ok?: Values }>;
  const usedWhole = new Set<string>();
  for (const name of classNames) {
    const pick = (base: string): { all?: Values; ok?: Values } | undefined => {
      const own = per.get(base)?.get(name);
      if (own && (own.all || own.ok)) return own;
      if (!single || !raw[base]) return undefined;
      usedWhole.add(base);
      return whole[base];
    };
    const r = pick("http_reqs");
    const d = pick("http_req_duration");
    const f = pick("http_req_failed");
    if (!r?.all && !d) continue;
    if (!r?.all) {
      notes.push(`class ${name}: the summary has its latency but no http_reqs{name:${name}} count, so its rate is unknown (a threshold on http_reqs{name:${name}} makes k6 write it)`);
      continue;
    }
    const lat = (base: string) => pick(base)?.ok ?? pick(base)?.all ?? {};
    const l = lat("http_req_duration");
    const requests = r.all.count ?? NaN;
    const fv = f?.all;
    const failed = fv ? (fv.passes ?? (fv.rate ?? fv.value ?? 0) * requests) : 0;
    const fig = (k: string) => (typeof l[k] === "number" ? l[k] : NaN);
    const keys = { mean: "avg", p50: "med", p90: "p(90)", p95: "p(95)", p99: "p(99)" };
    classes[name] = {
      requests,
      failed,
      latencyMs: { mean: fig("avg"), p50: fig("med"), p90: fig("p(90)"), p95: fig("p(95)"), p99: fig("p(99)") },
      missing: Object.entries(keys).filter(([, k]) => typeof l[k] !== "number").map(([m]) => m),
    };
  }
  if (!per.size && !single) notes.push("the summary has no per-class submetrics (http_reqs{name:...}, http_req_duration{name:...}); k6 writes them only for submetrics a threshold names");
  if (usedWhole.size) notes.push(`one class (${classNames[0]}): the whole run's ${[...usedWhole].join(", ")} taken as its own`);
  return { format: handle ? "handle-summary" : "summary-export", durationS, classes, unmatched, notes };
}
