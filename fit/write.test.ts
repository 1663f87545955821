// The scenario writer and the --update editor on traces built from a known cache-aside system:
// the new scenario loads with the simulator's parser and has the original's call structure (the
// cache get with its hit and miss flows, the order's write); --update changes only the values of
// fitted fields in scenarios/cache-aside.yaml, every other line (comments included) byte for byte.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { streamFor } from "../reference-app/sampler.ts";
import { parseScenario } from "../simulator/model/index.ts";
import { buildGraph } from "./graph.ts";
import { fitModel } from "./model.ts";
import { Notes, type Span } from "./span.ts";
import { pg, redis, server } from "./testing.ts";
import { assemble } from "./traces.ts";
import { updateScenario } from "./update.ts";
import { writeScenario } from "./write-scenario.ts";

function cacheAsideSpans(n: number): Span[] {
  const rng = streamFor(3, "write-test");
  const out: Span[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = i * 50, tr = `r${i}`;
    const own = 2 + 2 * rng.next();
    if (i % 5 === 4) {
      const w = 5 + 6 * rng.next();
      out.push({ ...server({ trace: tr, id: "1", start: t0, end: t0 + own + w, method: "POST", route: "/orders" }), instance: `api-${1 + (i % 2)}` });
      out.push(pg({ trace: tr, id: "2", parent: "1", start: t0 + own, end: t0 + own + w, sql: "INSERT INTO orders" }));
      continue;
    }
    const miss = rng.next() < 0.4;
    const read = miss ? 2 + 4 * rng.next() : 0;
    out.push({ ...server({ trace: tr, id: "1", start: t0, end: t0 + own + 0.5 + (miss ? read + 0.5 : 0), route: "/products/:key" }), instance: `api-${1 + (i % 2)}` });
    out.push(redis({ trace: tr, id: "2", parent: "1", start: t0 + own, end: t0 + own + 0.3 + 0.2 * rng.next(), op: "get" }));
    if (miss) {
      out.push(pg({ trace: tr, id: "3", parent: "1", start: t0 + own + 0.5, end: t0 + own + 0.5 + read, sql: "SELECT * FROM products" }));
      out.push(redis({ trace: tr, id: "4", parent: "1", start: t0 + own + 0.5 + read, end: t0 + own + 0.9 + read, op: "set" }));
    }
  }
  return out;
}

const modelOf = (spans: Span[]) => {
  const notes = new Notes();
  return fitModel(buildGraph(assemble(spans, notes).roots, notes));
};

describe("writing a scenario", () => {
  it("loads with the simulator's parser and keeps the call structure", () => {
    const w = writeScenario(modelOf(cacheAsideSpans(200)), "shop", "shop.jsonl");
    const parsed = parseScenario(w.yaml, "fitted.yaml");
    expect(parsed.ok, w.yaml).toBe(true);
    if (!parsed.ok) return;
    const api = parsed.scenario.components["api"] as unknown as { replicas: number; handlers: Record<string, Array<Record<string, unknown>>> };
    expect(api.replicas).toBe(2);
    const get = api.handlers["get_products"]!;
    expect(get.length).toBe(2);
    expect("service" in get[0]!).toBe(true);
    expect(get[1]).toMatchObject({ call: "redis", op: "get", hit: [], miss: [{ call: "postgresql", op: "read" }, { call: "redis", op: "set" }] });
    expect(api.handlers["post_orders"]!.slice(1)).toEqual([{ call: "postgresql", op: "write" }]);
    expect(w.yaml).toContain("capacity: 10k # not determined from traces");
  });

  it("--update changes only the fitted values, comments and layout kept", () => {
    const file = "scenarios/cache-aside.yaml";
    const text = readFileSync(file, "utf8");
    const u = updateScenario(text, file, modelOf(cacheAsideSpans(200)));
    expect(u.changed).toEqual(expect.arrayContaining([
      "load.rate", "components.api.handlers.get_product[0].service", "components.api.handlers.create_order[0].service",
      "components.cache.service", "components.db.read", "components.db.write",
    ]));
    const before = text.split("\n"), after = u.yaml.split("\n");
    expect(after.length).toBe(before.length);
    const differing = before.map((l, i) => [l, after[i]!] as const).filter(([a, b]) => a !== b);
    // Every differing line is one of the fitted fields' lines, with the same key and indentation.
    for (const [a, b] of differing) {
      expect(a.startsWith("#")).toBe(false);
      expect(b.slice(0, b.indexOf(":") + 1)).toBe(a.slice(0, a.indexOf(":") + 1));
      expect(a.trimStart()).toMatch(/^(rate|weight|replicas|- \{ service|- \{ service|service|read|write):?/);
    }
    expect(differing.length).toBeGreaterThanOrEqual(6);
    expect(parseScenario(u.yaml, file).ok).toBe(true);
  });

  it("--update adds a fitted field the file lacks at its mapping's indentation", () => {
    const file = "fit/fixtures/traced.yaml";
    const text = readFileSync(file, "utf8");
    const u = updateScenario(text, file, modelOf(cacheAsideSpans(200)));
    expect(text).not.toMatch(/^ {4}service: .*\n {2}db:/m);
    expect(u.yaml).toMatch(/^ {4}value_size: 1KB\n {4}service: \{ dist: \w+, /m);
    expect(u.changed).toContain("components.cache.service");
    expect(u.kept).toEqual(expect.arrayContaining([expect.stringMatching(/^components\.orders\.service \(no traced handlings\)/)]));
    expect(parseScenario(u.yaml, file).ok).toBe(true);
  });
});
