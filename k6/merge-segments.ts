// Merges the results of one test run by several load generators (one execution segment each) into
// the results one generator would have written: one NDJSON stream (every Point line of every part,
// verbatim, in time order; each Metric line once) and one summary export computed from all samples,
// with the thresholds judged on the merged data, not on any one part. Percentiles are exact (every
// sample kept, as k6 keeps them); rates divide by the longest part's run time.
// Trade-off: gauges (vus, vus_max) are per generator; the merged value is the last sample of any
// part, not the sum over parts, so they are not a count of all generators' VUs.
import { createReadStream, existsSync } from "node:fs";
import { open, readFile, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { defineBuiltins, Registry, type Metric, type MetricType, type ValueType } from "./runner/metrics.ts";
import { evaluateThresholds, parseThresholds, type Threshold } from "./runner/thresholds.ts";
import { GroupTree, legacySummaryExport, summaryData, type SummaryData } from "./runner/output/summary.ts";

export interface SegmentPart {
  ndjson: string;
  summary: string;
}

export interface MergedResult {
  summary: SummaryData;
  thresholds: Array<{ metric: string; threshold: string; ok: boolean }>;
  /** Points read from all parts; equals the Point lines written. */
  points: number;
  /** Thresholds naming a metric no part defined (a custom metric that got no sample): not judged. */
  unjudged: string[];
}

/** Time of an NDJSON Point line (epoch ms; Date.parse keeps the milliseconds, enough to order lines). */
const timeOf = (p: any): number => Date.parse(p.data.time);

/** Lines of a file, one at a time (big NDJSON files are never read whole). */
function lines(path: string): AsyncIterator<string> {
  return createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity })[Symbol.asyncIterator]();
}

/** The longest part's run time in ms, from its summary export: count / rate of any counter with samples. */
async function runTimeMs(parts: SegmentPart[], fallbackMs: number): Promise<number> {
  let best = 0;
  for (const p of parts) {
    if (!existsSync(p.summary)) continue;
    const m = JSON.parse(await readFile(p.summary, "utf8")).metrics ?? {};
    for (const name of ["iterations", "http_reqs", "data_sent"]) {
      const v = m[name];
      if (v && v.count > 0 && v.rate > 0) {
        best = Math.max(best, (v.count / v.rate) * 1000);
        break;
      }
    }
  }
  return best > 0 ? best : fallbackMs;
}

/**
 * Merges `parts` into `ndjsonOut` and `summaryOut`. `options` is the script's k6 options (their
 * thresholds and summaryTrendStats apply to the merged data).
 */
export async function mergeSegments(
  parts: SegmentPart[],
  options: { thresholds?: unknown; summaryTrendStats?: string[] },
  ndjsonOut: string,
  summaryOut: string,
): Promise<MergedResult> {
  const reg = new Registry();
  defineBuiltins(reg);
  const groups = new GroupTree();
  // pass 1: the metrics every part defined, so thresholds (and their submetrics) exist before samples
  const defined = new Map<string, string>(); // name -> its Metric line, the first seen
  for (const p of parts) {
    if (!existsSync(p.ndjson)) continue;
    const it = lines(p.ndjson);
    for (let r = await it.next(); !r.done; r = await it.next()) {
      if (!r.value.startsWith('{"type":"Metric"')) continue;
      const m = JSON.parse(r.value);
      if (defined.has(m.metric)) continue;
      defined.set(m.metric, r.value);
      reg.define(m.data.name, m.data.type as MetricType, m.data.contains as ValueType);
    }
  }
  const unjudged: string[] = [];
  const spec: Record<string, unknown> = {};
  for (const [key, v] of Object.entries((options.thresholds as Record<string, unknown>) ?? {})) {
    const base = key.includes("{") ? key.slice(0, key.indexOf("{")) : key;
    if (reg.get(base)) spec[key] = v;
    else unjudged.push(key);
  }
  const thresholds: Threshold[] = parseThresholds(reg, spec);

  // pass 2: a k-way merge by time of all parts' lines; every Point aggregated and written verbatim
  const out = await open(ndjsonOut, "w");
  let buf: string[] = [];
  let size = 0;
  const flush = async () => {
    if (buf.length) await out.write(buf.join("\n") + "\n");
    buf = [];
    size = 0;
  };
  const emit = async (line: string) => {
    buf.push(line);
    size += line.length;
    if (size > 1 << 16) await flush();
  };
  const written = new Set<string>();
  let points = 0;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  type Head = { it: AsyncIterator<string>; line: string; p: any; t: number };
  const heads: Head[] = [];
  const advance = async (h: { it: AsyncIterator<string> }): Promise<Head | null> => {
    for (let r = await h.it.next(); !r.done; r = await h.it.next()) {
      if (!r.value.trim()) continue;
      const p = JSON.parse(r.value);
      return { it: h.it, line: r.value, p, t: p.type === "Point" ? timeOf(p) : -Infinity };
    }
    return null;
  };
  try {
    for (const part of parts) {
      if (!existsSync(part.ndjson)) continue;
      const h = await advance({ it: lines(part.ndjson) });
      if (h) heads.push(h);
    }
    while (heads.length) {
      let k = 0;
      for (let i = 1; i < heads.length; i++) if (heads[i].t < heads[k].t) k = i;
      const h = heads[k];
      if (h.p.type === "Metric") {
        if (!written.has(h.p.metric)) {
          written.add(h.p.metric);
          await emit(defined.get(h.p.metric) ?? h.line);
        }
      } else if (h.p.type === "Point") {
        const metric: Metric | undefined = reg.get(h.p.metric);
        if (!metric) throw new Error(`a Point of metric '${h.p.metric}' comes before its Metric line`);
        const tags = h.p.data.tags ?? {};
        if (metric.name === "checks" && typeof tags.check === "string") groups.recordCheck(tags.group ?? "", tags.check, h.p.data.value !== 0);
        else if (typeof tags.group === "string" && tags.group) groups.ensure(tags.group);
        reg.push(metric, h.p.data.value, tags, h.t);
        await emit(h.line);
        points++;
        if (h.t < firstMs) firstMs = h.t;
        if (h.t > lastMs) lastMs = h.t;
      }
      const next = await advance(h);
      if (next) heads[k] = next;
      else heads.splice(k, 1);
    }
    await flush();
  } finally {
    await out.close();
  }
  const durationMs = await runTimeMs(parts, Number.isFinite(firstMs) ? lastMs - firstMs : 0);
  evaluateThresholds(thresholds, durationMs / 1000);
  const trendStats = options.summaryTrendStats ?? ["avg", "min", "med", "max", "p(90)", "p(95)"];
  const summary = summaryData(reg, thresholds, groups, trendStats, durationMs);
  await writeFile(summaryOut, legacySummaryExport(summary));
  return {
    summary,
    thresholds: thresholds.map((t) => ({ metric: t.metricName, threshold: t.source, ok: t.ok })),
    points,
    unjudged,
  };
}
