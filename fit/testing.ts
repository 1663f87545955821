// Hand-built spans and traces for the fit's tests: a span from a few fields (times in ms from 0),
// (the writers in write-traces.ts turn them into each format's text). Test-only; trades away every
// attribute a test does not name.
import type { AttrValue, Span, SpanKind } from "./span.ts";
export { toJaeger, toOtlpLines, toZipkin } from "./write-traces.ts";

export interface SpanSpec {
  readonly trace?: string;
  readonly id: string;
  readonly parent?: string;
  readonly service?: string;
  readonly instance?: string;
  readonly name?: string;
  readonly kind?: SpanKind;
  /** Milliseconds from an arbitrary epoch. */
  readonly start: number;
  readonly end: number;
  readonly attrs?: Record<string, AttrValue>;
}

const EPOCH_US = 1_800_000_000_000_000;

export function span(s: SpanSpec): Span {
  return {
    traceId: (s.trace ?? "t1").padStart(32, "0"),
    spanId: s.id.padStart(16, "0"),
    parentId: s.parent === undefined ? undefined : s.parent.padStart(16, "0"),
    service: s.service ?? "api",
    instance: s.instance,
    name: s.name ?? "op",
    kind: s.kind ?? "internal",
    start: EPOCH_US + s.start * 1000,
    end: EPOCH_US + s.end * 1000,
    attributes: s.attrs ?? {},
    error: false,
  };
}

/** A server span of `service` for an HTTP request. */
export const server = (s: Omit<SpanSpec, "kind" | "attrs"> & { method?: string; route?: string }): Span =>
  span({ ...s, kind: "server", name: s.name ?? `${s.method ?? "GET"} ${s.route ?? "/"}`, attrs: { "http.request.method": s.method ?? "GET", "http.route": s.route ?? "/" } });

export const redis = (s: Omit<SpanSpec, "kind" | "attrs"> & { op: string }): Span =>
  span({ ...s, kind: "client", name: s.op, attrs: { "db.system": "redis", "db.statement": `${s.op} product:1` } });

export const pg = (s: Omit<SpanSpec, "kind" | "attrs"> & { sql: string }): Span =>
  span({ ...s, kind: "client", name: "pg.query", attrs: { "db.system.name": "postgresql", "db.query.text": s.sql } });

