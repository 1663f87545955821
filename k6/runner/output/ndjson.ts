// `--out json=FILE`: k6's NDJSON stream, one `Metric` line the first time a metric gets a sample, then
// one `Point` line per sample, with the field order and shapes of k6's output/json envelopes (its
// wrapper.go): a Metric line is {"type","data","metric"}, a Point line {"metric","type","data"}, and
// times are Go's time.Time JSON (RFC 3339, up to 9 fraction digits with trailing zeros trimmed, the
// local zone's offset or Z).
import { createWriteStream, type WriteStream } from "node:fs";
import type { Metric, SampleListener, Tags } from "../metrics.ts";

let cachedSecond = NaN;
let cachedHead = "";
let cachedZone = "";
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/**
 * Epoch ms (fractional: the runner's times come from performance.now()) as Go marshals a local
 * time.Time: RFC3339Nano. The sub-microsecond digits carry a double's rounding (~0.2 µs at today's
 * epoch). The date, time and zone are formatted once per second: this runs for every sample.
 */
export function goTimeJSON(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== cachedSecond) {
    const d = new Date(sec * 1000);
    const off = -d.getTimezoneOffset();
    cachedSecond = sec;
    cachedHead = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    cachedZone = off === 0 ? "Z" : `${off < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  }
  const ns = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6));
  if (ns === 0) return cachedHead + cachedZone;
  return `${cachedHead}.${pad(ns, 9).replace(/0+$/, "")}${cachedZone}`;
}

/** For tests: forget the cached second (e.g. after changing TZ). */
export function resetTimeCache(): void {
  cachedSecond = NaN;
}

function sortedTags(tags: Tags): Tags {
  const out: Tags = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k];
  return out;
}

/** The buffer is written at least this often (k6's json output also flushes on a timer), so a reader following the file sees the run as it goes. */
const FLUSH_MS = 200;

export class NdjsonOutput implements SampleListener {
  private readonly stream: WriteStream;
  private buf: string[] = [];
  private size = 0;
  private failed: Error | null = null;
  /** Writes the buffer every FLUSH_MS: the live dashboard follows the file while the run goes on. */
  private readonly flusher: ReturnType<typeof setInterval>;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
    this.stream.on("error", (e) => (this.failed = e));
    this.flusher = setInterval(() => this.flush(), FLUSH_MS);
    this.flusher.unref();
  }

  metricSeen(m: Metric): void {
    const submetrics = m.submetrics.length ? m.submetrics.map((s) => ({ name: s.name, suffix: s.suffix, tags: s.tags })) : null;
    this.write(
      JSON.stringify({
        type: "Metric",
        data: { name: m.name, type: m.type, contains: m.contains, thresholds: m.thresholds, submetrics },
        metric: m.name,
      }),
    );
  }

  sample(m: Metric, time: number, value: number, tags: Tags): void {
    this.write(
      `{"metric":${JSON.stringify(m.name)},"type":"Point","data":{"time":"${goTimeJSON(time)}","value":${value},"tags":${JSON.stringify(sortedTags(tags))}}}`,
    );
  }

  private write(line: string): void {
    this.buf.push(line);
    this.size += line.length;
    if (this.size > 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    this.stream.write(this.buf.join("\n") + "\n");
    this.buf = [];
    this.size = 0;
  }

  async close(): Promise<void> {
    clearInterval(this.flusher);
    this.flush();
    await new Promise<void>((resolve) => this.stream.end(resolve));
    if (this.failed) throw new Error(`cannot write ${this.path}: ${this.failed.message}`);
  }
}
