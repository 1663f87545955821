// A database's `table:`, a read's `by:` (model/table.ts), a class's `browser_cache` and a balancer's
// `tls`: bad input is reported at its line, column and field; the CLI exits 2 on these as on every
// located error (shared/load-scenario.ts), e.g. `table.rows: lots` -> "56:13: components.db.table.rows".
import { describe, expect, it } from "vitest";
import { parseScenario, type ScenarioError } from "../../model/index.ts";

function errorsOf(yaml: string): ScenarioError[] {
  const r = parseScenario(yaml, "bad.yaml");
  if (r.ok) throw new Error("expected the scenario to be rejected");
  return [...r.errors];
}

const scenario = (table: string, readStep = "{ call: db, op: read, by: email }") => `version: 1
name: t
load:
  model: open
  rate: 10/s
  classes:
    get: { flow: [${readStep}] }
    put: { flow: [{ call: db, op: write }] }
components:
  db:
    kind: database
    read: 1ms
    write: 1ms
${table}
`;

describe("table and by errors", () => {
  it("a valid table parses", () => {
    const r = parseScenario(scenario("    table: { rows: 1M, growth: 1, indexes: [email], lookup: 2us, scan: 0.05us }"), "ok.yaml");
    expect(r.ok).toBe(true);
  });
  it("an index on a column no read queries by: at the index", () => {
    const e = errorsOf(scenario("    table:\n      rows: 1M\n      indexes: [email, name]"));
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ path: "components.db.table.indexes[1]", line: 16, column: 24 });
    expect(e[0].message).toMatch(/an index on name, but no read of 'db' queries by name \(its reads query by email\)/);
  });
  it("the primary key listed as an index", () => {
    const e = errorsOf(scenario("    table: { rows: 1M, indexes: [id] }", "{ call: db, op: read }"));
    expect(e[0].path).toBe("components.db.table.indexes[0]");
    expect(e[0].message).toMatch(/primary key, always indexed/);
  });
  it("rows without a count", () => {
    const missing = errorsOf(scenario("    table: { growth: 1 }"));
    expect(missing[0]).toMatchObject({ path: "components.db.table.rows", line: 14, message: "required field is missing" });
    const words = errorsOf(scenario("    table: { rows: many }"));
    expect(words[0]).toMatchObject({ path: "components.db.table.rows", line: 14 });
    expect(words[0].message).toMatch(/expected a count/);
  });
  it("negative costs and growth", () => {
    const e = errorsOf(scenario("    table: { rows: 10, growth: -1, scan: -1us }"));
    expect(e.map((x) => x.path).sort()).toEqual(["components.db.table.growth", "components.db.table.scan"]);
    for (const x of e) expect(x.message).toMatch(/must not be negative/);
  });
  it("by on a database without a table, and on a write", () => {
    expect(errorsOf(scenario(""))[0]).toMatchObject({ path: "load.classes.get.flow[0].by", line: 7, column: 45 });
    const w = errorsOf(scenario("    table: { rows: 10 }", "{ call: db, op: write, by: email }"));
    expect(w[0].path).toBe("load.classes.get.flow[0].by");
    expect(w[0].message).toMatch(/`by` is for reads/);
  });
});

const browser = (load: string, cls: string, handlers = "page: [{ service: 1ms }]") => `version: 1
name: b
load:
${load}
  classes:
    page:
${cls}
      flow: [{ call: api }]
components:
  api: { kind: service, handlers: { ${handlers} } }
`;

describe("browser_cache errors", () => {
  it("a valid browser cache parses, with a revalidate handler", () => {
    const r = parseScenario(browser("  model: open\n  rate: 10/s\n  population: 100", "      browser_cache: { max_age: 30s }", "page: [{ service: 1ms }], page/revalidate: [{ service: 0.1ms }]"), "ok.yaml");
    expect(r.ok ? [] : r.errors).toEqual([]);
  });
  it("a negative max-age", () => {
    const e = errorsOf(browser("  model: open\n  rate: 10/s\n  population: 100", "      browser_cache: { max_age: -5s }"));
    expect(e[0]).toMatchObject({ path: "load.classes.page.browser_cache.max_age", line: 9 });
    expect(e[0].message).toMatch(/must not be negative/);
  });
  it("an open load without population: who the users are", () => {
    const e = errorsOf(browser("  model: open\n  rate: 10/s", "      browser_cache: { max_age: 5s }"));
    expect(e[0].path).toBe("load");
    expect(e[0].message).toMatch(/needs `population`/);
  });
  it("revalidate without an ETag, a revalidate handler without a browser cache, too many entries", () => {
    const noEtag = errorsOf(browser("  model: closed\n  users: 10", "      browser_cache: { max_age: 5s, etag: false, revalidate: [{ call: api }] }"));
    expect(noEtag[0].path).toBe("load.classes.page.browser_cache.revalidate");
    const handler = errorsOf(browser("  model: closed\n  users: 10", "      weight: 1", "page: [{ service: 1ms }], page/revalidate: [{ service: 0.1ms }]"));
    expect(handler[0].path).toBe("components.api.handlers.page/revalidate");
    const big = errorsOf(browser("  model: closed\n  users: 1M", "      keys: { count: 100k }\n      browser_cache: { max_age: 5s }"));
    expect(big[0].path).toBe("load.classes.page.browser_cache");
    expect(big[0].message).toMatch(/above the 64M/);
  });
});

describe("tls errors", () => {
  const lb = (tls: string) => `version: 1
name: t
load: { model: open, rate: 10/s, classes: { get: { flow: [{ call: lb }] } } }
components:
  lb:
    kind: load_balancer
    backends: api
    tls: ${tls}
  api: { kind: service, service: 1ms }
`;
  it("resumption without the cost of a resumed handshake, fewer than one request per connection", () => {
    const e = errorsOf(lb("{ handshake: 2ms, resumption: 0.5 }"));
    expect(e[0]).toMatchObject({ path: "components.lb.tls.resumption", line: 8 });
    const r = errorsOf(lb("{ handshake: 2ms, requests_per_connection: 0.5 }"));
    expect(r[0].path).toBe("components.lb.tls.requests_per_connection");
    expect(r[0].message).toMatch(/at least 1/);
    expect(errorsOf(lb("{ handshake: -2ms }"))[0].path).toBe("components.lb.tls.handshake");
  });
});
