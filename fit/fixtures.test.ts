// The committed trace files. reference-app.*: 30 traces of a real traced run of
// fit/fixtures/traced.yaml (fit/make-fixtures.ts: the OTLP lines as exported, filtered; Jaeger and
// Zipkin written from them by write-traces.ts): all three read to the same spans and the same call
// graph, the original's structure. handmade.*: written by hand from the formats' documentation
// (not by write-traces.ts), with what that writer never emits (FOLLOWS_FROM, logs, flags, warnings,
// a process without an instance; Zipkin annotations, remote endpoints, a shared id), so the readers
// are also checked on input of independent origin.
import { describe, expect, it } from "vitest";
import { buildGraph } from "./graph.ts";
import { readTraceFile } from "./read-traces.ts";
import { Notes } from "./span.ts";
import { assemble } from "./traces.ts";

const graphOf = async (file: string) => {
  const notes = new Notes();
  const { format, spans } = await readTraceFile(file, notes);
  const asm = assemble(spans, notes);
  return { format, spans, notes, asm, graph: buildGraph(asm.roots, notes) };
};

describe("fixtures from the reference app", () => {
  it("read the same in all three formats, with the traced scenario's structure", async () => {
    const all = await Promise.all(["otlp.jsonl", "jaeger.json", "zipkin.json"].map((ext) => graphOf(`fit/fixtures/reference-app.${ext}`)));
    expect(all.map((a) => a.format)).toEqual(["otlp", "jaeger", "zipkin"]);
    const summary = (g: Awaited<ReturnType<typeof graphOf>>) => [...g.graph.ops.values()].map((o) => [o.key.replace(/headroom\.[^.]+\./, "q."), o.count, [...o.children].map(([k, e]) => `${k.replace(/headroom\.[^.]+\./, "q.")}:${e.spansWith}`).sort().join(" ")]).sort();
    for (const a of all) {
      expect(a.spans.length).toBe(168);
      // node:http has no routes: every request span is classed by its path, and says so.
      expect(a.notes.causes.map((c) => [c.cause, c.spans])).toEqual([["span without http.route (classified by its name or path)", 30]]);
      expect(summary(a)).toEqual(summary(all[0]!));
    }
    const g = all[0]!.graph;
    const get = g.ops.get("api.GET /products/{key}")!;
    const post = g.ops.get("api.POST /orders")!;
    expect([...get.children.keys()].sort()).toEqual(["postgresql.read", "redis.get", "redis.set"]);
    expect(get.children.get("redis.get")!.spansWith).toBe(get.count);
    expect(get.children.get("postgresql.read")!.spansWith).toBe(g.caches.get("redis")!.misses);
    for (const seq of get.sequences.keys()) expect(["redis.get", "redis.get > postgresql.read > redis.set"]).toContain(seq);
    expect([...post.sequences.keys()].map((s) => s.replace(/headroom\.[^.]+\./, "q."))).toEqual(["postgresql.write > q.orders.publish"]);
    const handle = [...g.ops.values()].find((o) => o.role === "consume")!;
    expect([...handle.children.keys()]).toEqual(["postgresql.write"]);
    expect(get.instances.size).toBe(2);
  });
});

describe("hand-written Jaeger and Zipkin files", () => {
  it("Jaeger: references, kinds, tags, processes", async () => {
    const { spans, graph, notes } = await graphOf("fit/fixtures/handmade.jaeger.json");
    expect(notes.causes).toEqual([]);
    expect(spans.map((s) => [s.name, s.kind, s.parentId ?? "-", s.instance ?? "-"])).toEqual([
      ["SELECT shop", "client", "00f067aa0ba902b7", "catalog-7d9f"],
      ["GET /items/:id", "server", "-", "catalog-7d9f"],
      ["send shipments", "producer", "00f067aa0ba902b7", "-"],
    ]);
    const entry = graph.ops.get("catalog.GET /items/{id}")!;
    expect([...entry.sequences.keys()]).toEqual(["postgresql.read > shipments.publish"]);
    expect(entry.times[0]).toBeCloseTo((6000 - 2500 - 800) / 1e6, 12);
    expect(graph.classes.get("catalog.GET /items/{id}")!.length).toBe(1);
  });

  it("Zipkin: padded trace id, remote endpoint, a shared id kept once", async () => {
    const { spans, graph, notes } = await graphOf("fit/fixtures/handmade.zipkin.json");
    expect(spans.length).toBe(3);
    expect(spans[0]!.traceId).toBe("00000000000000005af7183fb1d4cf5f");
    expect(spans[0]!.attributes["peer.service"]).toBe("redis");
    expect(notes.spansFor("duplicate span id in a trace (second copy dropped)")).toBe(1);
    const entry = graph.ops.get("frontend.GET /users/{id}")!;
    expect(entry.times[0]).toBeCloseTo((3000 - 400) / 1e6, 12);
    expect(entry.children.get("redis.get")!.calls).toBe(1);
  });
});
