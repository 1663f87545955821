// Per-second figures of a k6 run while it is still running, for the live dashboard (`--dashboard`):
// the same NDJSON Point lines readNdjson reads at the end, with its rules (a class is the `name`
// tag; a paginated class counts its first page as the request and its walk as the latency; a
// failed page is a failed request), cut into one-second intervals from the first sample. An
// interval is handed out once samples more than GRACE_MS past its end have been seen (the
// engines write samples in about time order, flushed every 200 ms), or when the run ends.
import { percentile } from "../../simulator/percentile.ts";
import { WALK_METRIC } from "../plan.ts";
import { parseK6Time } from "./ingest.ts";

/** One class in one interval: completed requests/s, failed requests/s, latency percentiles (ms; null without requests). */
export interface IntervalClass {
  throughput: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** One measured interval; t is its end in seconds from the first sample (as the simulator's series). */
export interface MeasuredInterval {
  t: number;
  intervalS: number;
  /** Arrivals per second: iterations plus dropped_iterations (an open load's arrivals that found no free VU). */
  offered: number;
  classes: Record<string, IntervalClass>;
}

/** How far past an interval's end samples must have been seen before it is handed out. */
export const GRACE_MS = 1500;
/** Samples this far before the first one (out of order) go to the first interval. */
const INTERVAL_MS = 1000;

interface ClassAcc { requests: number; failed: number; dur: number[]; walk: number[] }
interface Bucket { offered: number; classes: Map<string, ClassAcc> }

export class IntervalAggregator {
  private origin = Number.NaN;
  private latest = Number.NEGATIVE_INFINITY;
  private next = 0;
  private readonly buckets = new Map<number, Bucket>();

  /** One parsed NDJSON line (Metric lines and lines that are not samples are ignored). */
  add(line: { type?: unknown; metric?: unknown; data?: { time?: unknown; value?: unknown; tags?: Record<string, string> } }): void {
    if (line.type !== "Point" || typeof line.metric !== "string") return;
    const value = line.data?.value;
    const time = parseK6Time(typeof line.data?.time === "string" ? line.data.time : "");
    if (typeof value !== "number" || Number.isNaN(time)) return;
    if (Number.isNaN(this.origin)) this.origin = time;
    if (time > this.latest) this.latest = time;
    const metric = line.metric;
    const counted = metric === "iterations" || metric === "dropped_iterations";
    const perClass = metric === "http_req_duration" || metric === "http_reqs" || metric === "http_req_failed" || metric === WALK_METRIC;
    if (!counted && !perClass) return;
    // an interval already handed out takes no more samples: a straggler counts in the next one open
    const index = Math.max(this.next, Math.floor((time - this.origin) / INTERVAL_MS));
    let b = this.buckets.get(index);
    if (!b) this.buckets.set(index, (b = { offered: 0, classes: new Map() }));
    if (counted) {
      b.offered += value;
      return;
    }
    const tags = line.data?.tags;
    const name = tags?.name ?? tags?.url ?? "";
    let c = b.classes.get(name);
    if (!c) b.classes.set(name, (c = { requests: 0, failed: 0, dur: [], walk: [] }));
    const laterPage = tags?.page !== undefined && tags.page !== "1";
    if (metric === WALK_METRIC) c.walk.push(value);
    else if (metric === "http_req_duration") c.dur.push(value);
    else if (metric === "http_reqs") {
      if (!laterPage) c.requests += value;
    } else if (value !== 0) c.failed++;
  }

  /** The intervals complete so far (every one left when `final`), in time order, each once. */
  take(final = false): MeasuredInterval[] {
    if (Number.isNaN(this.origin)) return [];
    const out: MeasuredInterval[] = [];
    // at the end: up to the second of the last sample (a straggler's bucket may be later still)
    const last = final ? Math.max(Math.floor((this.latest - this.origin) / INTERVAL_MS), ...this.buckets.keys()) : Math.floor((this.latest - GRACE_MS - this.origin) / INTERVAL_MS) - 1;
    for (; this.next <= last; this.next++) {
      const b = this.buckets.get(this.next);
      this.buckets.delete(this.next);
      out.push(intervalOf(this.next, b));
    }
    return out;
  }
}

const pct = (sorted: Float64Array, p: number): number | null => (sorted.length ? percentile(sorted, p) : null);

function intervalOf(index: number, b: Bucket | undefined): MeasuredInterval {
  const seconds = INTERVAL_MS / 1000;
  const classes: Record<string, IntervalClass> = {};
  for (const [name, c] of b?.classes ?? []) {
    const sorted = Float64Array.from(c.walk.length ? c.walk : c.dur).sort();
    classes[name] = { throughput: c.requests / seconds, errors: c.failed / seconds, p50Ms: pct(sorted, 50), p95Ms: pct(sorted, 95), p99Ms: pct(sorted, 99) };
  }
  return { t: (index + 1) * seconds, intervalS: seconds, offered: (b?.offered ?? 0) / seconds, classes };
}
