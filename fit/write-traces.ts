// Spans written back as OTLP/JSON lines, Jaeger JSON and Zipkin v2 JSON: how the committed fixtures
// of the other two formats were made from real OTLP traces of the reference app, and how the tests
// feed one known trace to every reader. Trades away what the readers drop (events, links, the
// scope's name and version) and Zipkin's shared client/server spans.
import type { Span, SpanKind } from "./span.ts";

const KIND_NUM: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

/** Nanoseconds as OTLP's decimal string, from microseconds. */
const nanos = (us: number) => {
  const whole = Math.floor(us);
  return `${whole}${String(Math.round((us - whole) * 1000)).padStart(3, "0")}`;
};

function groupBy<T>(xs: ReadonlyArray<T>, key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    l.push(x);
  }
  return m;
}

/** One OTLP/JSON line per (service, instance), as a batch exporter writes them. */
export function toOtlpLines(spans: ReadonlyArray<Span>): string[] {
  return [...groupBy(spans, (s) => `${s.service}\u0000${s.instance ?? ""}`).values()].map((list) => JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: list[0]!.service } }, ...(list[0]!.instance ? [{ key: "service.instance.id", value: { stringValue: list[0]!.instance } }] : [])] },
      scopeSpans: [{ scope: { name: "headroom" }, spans: list.map((s) => ({
        traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentId ?? "", name: s.name, kind: KIND_NUM[s.kind],
        startTimeUnixNano: nanos(s.start), endTimeUnixNano: nanos(s.end),
        attributes: Object.entries(s.attributes).map(([key, v]) => ({ key, value: typeof v === "string" ? { stringValue: v } : typeof v === "boolean" ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } })),
        status: { code: s.error ? 2 : 0 },
      })) }],
    }],
  }));
}

const tagType = (v: unknown) => (typeof v === "boolean" ? "bool" : typeof v === "number" ? (Number.isInteger(v) ? "int64" : "float64") : "string");

/** Jaeger's {"data": [trace, ...]} with a processes table per trace (times in whole microseconds). */
export function toJaeger(spans: ReadonlyArray<Span>): string {
  const traces = [...groupBy(spans, (s) => s.traceId)].map(([traceID, list]) => {
    const procs = new Map<string, string>();
    const processes: Record<string, unknown> = {};
    for (const s of list) {
      const k = `${s.service}\u0000${s.instance ?? ""}`;
      if (!procs.has(k)) {
        const id = `p${procs.size + 1}`;
        procs.set(k, id);
        processes[id] = { serviceName: s.service, tags: s.instance ? [{ key: "service.instance.id", type: "string", value: s.instance }] : [] };
      }
    }
    return {
      traceID,
      spans: list.map((s) => ({
        traceID, spanID: s.spanId, operationName: s.name,
        references: s.parentId ? [{ refType: "CHILD_OF", traceID, spanID: s.parentId }] : [],
        startTime: Math.round(s.start), duration: Math.round(s.end) - Math.round(s.start),
        tags: [{ key: "span.kind", type: "string", value: s.kind }, ...Object.entries(s.attributes).map(([key, value]) => ({ key, type: tagType(value), value }))],
        logs: [], processID: procs.get(`${s.service}\u0000${s.instance ?? ""}`),
      })),
      processes,
    };
  });
  return JSON.stringify({ data: traces, total: 0, limit: 0, offset: 0, errors: null });
}

/** Zipkin v2: an array of spans, tags as strings, times in whole microseconds. */
export function toZipkin(spans: ReadonlyArray<Span>): string {
  return JSON.stringify(spans.map((s) => ({
    traceId: s.traceId, id: s.spanId, ...(s.parentId ? { parentId: s.parentId } : {}), name: s.name,
    ...(s.kind !== "internal" ? { kind: s.kind.toUpperCase() } : {}),
    timestamp: Math.round(s.start), duration: Math.round(s.end) - Math.round(s.start),
    localEndpoint: { serviceName: s.service },
    tags: { ...Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, String(v)])), ...(s.instance ? { "service.instance.id": s.instance } : {}) },
  })));
}
