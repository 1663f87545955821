// k6 thresholds: parses `options.thresholds` ("p(95)<150", {threshold, abortOnFail, delayAbortEval})
// and evaluates them against metric sinks, the way k6 does at the end and during the run.
import type { Metric, Registry, Sink } from "./metrics.ts";
import { parseDuration } from "./options.ts";
import { parseThresholdExpr, thresholdHolds, type ThresholdOp } from "../threshold-expr.ts";

export interface Threshold {
  readonly source: string; // the expression as written, the key in summaries
  readonly metricName: string; // e.g. http_req_duration{name:x}
  readonly aggregation: string; // avg | min | max | med | count | rate | value | p(N)
  readonly op: ThresholdOp;
  readonly value: number;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number;
  readonly sink: Sink;
  ok: boolean;
}

const ALLOWED: Record<string, string[]> = {
  counter: ["count", "rate"],
  gauge: ["value"],
  rate: ["rate"],
  trend: ["avg", "min", "max", "med", "p"],
};

/** Builds thresholds from options.thresholds, defining submetrics as needed; throws on bad syntax. */
export function parseThresholds(registry: Registry, spec: unknown): Threshold[] {
  if (spec == null) return [];
  if (typeof spec !== "object" || Array.isArray(spec)) throw new Error("options.thresholds must be an object");
  const out: Threshold[] = [];
  for (const [key, list] of Object.entries(spec as Record<string, unknown>)) {
    const brace = key.indexOf("{");
    const base = brace >= 0 ? key.slice(0, brace) : key;
    const metric: Metric | undefined = registry.get(base);
    if (!metric) {
      throw new Error(`invalid threshold for '${key}': no metric named '${base}' is defined (define custom metrics in the init context)`);
    }
    let sink = metric.sink;
    if (brace >= 0) {
      if (!key.endsWith("}")) throw new Error(`invalid threshold metric '${key}': missing '}'`);
      sink = metric.submetric(key.slice(brace + 1, -1)).sink;
    }
    const items = Array.isArray(list) ? list : [list];
    for (const item of items) {
      const obj = typeof item === "string" ? { threshold: item } : (item as Record<string, unknown>);
      const source = obj?.threshold;
      if (typeof source !== "string") throw new Error(`invalid threshold for '${key}': expected a string or {threshold: string}`);
      const m = parseThresholdExpr(source);
      if (!m) throw new Error(`invalid threshold expression '${source}' for '${key}': expected e.g. 'p(95)<200', 'rate<0.01', 'count>10'`);
      const aggregation = m.aggregation;
      const kind = aggregation.startsWith("p(") ? "p" : aggregation;
      if (!ALLOWED[metric.type].includes(kind)) {
        throw new Error(`invalid threshold '${source}' for '${key}': a ${metric.type} metric supports ${ALLOWED[metric.type].join(", ")}`);
      }
      const abortOnFail = obj.abortOnFail === true;
      const delayAbortEvalMs = obj.delayAbortEval ? parseDuration(obj.delayAbortEval, "delayAbortEval") : 0;
      if (brace < 0) {
        metric.thresholds.push(abortOnFail ? { threshold: source, abortOnFail, delayAbortEval: obj.delayAbortEval ? goDuration(delayAbortEvalMs) : null } : source);
      }
      out.push({
        source,
        metricName: key,
        aggregation,
        op: m.op,
        value: m.bound,
        abortOnFail,
        delayAbortEvalMs,
        sink,
        ok: true,
      });
    }
  }
  return out;
}

/** A duration in ms as Go's time.Duration.String() prints it ("10s", "1m30s", "1h0m0s", "500ms"), as k6 writes delayAbortEval. */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  const a = Math.abs(ms);
  const num = (x: number) => String(+x.toFixed(9));
  if (a < 1e-3) return `${sign}${num(a * 1e6)}ns`;
  if (a < 1) return `${sign}${num(a * 1e3)}µs`;
  if (a < 1000) return `${sign}${num(a)}ms`;
  const h = Math.floor(a / 3_600_000);
  const m = Math.floor((a % 3_600_000) / 60_000);
  const s = (a % 60_000) / 1000;
  return `${sign}${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${num(s)}s`;
}

export function aggregate(sink: Sink, aggregation: string, elapsedSeconds: number): number {
  switch (aggregation) {
    case "count":
      return sink.sum;
    case "rate":
      return sink.type === "rate" ? (sink.count ? sink.nonZero / sink.count : 0) : elapsedSeconds > 0 ? sink.sum / elapsedSeconds : 0;
    case "value":
      return sink.last;
    case "avg":
      return sink.count ? sink.sum / sink.count : 0;
    case "min":
      return sink.count ? sink.min : 0;
    case "max":
      return sink.count ? sink.max : 0;
    case "med":
      return sink.percentile(50);
    default:
      return sink.percentile(Number(aggregation.slice(2, -1)));
  }
}

/**
 * Re-evaluates every threshold; returns the one that demands an abort, if any. As k6 v0.48 does
 * (metrics/engine/engine.go, metrics/thresholds.go): during the run (`ignoreEmpty`) a threshold whose
 * sink has no sample yet is skipped and keeps its last verdict; at the end every threshold is
 * evaluated on its sink even when empty, where a trend's, counter's and gauge's aggregations are 0
 * (so `p(95)<150` passes on no sample at all) and a Rate without samples has no `rate`, which k6
 * counts as a pass.
 */
export function evaluateThresholds(thresholds: Threshold[], elapsedSeconds: number, ignoreEmpty = false): Threshold | undefined {
  let abort: Threshold | undefined;
  for (const t of thresholds) {
    if (t.sink.count === 0) {
      if (ignoreEmpty) continue;
      if (t.sink.type === "rate") {
        t.ok = true;
        continue;
      }
    }
    t.ok = thresholdHolds(aggregate(t.sink, t.aggregation, elapsedSeconds), t.op, t.value);
    if (!t.ok && t.abortOnFail && elapsedSeconds * 1000 >= t.delayAbortEvalMs && !abort) abort = t;
  }
  return abort;
}
