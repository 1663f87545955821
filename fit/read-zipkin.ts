// Zipkin v2 JSON (the /api/v2/spans format: a top-level array of spans, tags as a string map),
// streamed span by span (json-elements.ts). Trades away annotations and shared spans (a client and
// server half with one id): the trace stage keeps the first half and notes the second as a duplicate.
import { JsonArrayElements } from "./json-elements.ts";
import { spanIdsIn } from "./read-otlp.ts";
import type { AttrValue, Notes, Span, SpanKind } from "./span.ts";

const KINDS: Record<string, SpanKind> = { SERVER: "server", CLIENT: "client", PRODUCER: "producer", CONSUMER: "consumer" };

/** Tag values are strings in Zipkin: numbers come back as numbers where the text is one. */
function tagsOf(tags: unknown): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  if (!tags || typeof tags !== "object") return out;
  for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
    if (typeof v === "string") out[k] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === "true" ? true : v === "false" ? false : v;
    else if (typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

export function spanOfZipkin(s: unknown, notes: Notes, where: string, into: Span[]): void {
  const z = s as Record<string, any>;
  if (typeof z?.traceId !== "string" || typeof z?.id !== "string") {
    notes.add("span without traceId or id (dropped)", 1, where);
    return;
  }
  if (typeof z.timestamp !== "number" || typeof z.duration !== "number" || z.duration < 0) {
    notes.add("span without valid timestamp and duration (dropped)", 1, `${where}: span ${z.id}`);
    return;
  }
  const service = typeof z.localEndpoint?.serviceName === "string" ? z.localEndpoint.serviceName : undefined;
  if (service === undefined) notes.add("span without localEndpoint.serviceName (counted as service 'unknown')", 1, where);
  const tags = tagsOf(z.tags);
  if (typeof z.remoteEndpoint?.serviceName === "string" && tags["peer.service"] === undefined) tags["peer.service"] = z.remoteEndpoint.serviceName;
  into.push({
    // Zipkin pads 64-bit trace ids to 16 or 32 hex digits: normalise to 32 so all formats agree.
    traceId: z.traceId.toLowerCase().padStart(32, "0"),
    spanId: z.id.toLowerCase(),
    parentId: typeof z.parentId === "string" && z.parentId !== "" ? z.parentId.toLowerCase() : undefined,
    service: service ?? "unknown",
    instance: tags["service.instance.id"] === undefined ? undefined : String(tags["service.instance.id"]),
    name: typeof z.name === "string" ? z.name : "",
    kind: KINDS[String(z.kind)] ?? "internal",
    start: z.timestamp,
    end: z.timestamp + z.duration,
    attributes: tags,
    error: tags["error"] !== undefined || tags["otel.status_code"] === "ERROR",
  });
}

export async function readZipkin(chunks: AsyncIterable<string> | Iterable<string>, file: string, notes: Notes, into: Span[]): Promise<void> {
  const scanner = new JsonArrayElements({
    element(text, index) {
      let span: unknown;
      try {
        span = JSON.parse(text);
      } catch {
        notes.add("span that is not valid JSON (dropped)", 1, `${file}: span #${index}`);
        return;
      }
      spanOfZipkin(span, notes, `${file}: span #${index}`, into);
    },
  });
  for await (const c of chunks) scanner.push(c);
  const end = scanner.end();
  if (end.noArray) notes.add("no top-level array of spans (nothing read)", 0, file);
  if (end.truncated) notes.add("truncated JSON at the end of the file (its spans dropped)", Math.max(1, spanIdsIn(end.truncated, '"id"')), `${file}: span #${end.elements + 1}`);
}
