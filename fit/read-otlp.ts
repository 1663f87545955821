// OTLP/JSON as the OpenTelemetry Collector's file exporter (and Headroom's own receiver) writes it:
// one ExportTraceServiceRequest JSON object per line. Read line by line, so a file of any size needs
// memory for one line plus the spans kept. Trades away OTLP/protobuf (not text) and span events/links
// (the model does not use them).
import { microsFromNanos, type AttrValue, type Notes, type Span, type SpanKind } from "./span.ts";

const KINDS: Record<string, SpanKind> = {
  "0": "internal", "1": "internal", "2": "server", "3": "client", "4": "producer", "5": "consumer",
  SPAN_KIND_UNSPECIFIED: "internal", SPAN_KIND_INTERNAL: "internal", SPAN_KIND_SERVER: "server",
  SPAN_KIND_CLIENT: "client", SPAN_KIND_PRODUCER: "producer", SPAN_KIND_CONSUMER: "consumer",
};

interface OtlpValue {
  stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}

function attrValue(v: OtlpValue | undefined): AttrValue | undefined {
  if (!v || typeof v !== "object") return undefined;
  if (typeof v.stringValue === "string") return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (typeof v.doubleValue === "number") return v.doubleValue;
  if (typeof v.boolValue === "boolean") return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(attrValue).join(",");
  return undefined;
}

export function otlpAttributes(list: unknown): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  if (!Array.isArray(list)) return out;
  for (const a of list as Array<{ key?: unknown; value?: OtlpValue }>) {
    if (typeof a?.key !== "string") continue;
    const v = attrValue(a.value);
    if (v !== undefined) out[a.key] = v;
  }
  return out;
}

/** Spans of one ExportTraceServiceRequest object; malformed spans are noted and skipped. */
export function spansOfOtlpRequest(req: unknown, notes: Notes, where: string, into: Span[]): void {
  const resourceSpans = (req as { resourceSpans?: unknown })?.resourceSpans;
  if (!Array.isArray(resourceSpans)) {
    notes.add("OTLP object without resourceSpans (dropped)", 0, where);
    return;
  }
  for (const rs of resourceSpans) {
    const resource = otlpAttributes(rs?.resource?.attributes);
    const service = typeof resource["service.name"] === "string" ? resource["service.name"] : undefined;
    const instance = resource["service.instance.id"] === undefined ? undefined : String(resource["service.instance.id"]);
    for (const ss of Array.isArray(rs?.scopeSpans) ? rs.scopeSpans : Array.isArray(rs?.instrumentationLibrarySpans) ? rs.instrumentationLibrarySpans : []) {
      for (const s of Array.isArray(ss?.spans) ? ss.spans : []) {
        const start = microsFromNanos(s?.startTimeUnixNano);
        const end = microsFromNanos(s?.endTimeUnixNano);
        if (typeof s?.traceId !== "string" || typeof s?.spanId !== "string" || s.traceId === "" || s.spanId === "") {
          notes.add("span without traceId or spanId (dropped)", 1, where);
          continue;
        }
        if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
          notes.add("span without valid start and end times (dropped)", 1, `${where}: span ${s.spanId}`);
          continue;
        }
        if (service === undefined) notes.add("span without service.name (counted as service 'unknown')", 1, where);
        into.push({
          traceId: s.traceId.toLowerCase(),
          spanId: s.spanId.toLowerCase(),
          parentId: typeof s.parentSpanId === "string" && s.parentSpanId !== "" ? s.parentSpanId.toLowerCase() : undefined,
          service: service ?? "unknown",
          instance,
          name: typeof s.name === "string" ? s.name : "",
          kind: KINDS[String(s.kind ?? 0)] ?? "internal",
          start,
          end,
          attributes: otlpAttributes(s.attributes),
          error: s.status?.code === 2 || s.status?.code === "STATUS_CODE_ERROR",
        });
      }
    }
  }
}

/** How many spans a text that could not be parsed held, as far as its span ids tell. */
export function spanIdsIn(text: string, field: string): number {
  let n = 0;
  for (let i = text.indexOf(field); i >= 0; i = text.indexOf(field, i + field.length)) n++;
  return n;
}

/** Reads OTLP/JSON lines; a line that is not JSON is noted (a last one as truncated). */
export async function readOtlpLines(lines: AsyncIterable<string> | Iterable<string>, file: string, notes: Notes, into: Span[]): Promise<void> {
  let pending: { text: string; line: number } | undefined;
  let lineNo = 0;
  const flushBad = (last: boolean) => {
    if (!pending) return;
    const n = spanIdsIn(pending.text, '"spanId"');
    notes.add(last ? "truncated JSON at the end of the file (its spans dropped)" : "line that is not valid JSON (its spans dropped)", n, `${file}:${pending.line} (${pending.text.length} characters, ${n} span ids)`);
    pending = undefined;
  };
  for await (const raw of lines) {
    lineNo++;
    const text = raw.trim();
    if (text === "") continue;
    flushBad(false);
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      pending = { text, line: lineNo };
      continue;
    }
    spansOfOtlpRequest(obj, notes, `${file}:${lineNo}`, into);
  }
  flushBad(true);
}
