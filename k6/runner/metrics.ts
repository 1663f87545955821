// k6's metric model: a registry of named metrics (counter, gauge, rate, trend), each with a sink that
// aggregates its samples, plus submetrics (`name{tag:value}`) fed by the samples whose tags match.
// Trends keep every sample (like k6) so percentiles are exact; that costs 8 bytes per sample.
import { percentile } from "../../simulator/percentile.ts";

export type MetricType = "counter" | "gauge" | "rate" | "trend";
export type ValueType = "default" | "time" | "data";
export type Tags = Record<string, string>;

let clockAnchor = Date.now() - performance.now();
/**
 * Wall-clock epoch ms with a fraction (Date.now() has whole ms): sample times carry sub-millisecond
 * digits like k6's time.Now(). The monotonic clock anchored to the wall clock at each run's start
 * (anchorClock), so a long-lived process does not drift from Date.now().
 */
export const epochMs = (): number => clockAnchor + performance.now();
export function anchorClock(): void {
  clockAnchor = Date.now() - performance.now();
}

/** Receives every sample after it is aggregated (the NDJSON output). */
export interface SampleListener {
  metricSeen(metric: Metric): void;
  sample(metric: Metric, time: number, value: number, tags: Tags): void;
}

export class Sink {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;
  nonZero = 0; // rate: passes
  private values: Float64Array | null;
  private sorted = true;

  constructor(readonly type: MetricType) {
    this.values = type === "trend" ? new Float64Array(1024) : null;
  }

  add(value: number): void {
    if (this.values) {
      if (this.count === this.values.length) {
        const grown = new Float64Array(this.values.length * 2);
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.count] = value;
      this.sorted = false;
    }
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value !== 0) this.nonZero++;
    this.last = value;
  }

  /** Percentile as k6 computes it: linear interpolation between the closest ranks. */
  percentile(p: number): number {
    if (!this.values || this.count === 0) return 0; // k6 prints 0 for an empty trend
    return percentile(this.sortedValues(), p);
  }

  private sortedValues(): Float64Array {
    const view = this.values!.subarray(0, this.count);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    return view;
  }
}

export interface Submetric {
  readonly name: string; // e.g. http_req_duration{name:get_product}
  readonly suffix: string; // name:get_product
  readonly tags: Tags;
  readonly sink: Sink;
  /** tags as parallel arrays: matched on every sample, cheaper than for..in */
  readonly keys: string[];
  readonly values: string[];
}

export class Metric {
  readonly sink: Sink;
  readonly submetrics: Submetric[] = [];
  /**
   * The thresholds keyed by exactly this metric's name, as k6's JSON output writes them in the Metric
   * line: the expression, or {threshold, abortOnFail, delayAbortEval} when abortOnFail is set.
   * Submetric thresholds (`name{tag:value}`) are not here: k6 keys them by the submetric's name.
   */
  thresholds: Array<string | { threshold: string; abortOnFail: boolean; delayAbortEval: string | null }> = [];
  seen = false;

  constructor(
    readonly name: string,
    readonly type: MetricType,
    readonly contains: ValueType,
  ) {
    this.sink = new Sink(type);
  }

  submetric(selector: string): Submetric {
    const existing = this.submetrics.find((s) => s.suffix === selector);
    if (existing) return existing;
    const tags: Tags = {};
    for (const part of selector.split(",")) {
      const idx = part.indexOf(":");
      if (idx <= 0) throw new Error(`invalid submetric selector '${this.name}{${selector}}': expected tag:value pairs`);
      tags[part.slice(0, idx).trim()] = part.slice(idx + 1).trim().replace(/^["']|["']$/g, "");
    }
    const sub = { name: `${this.name}{${selector}}`, suffix: selector, tags, sink: new Sink(this.type), keys: Object.keys(tags), values: Object.values(tags) };
    this.submetrics.push(sub);
    return sub;
  }
}

const NAME_RE = /^[\p{L}\p{N}\._ !\?\/&#\(\)<>%-]{1,128}$/u;

export class Registry {
  readonly metrics = new Map<string, Metric>();
  private listener: SampleListener | null = null;

  setListener(listener: SampleListener | null): void {
    this.listener = listener;
  }

  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  define(name: string, type: MetricType, contains: ValueType = "default"): Metric {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) {
        throw new Error(`metric '${name}' already exists with type ${existing.type}, cannot redefine it as ${type}`);
      }
      return existing;
    }
    if (!NAME_RE.test(name)) throw new Error(`invalid metric name '${name}'`);
    const metric = new Metric(name, type, contains);
    this.metrics.set(name, metric);
    return metric;
  }

  /** Records one sample: aggregates it into the metric and matching submetrics, then tells the listener. */
  push(metric: Metric, value: number, tags: Tags, time?: number): void {
    if (!metric.seen) {
      metric.seen = true;
      this.listener?.metricSeen(metric);
    }
    metric.sink.add(value);
    const subs = metric.submetrics;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i];
      const keys = sub.keys;
      let match = true;
      for (let j = 0; j < keys.length; j++) {
        if (tags[keys[j]] !== sub.values[j]) {
          match = false;
          break;
        }
      }
      if (match) sub.sink.add(value);
    }
    if (this.listener) this.listener.sample(metric, time ?? epochMs(), value, tags);
  }
}

/** The metrics k6 always defines, by name. */
export interface BuiltinMetrics {
  vus: Metric;
  vus_max: Metric;
  iterations: Metric;
  iteration_duration: Metric;
  dropped_iterations: Metric;
  data_sent: Metric;
  data_received: Metric;
  checks: Metric;
  group_duration: Metric;
  http_reqs: Metric;
  http_req_duration: Metric;
  http_req_blocked: Metric;
  http_req_connecting: Metric;
  http_req_tls_handshaking: Metric;
  http_req_sending: Metric;
  http_req_waiting: Metric;
  http_req_receiving: Metric;
  http_req_failed: Metric;
  /**
   * Not a k6 metric: iterations cut by the end of gracefulStop/gracefulRampDown or by an abort. k6 counts
   * them only in its progress line ("N complete and M interrupted iterations") and in
   * exec.instance.iterationsInterrupted; the runner also writes them here so the NDJSON and summary
   * export show them. Like any metric it is written only once it has a sample: in runs that cut an iteration.
   */
  interrupted_iterations: Metric;
}

/** The name of the runner's one metric that k6 does not have (see BuiltinMetrics.interrupted_iterations). */
export const INTERRUPTED_ITERATIONS_METRIC = "headroom_interrupted_iterations";

export function defineBuiltins(r: Registry): BuiltinMetrics {
  return {
    vus: r.define("vus", "gauge"),
    vus_max: r.define("vus_max", "gauge"),
    iterations: r.define("iterations", "counter"),
    iteration_duration: r.define("iteration_duration", "trend", "time"),
    dropped_iterations: r.define("dropped_iterations", "counter"),
    data_sent: r.define("data_sent", "counter", "data"),
    data_received: r.define("data_received", "counter", "data"),
    checks: r.define("checks", "rate"),
    group_duration: r.define("group_duration", "trend", "time"),
    http_reqs: r.define("http_reqs", "counter"),
    http_req_duration: r.define("http_req_duration", "trend", "time"),
    http_req_blocked: r.define("http_req_blocked", "trend", "time"),
    http_req_connecting: r.define("http_req_connecting", "trend", "time"),
    http_req_tls_handshaking: r.define("http_req_tls_handshaking", "trend", "time"),
    http_req_sending: r.define("http_req_sending", "trend", "time"),
    http_req_waiting: r.define("http_req_waiting", "trend", "time"),
    http_req_receiving: r.define("http_req_receiving", "trend", "time"),
    http_req_failed: r.define("http_req_failed", "rate"),
    interrupted_iterations: r.define(INTERRUPTED_ITERATIONS_METRIC, "counter"),
  };
}
