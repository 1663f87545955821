// Explicit limits: the numbers issue 13 found crashing (typed arrays of 1e22 entries) or hanging
// the simulator (infinite zipf s, astronomic rates, a billion keys) are refused with a located
// message, or, for loads and key spaces within the schema's limits, by the run-size budget with
// the estimate; every bundled scenario stays within both.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseScenario, runSizeProblem, expectedMemory, expectedEvents, hopsPerRequest, RUN_EVENT_LIMIT, RUN_MEMORY_LIMIT, type ScenarioError } from "../../index.ts";
import { scenarioOf } from "../../testing.ts";

function errorsOf(yaml: string): ScenarioError[] {
  const r = parseScenario(yaml, "bad.yaml");
  if (r.ok) throw new Error("expected the scenario to be rejected");
  return [...r.errors];
}

const doc = (o: { rate?: string; keys?: string; components?: string; extra?: string } = {}) => `version: 1
name: t
load:
  model: open
  rate: ${o.rate ?? "100/s"}
  classes:
    r:
      keys: ${o.keys ?? "{ count: 1k }"}
      flow: [{ call: api }]
components:
${o.components ?? `  api: { kind: service, replicas: 2, service: 10ms, handlers: { r: [{ call: db, op: read }] } }
  db: { kind: database, read: 2ms, write: 5ms }`}
${o.extra ?? ""}`;

/** Line and column (1-based) of `needle` in `text`. */
function at(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe("schema limits", () => {
  const cases: Array<{ what: string; yaml: string; needle: string; path: string; message: RegExp }> = [
    { what: "keys.count 9999999999999999999999k", yaml: doc({ keys: "{ count: 9999999999999999999999k }" }), needle: "9999999999999999999999k", path: "load.classes.r.keys.count", message: /keys\.count must be at most 1G/ },
    { what: "shards.count 1e22", yaml: doc({ components: "  api: { kind: service, service: 10ms, handlers: { r: [{ call: db, op: read }] } }\n  db: { kind: database, read: 2ms, write: 5ms, shards: { count: 1e22 } }" }), needle: "1e22", path: "components.db.shards.count", message: /shards\.count must be at most 10k/ },
    { what: "replicas 1e22", yaml: doc({ components: "  api: { kind: service, replicas: 1e22, service: 10ms, handlers: { r: [{ call: db, op: read }] } }\n  db: { kind: database, read: 2ms, write: 5ms }" }), needle: "1e22", path: "components.api.replicas", message: /replicas must be at most 10k/ },
    { what: "zipf s .inf", yaml: doc({ keys: "{ count: 1k, popularity: zipf, s: .inf }" }), needle: ".inf", path: "load.classes.r.keys.s", message: /finite/ },
    { what: "zipf s 1e400", yaml: doc({ keys: "{ count: 1k, popularity: zipf, s: 1e400 }" }), needle: "1e400", path: "load.classes.r.keys.s", message: /finite/ },
    { what: "zipf s 50", yaml: doc({ keys: "{ count: 1k, popularity: zipf, s: 50 }" }), needle: "50 }", path: "load.classes.r.keys.s", message: /zipf s must be at most 10/ },
    { what: "a duration of 1e400s", yaml: doc({ components: "  api: { kind: service, service: { dist: exponential, mean: 1e400s } }\n  db: { kind: database, read: 2ms, write: 5ms }" }), needle: "1e400s", path: "components.api.service.mean", message: /too large to be a duration/ },
    { what: "a shorthand duration of 1e400s", yaml: doc({ components: "  api: { kind: service, service: 1e400s }\n  db: { kind: database, read: 2ms, write: 5ms }" }), needle: "1e400s", path: "components.api.service", message: /at most 8760h/ },
    { what: "a negative shorthand duration", yaml: doc({ components: "  api: { kind: service, service: -5ms }\n  db: { kind: database, read: 2ms, write: 5ms }" }), needle: "-5ms", path: "components.api.service", message: /must not be negative/ },
    { what: "a rate of 1e400/s", yaml: doc({ rate: "1e400/s" }), needle: "1e400/s", path: "load.rate", message: /too large to be a rate/ },
    { what: "lognormal cv .inf", yaml: doc({ components: "  api: { kind: service, service: { dist: lognormal, mean: 5ms, cv: .inf } }\n  db: { kind: database, read: 2ms, write: 5ms }" }), needle: ".inf", path: "components.api.service.cv", message: /finite/ },
    { what: "a class weight .nan", yaml: doc().replace("      keys:", "      weight: .nan\n      keys:"), needle: ".nan", path: "load.classes.r.weight", message: /finite/ },
    { what: "database replicas 1000", yaml: doc({ components: "  api: { kind: service, service: 10ms, handlers: { r: [{ call: db, op: read }] } }\n  db: { kind: database, read: 2ms, write: 5ms, replicas: 1000 }" }), needle: "1000 }", path: "components.db.replicas", message: /replicas must be at most 100\b/ },
    { what: "a year-long simulation", yaml: doc({ extra: "simulation: { duration: 400d }" }), needle: "400d", path: "simulation.duration", message: /at most 8760h/ },
  ];
  for (const c of cases) {
    it(`${c.what}: one located error`, () => {
      const e = errorsOf(c.yaml);
      expect(e.map((x) => x.path)).toEqual([c.path]);
      expect(e[0]).toMatchObject({ file: "bad.yaml", ...at(c.yaml, c.needle) });
      expect(e[0].message).toMatch(c.message);
    });
  }
  it("the limits themselves are accepted", () => {
    const s = scenarioOf(doc({ keys: "{ count: 1G, popularity: zipf, s: 10 }", components: "  api: { kind: service, replicas: 10k, service: 10ms, handlers: { r: [{ call: db, op: read }] } }\n  db: { kind: database, read: 2ms, write: 5ms, replicas: 100, shards: { count: 10k } }" }));
    expect(s.components.api.kind === "service" && s.components.api.replicas).toBe(10_000);
  });
});

describe("run-size budget", () => {
  it("rate: 9999999999999999999999/s is refused at once with the estimate", () => {
    const t0 = performance.now();
    const s = scenarioOf(doc({ rate: "9999999999999999999999/s" }));
    const why = runSizeProblem(s);
    const ms = performance.now() - t0;
    expect(why).toMatch(/^this run is estimated at 9\.00e\+24 events \(3\.00e\+24 requests over 5 x 60s, 3 events each\), above the budget of 500M/);
    expect(why).toMatch(/--max-events 9\.9e\+24$/);
    // parse + estimate; a simulation of this load would not end (generous bound for a shared machine)
    expect(ms).toBeLessThan(1000);
  });
  it("keys.count: 1G with a database is refused for memory, with the parts", () => {
    const s = scenarioOf(doc({ keys: "{ count: 1G }" }));
    const why = runSizeProblem(s);
    expect(why).toMatch(/needs an estimated 8(\.\d+)?GB of memory \(database db: last write of 1000000000 keys: 8GB/);
    expect(why).toMatch(/above the budget of 2GB/);
    expect(why).toMatch(/--max-memory 8\.\d+GB/);
    // the same scenario with 1M keys fits
    expect(runSizeProblem(scenarioOf(doc({ keys: "{ count: 1M }" })))).toBeUndefined();
  });
  it("raising the budget lets the run through; lowering it refuses a small one", () => {
    const s = scenarioOf(doc({ keys: "{ count: 1G }" }));
    expect(runSizeProblem(s, {}, { maxMemory: 16e9 })).toBeUndefined();
    const small = scenarioOf(doc());
    const events = expectedEvents(small);
    // 100/s x 60 s x 5 replications x 3 events (arrival, call, database), and 60 series samples
    expect(events).toBeCloseTo(100 * 60 * 5 * 3 + 60, 6);
    expect(runSizeProblem(small, {}, { maxEvents: events * 0.9 })).toMatch(/above the budget/);
    expect(runSizeProblem(small, {}, { maxEvents: events * 1.1 })).toBeUndefined();
    // overrides count: one replication of 10 s
    expect(expectedEvents(small, { replications: 1, duration: 10 })).toBeCloseTo(100 * 10 * 3 + 10, 6);
  });
  it("health checks every microsecond are counted as events", () => {
    const s = scenarioOf(doc({ components: "  lb: { kind: load_balancer, backends: api, health_check: { interval: 1us } }\n  api: { kind: service, replicas: 4, service: 10ms, handlers: { r: [{ call: db, op: read }] } }\n  db: { kind: database, read: 2ms, write: 5ms }" }));
    // 4 backends x 60 s / 1 us x 5 replications = 1.2e9, beside 3 x 30k request events
    expect(expectedEvents(s)).toBeCloseTo(1.2e9 + 90_000 + 60, -3);
    expect(runSizeProblem(s)).toMatch(/estimated at 1\.2G events/);
  });
  it("an interval of 1 ms over a day is refused for its series", () => {
    const s = scenarioOf(doc({ extra: "simulation: { duration: 1d, interval: 1ms, replications: 1 }", rate: "1/s" }));
    expect(runSizeProblem(s)).toMatch(/series of 86400000 intervals/);
  });
  it("a fan-out of 20 calls per service down a chain of 8 is estimated (20^7 paths), not walked path by path", () => {
    const calls = (to: string) => `[${Array.from({ length: 20 }, () => `{ call: ${to} }`).join(", ")}]`;
    const chain = Array.from({ length: 7 }, (_, i) => `  s${i + 1}: { kind: service, handlers: { r: ${calls(`s${i + 2}`)} } }`).join("\n");
    const s = scenarioOf(`version: 1\nname: fan\nload: { model: open, rate: 10/s, classes: { r: { flow: [{ call: s1 }] } } }\ncomponents:\n${chain}\n  s8: { kind: service, service: 1ms }\n`);
    // hops(s8) = 1 + 1 (its service time), hops(sk) = 1 + 20 hops(sk+1)
    let h = 2;
    for (let k = 7; k >= 1; k--) h = 1 + 20 * h;
    expect(hopsPerRequest(s)).toBe(h);
    expect(h).toBe(2_627_368_421);
    expect(runSizeProblem(s)).toMatch(/2\.63G events each/);
  });
  it("every bundled scenario fits both budgets", () => {
    const root = join(import.meta.dirname, "../../../scenarios");
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith(".yaml") ? [join(dir, f)] : []));
    const all = files(root);
    expect(all.length).toBeGreaterThanOrEqual(13);
    for (const f of all) {
      const s = scenarioOf(readFileSync(f, "utf8"));
      expect(runSizeProblem(s), relative(root, f)).toBeUndefined();
      expect(expectedEvents(s)).toBeLessThan(RUN_EVENT_LIMIT / 4);
      expect(expectedMemory(s).bytes).toBeLessThan(RUN_MEMORY_LIMIT / 4);
    }
  });
});
