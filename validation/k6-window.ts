// Per-class request statistics from k6's NDJSON output restricted to a time window, so the
// measurement skips the same warm-up the simulator discards (a cold cache, connection set-up).
// A request's latency includes its own connection set-up (connect, TLS handshake), as its user waits.
// readK6Results (k6/ingest) reads the whole file first and rejects a truncated or foreign one.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { parseK6Time, IngestError } from "../k6/ingest/ingest.ts";
import { WALK_METRIC } from "../k6/plan.ts";
import type { Classifier } from "../k6/ingest/classify.ts";
import { percentile } from "../simulator/percentile.ts";

export interface WindowClassStats {
  requests: number;
  failed: number;
  /** successful requests completed per second of window (as the simulator's throughput) */
  throughput: number;
  /**
   * requests sent per second of window (start = sample time - duration; k6 stamps a request's
   * samples at its end): the load the generator really offered, which a Poisson schedule makes
   * differ from the nominal rate by chance (sd 1/sqrt(rate x window))
   */
  offeredRate: number;
  /**
   * A request's latency is what its user waited: http_req_duration plus its own http_req_connecting
   * and http_req_tls_handshaking (zero on a kept-alive connection), which k6 reports apart but the
   * model charges in the request's latency (a TLS handshake per new connection). p90 and p999 too,
   * so every latency key an SLO may name can be checked (validation/knee-search.ts).
   */
  latencyMs: { mean: number; p50: number; p95: number; p99: number; p90?: number; p999?: number };
}

export interface WindowStats {
  /** epoch ms of the first sample of the file */
  firstMs: number;
  lastMs: number;
  windowS: number;
  classes: Record<string, WindowClassStats>;
  /**
   * Arrivals the schedule held for the window: the requests sent in it plus the iterations k6
   * dropped in it (dropped_iterations: no free VU when an arrival was due). The model's open source
   * drops none, so a share of dropped arrivals is the generator, not the system, bending the load.
   */
  arrivals: { scheduled: number; dropped: number };
  /**
   * With regions: the same figures per region of the users (the script's `region` tag), over every
   * class (validation/region-level-rows.ts compares them with the model's per-region results).
   */
  regions?: Record<string, WindowClassStats>;
  /** with a classifier: requests (http_req_duration samples, whole file) that fit no class, by their name tag */
  unmatched?: Record<string, number>;
}

const regionOf = (tags: Record<string, string> | undefined): { region?: string } => (tags?.region !== undefined ? { region: tags.region } : {});

/**
 * Stats of http requests whose sample time lies in [first + fromS, first + toS). Throughput divides
 * by the window length (toS - fromS), which is the offered window, not the observed span. A
 * paginated class's request is its walk of pages (headroom_walk_duration), not each page.
 */
export async function windowStats(path: string, fromS: number, toS: number, classify?: Classifier): Promise<WindowStats> {
  const input = createReadStream(path);
  const lines = createInterface({ input: path.endsWith(".gz") ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
  let points: Sample[] = [];
  const walkPoints: Sample[] = [];
  let first = Infinity;
  let last = -Infinity;
  let n = 0;
  const drops: Array<{ t: number; v: number }> = [];
  const unmatched = new Map<string, number>();
  let lastDuration: { time: string | undefined; name: string; point: { v: number } } | undefined;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let obj: { type?: string; metric?: string; data?: { time?: string; value?: number; tags?: Record<string, string> } };
    try {
      obj = JSON.parse(line);
    } catch {
      throw new IngestError(`${path}:${n}: not a JSON line (truncated k6 output?)`);
    }
    if (obj.type !== "Point") continue;
    const t = parseK6Time(obj.data?.time ?? "");
    if (!Number.isFinite(t)) throw new IngestError(`${path}:${n}: Point without an RFC3339 time`);
    first = Math.min(first, t);
    last = Math.max(last, t);
    if ((obj.metric === "http_req_connecting" || obj.metric === "http_req_tls_handshaking") && lastDuration && lastDuration.time === obj.data?.time && lastDuration.name === (obj.data?.tags?.name ?? "")) {
      // the request's own connection set-up, which k6 keeps out of http_req_duration but its user
      // waits for (and the model charges: a TLS handshake per new connection): k6 and the built-in
      // runner write a request's samples one after another with the same time and tags
      lastDuration.point.v += Number(obj.data?.value) || 0;
      continue;
    }
    if (obj.metric === WALK_METRIC) {
      // a paginated class's walk of pages: the model's request (k6/scripts/scenario.ts tags it with
      // the walk's outcome); its pages' own samples are left out below
      const name = classify ? classify(obj.data?.tags) : (obj.data?.tags?.name ?? "");
      if (name !== undefined) walkPoints.push({ metric: "http_req_duration", t, v: Number(obj.data?.value), name, ok: obj.data?.tags?.expected_response !== "false", ...regionOf(obj.data?.tags) });
      continue;
    }
    if (obj.metric === "http_req_duration" || obj.metric === "http_req_failed") {
      const tags = obj.data?.tags;
      const name = classify ? classify(tags) : (tags?.name ?? "");
      if (name === undefined) {
        if (obj.metric === "http_req_duration") unmatched.set(tags?.name ?? tags?.url ?? "", (unmatched.get(tags?.name ?? tags?.url ?? "") ?? 0) + 1);
        continue;
      }
      const point: Sample = { metric: obj.metric, t, v: Number(obj.data?.value), name, ok: tags?.expected_response !== "false", ...regionOf(tags) };
      points.push(point);
      if (obj.metric === "http_req_duration") lastDuration = { time: obj.data?.time, name: tags?.name ?? "", point };
    } else if (obj.metric === "dropped_iterations") drops.push({ t, v: Number(obj.data?.value) });
  }
  if (!Number.isFinite(first)) throw new IngestError(`${path}: no samples at all; the load did not run`);
  if (walkPoints.length > 0) {
    // a paginated class counts walks, not pages: its walk's time is the latency, a walk with a
    // failed page one failed request (as the model, and k6/ingest, count them)
    const paged = new Set(walkPoints.map((w) => w.name));
    points = points.filter((p) => !paged.has(p.name));
    for (const w of walkPoints) points.push(w, { metric: "http_req_failed", t: w.t, v: w.ok ? 0 : 1, name: w.name, ok: w.ok, ...(w.region !== undefined ? { region: w.region } : {}) });
  }
  const lo = first + fromS * 1000;
  const hi = first + toS * 1000;
  const windowS = toS - fromS;
  const classes = groupStats(points, (p) => p.name, lo, hi, windowS);
  // with regions (k6/scripts/scenario.ts tags each request with its users' region): the same per region
  const regions = points.some((p) => p.region !== undefined) ? groupStats(points.filter((p) => p.region !== undefined), (p) => p.region!, lo, hi, windowS) : undefined;
  let started = 0;
  for (const p of points) if (p.metric === "http_req_duration" && p.t - p.v >= lo && p.t - p.v < hi) started++;
  let dropped = 0;
  for (const d of drops) if (d.t >= lo && d.t < hi && Number.isFinite(d.v)) dropped += d.v;
  const arrivals = { scheduled: started + dropped, dropped };
  return { firstMs: first, lastMs: last, windowS, classes, ...(regions ? { regions } : {}), arrivals, ...(classify ? { unmatched: Object.fromEntries(unmatched) } : {}) };
}

type Sample = { metric: string; t: number; v: number; name: string; ok: boolean; region?: string };

/** Requests whose sample time lies in [lo, hi), grouped by `key`: counts, failures, rates and the successful ones' latency. */
function groupStats(points: readonly Sample[], key: (p: Sample) => string, lo: number, hi: number, windowS: number): Record<string, WindowClassStats> {
  const durs = new Map<string, number[]>();
  const all = new Map<string, number>();
  const failed = new Map<string, number>();
  const started = new Map<string, number>();
  for (const p of points) {
    const name = key(p);
    if (p.metric === "http_req_duration" && p.t - p.v >= lo && p.t - p.v < hi) started.set(name, (started.get(name) ?? 0) + 1);
    if (p.t < lo || p.t >= hi) continue;
    if (p.metric === "http_req_duration") {
      all.set(name, (all.get(name) ?? 0) + 1);
      let a = durs.get(name);
      if (!a) durs.set(name, (a = []));
      // latency of successful requests only, as the simulator reports it (k6's
      // http_req_duration{expected_response:true}): a 503 after 3 s of connect retries is an error,
      // not a slow answer
      if (p.ok) a.push(p.v);
    } else if (p.v !== 0) failed.set(name, (failed.get(name) ?? 0) + 1);
  }
  const out: Record<string, WindowClassStats> = {};
  for (const [name, a] of durs) {
    const s = Float64Array.from(a).sort();
    let sum = 0;
    for (const x of s) sum += x;
    out[name] = {
      requests: all.get(name) ?? 0,
      failed: failed.get(name) ?? 0,
      throughput: s.length / windowS,
      offeredRate: (started.get(name) ?? 0) / windowS,
      latencyMs: { mean: s.length ? sum / s.length : NaN, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), p90: percentile(s, 90), p999: percentile(s, 99.9) },
    };
  }
  return out;
}
