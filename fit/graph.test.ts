// Own time, call graph and trace assembly on hand-built traces with known answers: parallel
// children counted once (exact), internal spans folded into their parent, a child outliving its
// parent clipped, a cache get followed by a database read counted as a miss, call probabilities
// and sequences; orphans, clock skew, duplicates and a second system dropped or corrected, each
// counted in the notes.
import { describe, expect, it } from "vitest";
import { buildGraph } from "./graph.ts";
import { unionLength } from "./own-time.ts";
import { Notes } from "./span.ts";
import { assemble } from "./traces.ts";
import { pg, redis, server, span } from "./testing.ts";

describe("unionLength", () => {
  it("counts overlapping intervals once and clips to the parent", () => {
    expect(unionLength([[0, 10], [5, 15], [20, 30]], 0, 100)).toBe(25);
    expect(unionLength([[0, 10], [2, 3], [9, 12]], 0, 100)).toBe(12);
    expect(unionLength([[90, 150]], 0, 100)).toBe(10);
    expect(unionLength([], 0, 100)).toBe(0);
  });
});

/** GET /a: a cache get, two reads in parallel, then a write inside an internal span. */
function parallelTrace(trace: string, offset = 0) {
  const t = (ms: number) => ms + offset;
  return [
    server({ trace, id: "1", start: t(0), end: t(100), route: "/a" }),
    redis({ trace, id: "2", parent: "1", start: t(10), end: t(20), op: "get" }),
    pg({ trace, id: "3", parent: "1", start: t(30), end: t(60), sql: "SELECT 1" }),
    pg({ trace, id: "4", parent: "1", start: t(40), end: t(80), sql: "SELECT 2" }),
    span({ trace, id: "5", parent: "1", start: t(85), end: t(95), name: "middleware" }),
    pg({ trace, id: "6", parent: "5", start: t(86), end: t(90), sql: "INSERT INTO x" }),
  ];
}

describe("own time and the call graph", () => {
  it("subtracts the union of parallel children exactly", () => {
    const notes = new Notes();
    const g = buildGraph(assemble(parallelTrace("a"), notes).roots, notes);
    const entry = g.ops.get("api.GET /a")!;
    // 100 - (10 + [30, 80] + 4) = 36 ms
    expect(entry.times[0]).toBeCloseTo(0.036, 12);
    expect(g.ops.get("postgresql.read")!.times.map((x) => Math.round(x * 1e6))).toEqual([30_000, 40_000]);
    expect([...entry.sequences.keys()]).toEqual(["redis.get > postgresql.read | postgresql.read > postgresql.write"]);
    expect(g.caches.get("redis")).toEqual({ gets: 1, misses: 1 });
  });

  it("call probabilities, hits and misses over several traces", () => {
    const spans = [
      ...["h1", "h2", "h3"].flatMap((tr, i) => [
        server({ trace: tr, id: "1", start: i * 1000, end: i * 1000 + 10, route: "/p/:id" }),
        redis({ trace: tr, id: "2", parent: "1", start: i * 1000 + 2, end: i * 1000 + 3, op: "GET" }),
      ]),
      server({ trace: "m1", id: "1", start: 4000, end: 4020, route: "/p/:id" }),
      redis({ trace: "m1", id: "2", parent: "1", start: 4002, end: 4003, op: "GET" }),
      pg({ trace: "m1", id: "3", parent: "1", start: 4004, end: 4010, sql: "select * from p" }),
      redis({ trace: "m1", id: "4", parent: "1", start: 4011, end: 4012, op: "SET" }),
    ];
    const notes = new Notes();
    const g = buildGraph(assemble(spans, notes).roots, notes);
    const e = g.ops.get("api.GET /p/{id}")!;
    expect(e.count).toBe(4);
    expect(e.children.get("postgresql.read")).toEqual({ spansWith: 1, calls: 1 });
    expect(e.children.get("redis.get")).toEqual({ spansWith: 4, calls: 4 });
    expect(g.caches.get("redis")).toEqual({ gets: 4, misses: 1 });
    expect(g.classes.get("api.GET /p/{id}")!.length).toBe(4);
    expect(g.window).toBeCloseTo(4, 9);
  });

  it("a server span without http.route is classed by its path, {key} for ids, and counted", () => {
    const spans = [11, 12].map((k, i) => span({ trace: `u${i}`, id: "1", kind: "server", start: i * 10, end: i * 10 + 5, attrs: { "http.request.method": "GET", "url.path": `/items/${k}` } }));
    const notes = new Notes();
    const g = buildGraph(assemble(spans, notes).roots, notes);
    expect([...g.classes.keys()]).toEqual(["api.GET /items/{key}"]);
    expect(notes.spansFor("span without http.route (classified by its name or path)")).toBe(2);
  });
});

describe("assembling traces from imperfect input", () => {
  it("drops orphans with their descendants, fixes skew, keeps the largest system", () => {
    const spans = [
      ...parallelTrace("a"),
      // orphan: its parent "9" is not in the file; its child goes with it
      pg({ trace: "a", id: "7", parent: "9", start: 5, end: 6, sql: "SELECT 3" }),
      span({ trace: "a", id: "8", parent: "7", start: 5, end: 6 }),
      // clock skew: the db service's span starts 3 ms before its caller
      server({ trace: "b", id: "1", start: 1000, end: 1050, route: "/a" }),
      span({ trace: "b", id: "2", parent: "1", service: "ledger", kind: "server", start: 997, end: 1007, name: "ledger" }),
      // a duplicate id
      server({ trace: "b", id: "1", start: 1000, end: 1050, route: "/a" }),
      // another system: services x and y never linked to api
      server({ trace: "c", id: "1", service: "x", start: 2000, end: 2010, route: "/x" }),
      server({ trace: "c", id: "2", parent: "1", service: "y", start: 2001, end: 2005, route: "/y" }),
    ];
    const notes = new Notes();
    const asm = assemble(spans, notes);
    expect(notes.spansFor("orphan span: its parent is not in the input (dropped with its descendants)")).toBe(2);
    expect(notes.spansFor("duplicate span id in a trace (second copy dropped)")).toBe(1);
    expect(notes.spansFor("clock skew: a span of another service outside its parent (shifted into the parent with its descendants)")).toBe(1);
    expect(notes.spansFor("traces of another system (no trace links its services to the largest system's; dropped)")).toBe(2);
    expect(asm.services).toEqual(["api", "ledger"]);
    expect(asm.spansKept).toBe(8);
    const ledger = asm.roots[1]!.children[0]!.span;
    expect(ledger.start - asm.roots[1]!.span.start).toBe(0);
    expect(ledger.end - ledger.start).toBe(10_000);
  });
});
