// Bad scenarios get messages naming line, column, field and what was expected; all at once.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { parseScenario, type ScenarioError } from "../../model/index.ts";

/** Line and column (1-based) of the first `needle` after `after` in `text`: where an error must point. */
function where(text: string, needle: string, after = ""): { line: number; column: number } {
  const offset = text.indexOf(needle, after ? text.indexOf(after) : 0);
  if (offset < 0 || (after && text.indexOf(after) < 0)) throw new Error(`'${needle}' not in the scenario`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

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
  it("an unknown field close to one its section allows (and lacks) says which: per kind, in a distribution, at the top", () => {
    const msg = (components: string, load = openLoad) => errorsOf(base(load, components)).map((x) => `${x.path}: ${x.message}`);
    expect(msg("  api: { kind: station, service: 10ms, severs: 3 }")[0]).toBe("components.api.severs: unknown field (did you mean servers? see docs/scenario-format.md for the fields of this section)");
    // the kind decides the fields: a service has replicas, a station does not
    expect(msg("  api: { kind: service, replicas: 2, handlers: { r: [] }, concurency: 4 }").find((m) => m.startsWith("components.api.concurency"))).toMatch(/did you mean concurrency\?/);
    expect(msg("  api: { kind: station, servers: 2, service: 10ms, replics: 2 }")[0]).not.toMatch(/did you mean/);
    expect(msg("  api: { kind: station, servers: 2, service: { dist: exponential, maen: 10ms } }").find((m) => m.includes(".maen"))).toMatch(/did you mean mean\?/);
    // a field already written is not proposed again; a name far from every field gets no guess
    expect(msg("  api: { kind: station, servers: 2, service: 10ms, servrs: 3 }")[0]).not.toMatch(/did you mean/);
    expect(msg("  api: { kind: station, servers: 2, service: 10ms, colour: 3 }")[0]).not.toMatch(/did you mean/);
    const top = errorsOf(`version: 1\nname: t\nsed: 4\nload:\n${openLoad}\ncomponents:\n${station}\n`);
    expect(top[0].message).toMatch(/^unknown field \(did you mean seed\?/);
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
    const yaml = base(openLoad, `${station}
  db: { kind: database, read: 1ms, write: 2ms, read_from: replicas, max_connections: 10, pool: { size: 20 } }
  cache: { kind: cache, capacity: 0 }`);
    const e = errorsOf(yaml);
    // The cache fails the schema; the database's cross-field checks still run (all at once, by position).
    expect(e.map(({ file, line, column, path }) => ({ file, line, column, path }))).toEqual([
      { file: "bad.yaml", ...where(yaml, "replicas,"), path: "components.db.read_from" },
      { file: "bad.yaml", ...where(yaml, "20 }"), path: "components.db.pool.size" },
      { file: "bad.yaml", ...where(yaml, "0 }", "capacity"), path: "components.cache.capacity" },
    ]);
    expect(e.map((x) => x.line)).toEqual([9, 9, 10]);
    expect(e[0].message).toBe("reads go to replicas, but replicas is 0");
    expect(e[1].message).toMatch(/pools of 20 on 1 service replicas .* need 20 connections, more than max_connections 10/);
    expect(e[2].message).toMatch(/capacity must be a whole number >= 1, got 0/);
  });
  it("a seed above 2^32-1 is refused (the random streams would wrap it)", () => {
    const yaml = base(openLoad, station).replace("name: t\n", "name: t\nseed: 4294967303\n");
    expect(errorsOf(yaml)).toEqual([{ file: "bad.yaml", line: 3, column: 7, path: "seed", message: "seed must be at most 4294967295, got 4294967303" }]);
    expect(parseScenario(yaml.replace("4294967303", "4294967295"), "ok.yaml").ok).toBe(true);
  });
  it("a call: to a missing component names it, at the call", () => {
    const yaml = base("  model: open\n  rate: 10/s\n  classes: { r: { flow: [api, { call: auth }] } }", station);
    const e = errorsOf(yaml);
    expect(e).toEqual([{
      file: "bad.yaml", ...where(yaml, "auth"), path: "load.classes.r.flow[1].call",
      message: "no component named 'auth' (known components: api)",
    }]);
  });
  it("pools are counted on every replica up to the autoscaling max (the engine gives each its pool)", () => {
    const scenario = (max: number) => base("  model: open\n  rate: 10/s\n  classes: { r: { flow: [{ call: api }] } }", `  api:
    kind: service
    autoscaling: { min: 1, max: ${max}, target: 0.6 }
    handlers: { r: [{ call: db, op: read }] }
  db:
    kind: database
    read: 1ms
    write: 1ms
    max_connections: 20
    pool: { size: 10 }`);
    const e = errorsOf(scenario(4));
    expect(e).toEqual([expect.objectContaining({ file: "bad.yaml", ...where(scenario(4), "10 }"), path: "components.db.pool.size" })]);
    expect(e[0].line).toBe(17);
    expect(e[0].message).toMatch(/pools of 10 on 4 service replicas .* need 40 connections, more than max_connections 20/);
    expect(parseScenario(scenario(2), "ok.yaml").ok).toBe(true); // 2 x 10 = 20 fits exactly
  });
});

describe("call cycles", () => {
  const callLoad = "  model: open\n  rate: 10/s\n  classes: { r: { flow: [{ call: api }] } }";
  it("a service calling back into its caller is refused at the closing call", () => {
    const yaml = base(callLoad, `  api:
    kind: service
    handlers:
      r: [{ service: 1ms }, { call: back }]
  back:
    kind: service
    handlers:
      r:
        - { service: 1ms }
        - { call: api }`);
    const e = errorsOf(yaml);
    expect(e).toEqual([{
      file: "bad.yaml", line: 17, column: where(yaml, "api }", "- { call").column, path: "components.back.handlers.r[1].call",
      message: expect.stringMatching(/^call cycle for class 'r': api -> back -> api \(each caller holds its slot/),
    }]);
  });
  it("through a balancer, and even when a branch may leave the cycle", () => {
    const yaml = base(callLoad.replace("call: api", "call: lb"), `  lb: { kind: load_balancer, backends: api }
  api:
    kind: service
    handlers:
      r: [{ branch: [{ p: 0.5, flow: [{ call: lb }] }, { p: 0.5, flow: [] }] }]`);
    const e = errorsOf(yaml);
    expect(e).toEqual([expect.objectContaining({ ...where(yaml, "lb }", "handlers"), path: "components.api.handlers.r[0].branch[0].flow[0].call" })]);
    expect(e[0].message).toMatch(/^call cycle for class 'r': lb -> api -> lb/);
  });
  it("handlers of different classes do not form a cycle", () => {
    const r = parseScenario(base("  model: open\n  rate: 10/s\n  classes: { a: { flow: [{ call: api }] }, b: { flow: [{ call: back }] } }", `  api:
    kind: service
    service: 1ms
    handlers: { a: [{ call: back }] }
  back:
    kind: service
    service: 1ms
    handlers: { b: [{ call: api }] }`), "ok.yaml");
    expect(r.ok).toBe(true);
  });
  it("queues publishing to each other forever are refused; with a branch out they are a feedback loop", () => {
    const queues = (p: string) => base("  model: open\n  rate: 10/s\n  classes: { r: { flow: [{ publish: q1 }] } }", `  q1: { kind: queue, service: 1ms, handler: [{ publish: q2 }] }
  q2: { kind: queue, service: 1ms, handler: [{ branch: [{ p: ${p}, flow: [{ publish: q1 }] }, { p: ${1 - Number(p)}, flow: [] }] }] }`);
    const e = errorsOf(queues("1"));
    expect(e).toEqual([expect.objectContaining({ ...where(queues("1"), "q1 }", "q2: {"), path: "components.q2.handler[0].branch[0].flow[0].publish" })]);
    expect(e[0].message).toMatch(/^publish cycle: q1 -> q2 -> q1 \(every message publishes another, forever/);
    expect(parseScenario(queues("0.1"), "ok.yaml").ok).toBe(true);
  });
});

describe("distributions", () => {
  const svc = (dist: string) => base(openLoad, `  api: { kind: station, service: ${dist} }`);
  it("an Erlang k that would underflow the sampler is refused, pointing to gamma", () => {
    const e = errorsOf(svc("{ dist: erlang, k: 2000, mean: 10ms }"));
    expect(e).toEqual([expect.objectContaining({ file: "bad.yaml", ...where(svc("{ dist: erlang, k: 2000, mean: 10ms }"), "2000"), path: "components.api.service.k" })]);
    expect(e[0].message).toMatch(/an Erlang k above 500 underflows the sampler; write \{ dist: gamma, cv: 0.0224 \}/);
    expect(parseScenario(svc("{ dist: erlang, k: 500, mean: 10ms }"), "ok.yaml").ok).toBe(true);
  });
  it("min and max in order, means positive", () => {
    // [distribution, the field the error is at, the text of its value, message]
    const cases: Array<[string, string, string, RegExp]> = [
      ["{ dist: uniform, min: 5ms, max: 2ms }", "max", "2ms", /max \(2ms\) must be at least min \(5ms\)/],
      ["{ dist: pareto, min: 5ms, max: 5ms, alpha: 1.5 }", "max", "5ms, alpha", /max \(5ms\) must be greater than min \(5ms\)/],
      ["{ dist: lognormal, mean: -5ms, cv: 1 }", "mean", "-5ms", /duration must be greater than 0, got -0.005/],
      ["{ dist: normal, mean: 0ms, sd: 1ms }", "mean", "0ms", /duration must be greater than 0, got 0/],
    ];
    for (const [dist, field, value, message] of cases) {
      const e = errorsOf(svc(dist));
      expect(e, dist).toEqual([{ file: "bad.yaml", ...where(svc(dist), value), path: `components.api.service.${field}`, message: expect.stringMatching(message) }]);
    }
    expect(parseScenario(svc("{ dist: uniform, min: 5ms, max: 5ms }"), "ok.yaml").ok).toBe(true);
  });
});

describe("all problems at once", () => {
  it("schema errors and cross-field errors of the parts that decoded, sorted by position", () => {
    const yaml = `version: 1
name: t
load:
  model: open
  rate: -1/s
  classes: { r: { flow: [a, d, nope] } }
components:
  a: { kind: station, service: 10ms, routing: [{ to: b, p: 1 }] }
  b: { kind: station, service: 10ms, routing: [{ to: a, p: 1 }] }
  c: { kind: cache, capacity: 0 }
  d: { kind: station, servers: 0, service: 1ms }
  e: { kind: databse }
`;
    const e = errorsOf(yaml);
    // Four schema errors (lines 5, 10, 11, 12) and three from the checks (6, 8, 9), by position.
    // d did not decode: the flow's reference to it is not reported again as missing.
    const at = (needle: string, after?: string) => { const w = where(yaml, needle, after); return `${w.line}:${w.column}`; };
    expect(e.map((x) => `${x.line}:${x.column} ${x.path}`)).toEqual([
      `${at("-1/s")} load.rate`,
      `${at("nope")} load.classes.r.flow[2].visit`,
      `${at("[{ to: b")} components.a.routing`,
      `${at("[{ to: a")} components.b.routing`,
      `${at("0 }", "capacity")} components.c.capacity`,
      `${at("0, service: 1ms")} components.d.servers`,
      `${at("databse")} components.e.kind`,
    ]);
    expect(e.map((x) => x.line)).toEqual([5, 6, 8, 9, 10, 11, 12]);
    expect(e[1].message).toMatch(/no component named 'nope'/);
    expect(e[2].message).toMatch(/routing cycle without exit/);
  });
  it("in every bundled scenario, a component that fails the schema yields errors about it alone", () => {
    const root = join(import.meta.dirname, "../../../scenarios");
    const files = [...readdirSync(root).map((f) => join(root, f)), ...readdirSync(join(root, "validation")).map((f) => join(root, "validation", f))]
      .filter((f) => f.endsWith(".yaml"));
    let broken = 0;
    for (const f of files) {
      const doc = parseDocument(readFileSync(f, "utf8"));
      for (const name of Object.keys((doc.toJS() as { components: object }).components)) {
        const copy = doc.clone();
        copy.setIn(["components", name, "kind"], "bogus");
        const e = errorsOf(copy.toString());
        expect(e.length, `${f}: ${name}`).toBeGreaterThan(0);
        expect(e.filter((x) => !x.path.startsWith(`components.${name}.`)), `${f}: ${name}`).toEqual([]);
        broken++;
      }
    }
    expect(broken).toBeGreaterThanOrEqual(40);
  });
  it("parts that failed are neither followed nor reported again (the regional million-users file, broken twice)", () => {
    const file = readFileSync(join(import.meta.dirname, "../../../scenarios/one-million-users.yaml"), "utf8");
    // A bad load (its user regions then unknown) and a bad service behind a balancer and the
    // caches' callers: only those two fields are reported, no missing backends, regions or callers.
    const broken = file.replace("think: { dist: exponential, mean: 60s }", "think: { dist: exponential, mean: 60 }")
      .replace("    replicas: 30\n", "    replicas: thirty\n");
    expect(broken).not.toBe(file);
    const e = errorsOf(broken);
    expect(e.map((x) => ({ ...x, message: undefined }))).toEqual([
      { file: "bad.yaml", ...where(broken, "60 }", "think:"), path: "load.think.mean", message: undefined },
      { file: "bad.yaml", ...where(broken, "thirty"), path: "components.api_west.replicas", message: undefined },
    ]);
  });
});

describe("services without work for a class", () => {
  it("a class reaching a service through a balancer that has no handler for it nor a service time is refused at the backends", () => {
    const load = "  model: open\n  rate: 10/s\n  classes: { r: { flow: [{ call: lb }] }, w: { flow: [{ call: other }] } }";
    const yaml = base(load, `  lb: { kind: load_balancer, backends: api }
  api:
    kind: service
    handlers:
      w: [{ service: 1ms }]
  other: { kind: service, service: 2ms }`);
    const e = errorsOf(yaml);
    expect(e).toEqual([{
      file: "bad.yaml", ...where(yaml, "api }", "backends:"), path: "components.lb.backends",
      message: "class 'r' reaches service 'api', which has neither a handler for 'r' nor a service time (add handlers.r or service: to 'api')",
    }]);
  });
});
