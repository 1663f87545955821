// Payloads in the scenario format: sizes need their unit, pagination and compression are checked,
// a link too slow for one transfer per second is refused at its `bandwidth`, each problem located
// (line, column, field); and what a valid file decodes to (bytes, bits per second).
import { describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { parseScenario, scenarioJsonSchema, type ScenarioError } from "../../model/index.ts";
import { parseBandwidth, parseSizeWithUnit } from "../../model/units.ts";

function where(text: string, needle: string, after = ""): { line: number; column: number } {
  const offset = text.indexOf(needle, after ? text.indexOf(after) : 0);
  if (offset < 0) throw new Error(`'${needle}' not in the scenario`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function errorsOf(yaml: string): ScenarioError[] {
  const r = parseScenario(yaml, "bad.yaml");
  if (r.ok) throw new Error("expected the scenario to be rejected");
  return [...r.errors];
}

const scenario = (cls: string, api = "{ kind: service, service: 5ms, bandwidth: 100Mbps }") => `version: 1
name: t
load:
  model: open
  rate: 10/s
  classes:
    get:
${cls}
      flow: [{ call: api }]
components:
  api: ${api}
`;

describe("payload units", () => {
  it("sizes and bandwidths parse to bytes and bits per second", () => {
    expect(parseSizeWithUnit("64KB")).toBe(64e3);
    expect(parseSizeWithUnit("2MiB")).toBe(2 * 1024 ** 2);
    expect(parseSizeWithUnit(64)).toBeUndefined();
    expect(parseSizeWithUnit("64")).toBeUndefined();
    expect(parseBandwidth("1Gbps")).toBe(1e9);
    expect(parseBandwidth("125MB/s")).toBe(1e9);
    expect(parseBandwidth("10 Mbit/s")).toBe(1e7);
    expect(parseBandwidth("100")).toBeUndefined();
  });

  it("a valid file decodes its sizes, pagination and compression", () => {
    const r = parseScenario(scenario("      response_size: { dist: lognormal, mean: 200KB, cv: 1.5 }\n      request_size: 1KiB\n      compression: 25%"), "ok.yaml");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.scenario.load.classes.get;
    expect(c.response_size).toEqual({ dist: "lognormal", mean: 200e3, cv: 1.5 });
    expect(c.request_size).toEqual({ dist: "constant", value: 1024 });
    expect(c.compression).toBe(0.25);
    expect((r.scenario.components.api as { bandwidth?: number }).bandwidth).toBe(1e8);
  });
});

describe("payloads in the exported JSON Schema", () => {
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(scenarioJsonSchema());
  it("accepts sizes and bandwidths with units and refuses them without", () => {
    const good = scenario("      response_size: { dist: lognormal, mean: 200KB, cv: 1.5 }\n      pagination: { page_size: 20, row_size: 1KB }");
    expect(validate(parse(good)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parse(scenario("      response_size: 2000")))).toBe(false);
    expect(validate(parse(scenario("      response_size: { dist: exponential, mean: 300 }")))).toBe(false);
    expect(validate(parse(scenario("      response_size: 2KB", "{ kind: service, service: 5ms, bandwidth: 1000 }")))).toBe(false);
  });
});

describe("payload errors are located", () => {
  it("a size without its unit", () => {
    const y = scenario("      response_size: 2000");
    const e = errorsOf(y);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ path: "load.classes.get.response_size", ...where(y, "2000") });
    expect(e[0].message).toMatch(/size with its unit/);
  });

  it("a size without its unit inside a distribution", () => {
    const y = scenario("      response_size: { dist: exponential, mean: 300 }");
    const e = errorsOf(y);
    expect(e[0]).toMatchObject({ path: "load.classes.get.response_size.mean", ...where(y, "300") });
  });

  it("a page size of zero", () => {
    const y = scenario("      pagination: { page_size: 0, row_size: 1KB }");
    const e = errorsOf(y);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ path: "load.classes.get.pagination.page_size", ...where(y, "0,") });
    expect(e[0].message).toMatch(/page_size must be a whole number >= 1, got 0/);
  });

  it("pagination beside a response size", () => {
    const y = scenario("      pagination: { page_size: 20, row_size: 1KB }\n      response_size: 10KB");
    const e = errorsOf(y);
    expect(e[0]).toMatchObject({ path: "load.classes.get.response_size", ...where(y, "10KB") });
  });

  it("a compression ratio out of (0, 1]", () => {
    const y = scenario("      response_size: 10KB\n      compression: 0");
    expect(errorsOf(y)[0]).toMatchObject({ path: "load.classes.get.compression", ...where(y, "0\n", "compression") });
  });

  it("a bandwidth without its unit", () => {
    const y = scenario("      response_size: 10KB", "{ kind: service, service: 5ms, bandwidth: 1000 }");
    const e = errorsOf(y);
    expect(e[0]).toMatchObject({ path: "components.api.bandwidth", ...where(y, "1000") });
    expect(e[0].message).toMatch(/bandwidth like 100Mbps/);
  });

  it("a bandwidth lower than one response per second", () => {
    // 2MB responses on an 8 Mbit/s (1 MB/s) link
    const y = scenario("      response_size: { dist: exponential, mean: 2MB }", "{ kind: service, service: 5ms, bandwidth: 8Mbps }");
    const e = errorsOf(y);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ path: "components.api.bandwidth", ...where(y, "8Mbps") });
    expect(e[0].message).toMatch(/lower than one transfer per second: 'api' sends 2MB on average to the users for class 'get'/);
  });

  it("a paginated class's page counts against the link", () => {
    // 100 rows of 20KB = 2MB per page, on 8 Mbit/s
    const y = scenario("      pagination: { page_size: 100, row_size: 20KB, pages: 3 }", "{ kind: service, service: 5ms, bandwidth: 8Mbps }");
    expect(errorsOf(y)[0].path).toBe("components.api.bandwidth");
  });
});
