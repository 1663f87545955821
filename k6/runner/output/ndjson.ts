// `--out json=FILE`: k6's NDJSON stream, one `Metric` line the first time a metric gets a sample, then
// one `Point` line per sample, with the field order and shapes of k6's output/json envelopes.
import { createWriteStream, type WriteStream } from "node:fs";
import type { Metric, SampleListener, Tags } from "../metrics.ts";

function sortedTags(tags: Tags): Tags {
  const out: Tags = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k];
  return out;
}

export class NdjsonOutput implements SampleListener {
  private readonly stream: WriteStream;
  private buf: string[] = [];
  private size = 0;
  private failed: Error | null = null;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
    this.stream.on("error", (e) => (this.failed = e));
  }

  metricSeen(m: Metric): void {
    const submetrics = m.submetrics.length ? m.submetrics.map((s) => ({ name: s.name, suffix: s.suffix, tags: s.tags })) : null;
    this.write(
      JSON.stringify({
        metric: m.name,
        type: "Metric",
        data: { name: m.name, type: m.type, contains: m.contains, thresholds: m.thresholds, submetrics },
      }),
    );
  }

  sample(m: Metric, time: number, value: number, tags: Tags): void {
    this.write(
      `{"metric":${JSON.stringify(m.name)},"type":"Point","data":{"time":"${new Date(time).toISOString()}","value":${value},"tags":${JSON.stringify(sortedTags(tags))}}}`,
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
    this.flush();
    await new Promise<void>((resolve) => this.stream.end(resolve));
    if (this.failed) throw new Error(`cannot write ${this.path}: ${this.failed.message}`);
  }
}
