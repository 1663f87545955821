// Makes the committed trace fixtures from a real traced run's OTLP file (fit/traced-run.ts writes
// one): the first N complete traces, kept as the exporter wrote them (each OTLP line filtered to
// those traces' spans, nothing re-encoded), then the same spans written as Jaeger and Zipkin JSON by
// write-traces.ts. Usage: node bin/run-ts.mjs fit/make-fixtures.ts TRACES.otlp.jsonl OUT_PREFIX [N]
import { readFileSync, writeFileSync } from "node:fs";
import { readOtlpLines } from "./read-otlp.ts";
import { Notes, type Span } from "./span.ts";
import { toJaeger, toZipkin } from "./write-traces.ts";

const [input, prefix, count] = process.argv.slice(2);
if (!input || !prefix) {
  process.stderr.write("usage: make-fixtures.ts TRACES.otlp.jsonl OUT_PREFIX [N]\n");
  process.exit(2);
}
const n = Number(count ?? 30);
const lines = readFileSync(input, "utf8").split("\n").filter((l) => l.trim() !== "");
const spans: Span[] = [];
await readOtlpLines(lines, input, new Notes(), spans);
// Roots in start order; a trace is taken whole (its worker spans included).
const roots = spans.filter((s) => s.parentId === undefined).sort((a, b) => a.start - b.start);
const keep = new Set(roots.slice(0, n).map((s) => s.traceId));
const out: string[] = [];
for (const line of lines) {
  const req = JSON.parse(line) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string }> }> }> };
  for (const rs of req.resourceSpans) {
    for (const ss of rs.scopeSpans) ss.spans = ss.spans.filter((s) => keep.has(s.traceId.toLowerCase()));
    rs.scopeSpans = rs.scopeSpans.filter((ss) => ss.spans.length > 0);
  }
  req.resourceSpans = req.resourceSpans.filter((rs) => rs.scopeSpans.length > 0);
  if (req.resourceSpans.length) out.push(JSON.stringify(req));
}
const kept = spans.filter((s) => keep.has(s.traceId));
writeFileSync(`${prefix}.otlp.jsonl`, out.join("\n") + "\n");
writeFileSync(`${prefix}.jaeger.json`, toJaeger(kept) + "\n");
writeFileSync(`${prefix}.zipkin.json`, toZipkin(kept) + "\n");
process.stdout.write(`${keep.size} traces, ${kept.length} spans -> ${prefix}.{otlp.jsonl,jaeger.json,zipkin.json}\n`);
