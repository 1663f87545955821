// Jaeger's JSON (the query API's and the UI's "Download JSON": {"data": [trace, ...]}), each trace
// with its spans and a processes table. Streamed trace by trace (json-elements.ts). Trades away
// FOLLOWS_FROM references other than as the parent when no CHILD_OF is given, and span logs.
import { JsonArrayElements } from "./json-elements.ts";
import { spanIdsIn } from "./read-otlp.ts";
import type { AttrValue, Notes, Span, SpanKind } from "./span.ts";

interface JaegerTag { key?: unknown; value?: unknown }

function tagsOf(tags: unknown): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  if (!Array.isArray(tags)) return out;
  for (const t of tags as JaegerTag[]) {
    if (typeof t?.key !== "string") continue;
    const v = t.value;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[t.key] = v;
  }
  return out;
}

const KINDS: Record<string, SpanKind> = { server: "server", client: "client", producer: "producer", consumer: "consumer", internal: "internal" };

export function spansOfJaegerTrace(trace: unknown, notes: Notes, where: string, into: Span[]): void {
  const t = trace as { spans?: unknown; processes?: Record<string, { serviceName?: unknown; tags?: unknown }> };
  if (!Array.isArray(t?.spans)) {
    notes.add("Jaeger trace without spans (dropped)", 0, where);
    return;
  }
  const processes = t.processes && typeof t.processes === "object" ? t.processes : {};
  for (const s of t.spans) {
    if (typeof s?.traceID !== "string" || typeof s?.spanID !== "string") {
      notes.add("span without traceID or spanID (dropped)", 1, where);
      continue;
    }
    if (typeof s.startTime !== "number" || typeof s.duration !== "number" || s.duration < 0) {
      notes.add("span without valid startTime and duration (dropped)", 1, `${where}: span ${s.spanID}`);
      continue;
    }
    const refs: Array<{ refType?: string; spanID?: string }> = Array.isArray(s.references) ? s.references : [];
    const parent = refs.find((r) => r?.refType === "CHILD_OF") ?? refs[0];
    const proc = processes[s.processID as string];
    const ptags = tagsOf(proc?.tags);
    const tags = tagsOf(s.tags);
    const service = typeof proc?.serviceName === "string" ? proc.serviceName : undefined;
    if (service === undefined) notes.add("span whose process has no serviceName (counted as service 'unknown')", 1, where);
    into.push({
      traceId: s.traceID.toLowerCase(),
      spanId: s.spanID.toLowerCase(),
      parentId: typeof parent?.spanID === "string" && parent.spanID !== "" ? parent.spanID.toLowerCase() : undefined,
      service: service ?? "unknown",
      instance: ptags["service.instance.id"] === undefined ? undefined : String(ptags["service.instance.id"]),
      name: typeof s.operationName === "string" ? s.operationName : "",
      kind: KINDS[String(tags["span.kind"] ?? "internal")] ?? "internal",
      start: s.startTime,
      end: s.startTime + s.duration,
      attributes: tags,
      error: tags["error"] === true || tags["otel.status_code"] === "ERROR",
    });
  }
}

export async function readJaeger(chunks: AsyncIterable<string> | Iterable<string>, file: string, notes: Notes, into: Span[]): Promise<void> {
  const scanner = new JsonArrayElements({
    element(text, index) {
      let trace: unknown;
      try {
        trace = JSON.parse(text);
      } catch {
        notes.add("Jaeger trace that is not valid JSON (its spans dropped)", spanIdsIn(text, '"spanID"'), `${file}: trace #${index}`);
        return;
      }
      spansOfJaegerTrace(trace, notes, `${file}: trace #${index}`, into);
    },
  });
  for await (const c of chunks) scanner.push(c);
  const end = scanner.end();
  if (end.noArray) notes.add("no {\"data\": [...]} array of traces (nothing read)", 0, file);
  if (end.truncated) notes.add("truncated JSON at the end of the file (its spans dropped)", spanIdsIn(end.truncated, '"spanID"'), `${file}: trace #${end.elements + 1}, ${end.truncated.length} characters`);
}
