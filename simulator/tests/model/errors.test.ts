// Bad scenarios get messages naming line, column, field and what was expected; all at once.
import { describe, expect, it } from "vitest";
import { parseScenario, type ScenarioError } from "../../model/index.ts";

function errorsOf(yaml: string): ScenarioError[] {
  const r = parseScenario(yaml, "bad.yaml");
  if (r.ok) throw new Error("expected the scenario to be rejected");
  return [...r.errors];
}

const base = (load: string, components: string) => `version: 1
name: t
load:
${load}
components:
${components}
`;
const station = "  api: { kind: station, servers: 2, service: 10ms }";
const openLoad = "  model: open\n  rate: 10/s\n  classes: { r: { flow: [api] } }";

describe("scenario errors", () => {
  it("negative and zero rates", () => {
    const e = errorsOf(base("  model: open\n  rate: -5/s\n  classes: { r: { flow: [api] } }", station));
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ file: "bad.yaml", line: 5, column: 9, path: "load.rate" });
    expect(e[0].message).toMatch(/rate must be greater than 0/);
    const z = errorsOf(base("  model: open\n  rate: 0/s\n  classes: { r: { flow: [api] } }", station));
    expect(z[0].message).toMatch(/greater than 0/);
  });
  it("unknown fields name the field and where it is", () => {
    const e = errorsOf(base(openLoad, "  api: { kind: station, service: 10ms, severs: 3 }"));
    expect(e).toHaveLength(1);
    expect(e[0].path).toBe("components.api.severs");
    expect(e[0].line).toBe(8);
    expect(e[0].message).toMatch(/unknown field/);
  });
  it("wrong units say what was expected", () => {
    const e = errorsOf(base(openLoad, "  api: { kind: station, service: 10 }"));
    expect(e[0].path).toBe("components.api.service");
    expect(e[0].message).toMatch(/expected a duration like 20ms/);
    const r = errorsOf(base("  model: open\n  rate: 10\n  classes: { r: { flow: [api] } }", station));
    expect(r[0].message).toMatch(/expected a rate like 1200\/s/);
  });
  it("routing cycles without an exit", () => {
    const e = errorsOf(base(openLoad, `  api:
    kind: station
    service: 10ms
    routing: [{ to: db, p: 1 }]
  db:
    kind: station
    service: 10ms
    routing: [{ to: api, p: 1 }]`));
    expect(e.map((x) => x.path).sort()).toEqual(["components.api.routing", "components.db.routing"]);
    expect(e[0].message).toMatch(/routing cycle without exit/);
    expect(e[0].line).toBe(11);
  });
  it("references to missing components and probabilities that do not add up", () => {
    const e = errorsOf(base("  model: open\n  rate: 10/s\n  classes: { r: { flow: [api, nope, { branch: [{ p: 0.5, flow: [] }, { p: 0.4, flow: [] }] }] } }", station));
    expect(e.map((x) => x.message)).toEqual([
      expect.stringMatching(/no component named 'nope' \(known components: api\)/),
      expect.stringMatching(/branch probabilities must add to 1, they add to 0.9/),
    ]);
  });
  it("reports every schema problem at once", () => {
    const e = errorsOf(`version: 1
name: t
load:
  model: open
  rate: -1/s
  classes: { r: { flow: [api] } }
components:
  api: { kind: station, servers: 0, service: { dist: expo, mean: 1ms } }
  c: { kind: cache, capacity: 0 }
  d: { kind: databse }
`);
    expect(e.map((x) => x.path)).toEqual([
      "load.rate", "components.api.servers", "components.api.service.dist", "components.c.capacity", "components.d.kind",
    ]);
    expect(e.find((x) => x.path === "components.d.kind")!.message).toMatch(/"station" \| "load_balancer"/);
  });
  it("YAML syntax errors carry their position", () => {
    const e = errorsOf("version: 1\nname: [unclosed\n");
    expect(e[0].message).toMatch(/YAML syntax/);
    expect(e[0].line).toBeGreaterThanOrEqual(2);
  });
  it("warns (does not refuse) when the offered load saturates a station", () => {
    const r = parseScenario(base("  model: open\n  rate: 250/s\n  classes: { r: { flow: [api] } }", station), "w.yaml");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].path).toBe("components.api.servers");
    expect(r.warnings[0].message).toMatch(/offered utilization is 1.25/);
  });
  it("component-level checks: reads to missing replicas, pools beyond max_connections, zero cache", () => {
    const e = errorsOf(base(openLoad, `${station}
  db: { kind: database, read: 1ms, write: 2ms, read_from: replicas, max_connections: 10, pool: { size: 20 } }
  cache: { kind: cache, capacity: 0 }`));
    expect(e.map((x) => x.path)).toEqual(["components.cache.capacity"]);
    const e2 = errorsOf(base(openLoad, `${station}
  db: { kind: database, read: 1ms, write: 2ms, read_from: replicas, max_connections: 10, pool: { size: 20 } }`));
    expect(e2.map((x) => x.path).sort()).toEqual(["components.db.pool.size", "components.db.read_from"]);
  });
});
