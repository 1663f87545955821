// The three readers on one known set of spans written in each format and fed in 7-character chunks
// (so every element, string and escape is cut somewhere): the same spans come back. Bad input is
// counted: a line that is not JSON, a truncated end, spans without ids or service names.
import { describe, expect, it } from "vitest";
import { JsonArrayElements } from "./json-elements.ts";
import { readJaeger } from "./read-jaeger.ts";
import { readOtlpLines } from "./read-otlp.ts";
import { sniffFormat } from "./read-traces.ts";
import { readZipkin } from "./read-zipkin.ts";
import { Notes, microsFromNanos, type Span } from "./span.ts";
import { pg, redis, server, span, toJaeger, toOtlpLines, toZipkin } from "./testing.ts";

const SPANS: Span[] = [
  { ...server({ id: "1", start: 0, end: 12.5, route: "/p/:id" }), instance: "api-1" },
  { ...redis({ id: "2", parent: "1", start: 1.25, end: 2, op: "get" }), instance: "api-1" },
  { ...pg({ id: "3", parent: "1", start: 3, end: 9, sql: 'SELECT "a]}\\" FROM t' }), instance: "api-1" },
  span({ trace: "t2", id: "9", service: "worker", kind: "consumer", start: 20, end: 25, attrs: { "messaging.system": "rabbitmq", "n": 3, "ok": true } }),
];

function* chunks(text: string, size = 7) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const norm = (s: Span) => ({ ...s, attributes: Object.fromEntries(Object.entries(s.attributes).filter(([k]) => k !== "span.kind" && k !== "service.instance.id")) });

describe("readers", () => {
  it("OTLP/JSON lines, Jaeger and Zipkin give back the same spans", async () => {
    for (const [format, text, read] of [
      ["otlp", toOtlpLines(SPANS).join("\n"), (t: string, n: Notes, into: Span[]) => readOtlpLines(t.split("\n"), "f", n, into)],
      ["jaeger", toJaeger(SPANS), (t: string, n: Notes, into: Span[]) => readJaeger(chunks(t), "f", n, into)],
      ["zipkin", toZipkin(SPANS), (t: string, n: Notes, into: Span[]) => readZipkin(chunks(t), "f", n, into)],
    ] as const) {
      expect(sniffFormat(text)).toBe(format);
      const notes = new Notes();
      const out: Span[] = [];
      await read(text, notes, out);
      expect(notes.causes, format).toEqual([]);
      const byId = (a: Span, b: Span) => a.spanId.localeCompare(b.spanId);
      expect(out.sort(byId).map(norm), format).toEqual([...SPANS].sort(byId).map(norm));
    }
  });

  it("counts what it drops: a line that is not JSON, a truncated end, a span without ids", async () => {
    const lines = toOtlpLines(SPANS);
    const notes = new Notes();
    const out: Span[] = [];
    const broken = [lines[0]!.slice(0, 50), lines[1]!, lines[1]!.replace('"spanId":"0000000000000009"', '"spanId":""'), lines[0]!.slice(0, -10)];
    await readOtlpLines(broken, "t.jsonl", notes, out);
    expect(out.length).toBe(1);
    expect(notes.spansFor("span without traceId or spanId (dropped)")).toBe(1);
    expect(notes.spansFor("line that is not valid JSON (its spans dropped)")).toBe(0); // cut before its first span id
    expect(notes.spansFor("truncated JSON at the end of the file (its spans dropped)")).toBe(3);

    const z = toZipkin(SPANS);
    const zn = new Notes();
    const zout: Span[] = [];
    await readZipkin(chunks(z.slice(0, z.length - 40)), "z.json", zn, zout);
    expect(zout.length).toBe(3);
    expect(zn.spansFor("truncated JSON at the end of the file (its spans dropped)")).toBe(1);
  });

  it("the element scanner handles scalars, nesting and escapes in any chunking", () => {
    const text = '{"data": [1, "a\\"]", {"x": [1, {"y": "}"}]}, null], "total": 3}';
    for (const size of [1, 2, 3, 5, 100]) {
      const got: string[] = [];
      const s = new JsonArrayElements({ element: (t) => got.push(t) });
      for (const c of chunks(text, size)) s.push(c);
      expect(s.end().truncated).toBeUndefined();
      expect(got.map((t) => JSON.parse(t))).toEqual([1, 'a"]', { x: [1, { y: "}" }] }, null]);
    }
  });

  it("microsFromNanos keeps sub-microsecond digits a double can hold", () => {
    // biome-ignore lint/correctness/noPrecisionLoss: the expected value is what a double makes of the nanosecond string; that loss is the subject
    expect(microsFromNanos("1800000000000000123")).toBe(1800000000000000.123 - (1800000000000000.123 % 0.25) + 0);
    expect(microsFromNanos("999")).toBeCloseTo(0.999, 12);
  });
});
