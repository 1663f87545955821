// The one span shape every trace reader produces (OTLP/JSON, Jaeger JSON, Zipkin v2 JSON), and the
// notes a reader or a later stage leaves about what it had to drop. Times are microseconds since the
// epoch as doubles: exact to 0.25 us until 2255, which is finer than any exporter's clock; trades away
// OTLP's nanosecond digits below that.

export type SpanKind = "server" | "client" | "producer" | "consumer" | "internal";

export type AttrValue = string | number | boolean;

export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  /** The parent's span id; undefined for a root span. */
  readonly parentId: string | undefined;
  /** `service.name` of the process that made the span. */
  readonly service: string;
  /** `service.instance.id` (one per replica), when the exporter says it. */
  readonly instance: string | undefined;
  readonly name: string;
  readonly kind: SpanKind;
  /** Start and end, microseconds since the epoch; adjusted for clock skew by the trace stage. */
  start: number;
  end: number;
  readonly attributes: Readonly<Record<string, AttrValue>>;
  readonly error: boolean;
}

/**
 * What was dropped or changed on the way from the file to the model, grouped by cause: each cause
 * counts the spans it affects and keeps a few examples, so the report can say "what and how many".
 */
export class Notes {
  private readonly byCause = new Map<string, { spans: number; events: number; examples: string[] }>();

  /** Records `spans` spans affected by `cause` (an event of it), with an optional example. */
  add(cause: string, spans: number, example?: string): void {
    let n = this.byCause.get(cause);
    if (!n) this.byCause.set(cause, (n = { spans: 0, events: 0, examples: [] }));
    n.spans += spans;
    n.events += 1;
    if (example !== undefined && n.examples.length < 3) n.examples.push(example);
  }

  spansFor(cause: string): number {
    return this.byCause.get(cause)?.spans ?? 0;
  }

  get causes(): ReadonlyArray<{ readonly cause: string; readonly spans: number; readonly events: number; readonly examples: ReadonlyArray<string> }> {
    return [...this.byCause].map(([cause, n]) => ({ cause, ...n }));
  }
}

/** Microseconds from an OTLP nanosecond string (too long for a double as a whole). */
export function microsFromNanos(nanos: string | number): number {
  if (typeof nanos === "number") return nanos / 1000;
  const s = nanos.trim();
  if (!/^\d+$/.test(s)) return NaN;
  if (s.length <= 3) return Number(s) / 1000;
  return Number(s.slice(0, -3)) + Number(s.slice(-3)) / 1000;
}
