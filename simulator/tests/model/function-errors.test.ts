// A function's bad input (`kind: function`): each problem at its line, column and field, all at
// once; the exported JSON Schema knows the kind's fields (Ajv) and refuses what the loader refuses
// for its shape.
import { describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { parseScenario, scenarioJsonSchema, type ScenarioError } from "../../model/index.ts";

function errorsOf(yaml: string): ScenarioError[] {
  const r = parseScenario(yaml, "bad.yaml");
  if (r.ok) throw new Error("expected the scenario to be rejected");
  return [...r.errors];
}

/** Line and column (1-based) of the first `needle` in `text`. */
function where(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`'${needle}' not in the scenario`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

const scenario = (fn: string, extra = "") => `version: 1
name: t
load:
  model: open
  rate: 10/s
  classes: { r: { flow: [{ call: f }] } }
components:
  f:
    kind: function
${fn}
${extra}`;

const good = `    cold_start: 300ms
    service: 20ms`;

describe("function: located errors", () => {
  it("a valid function loads, with its defaults", () => {
    const r = parseScenario(scenario(good), "ok.yaml");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.components.f).toMatchObject({
      kind: "function", max_instances: 1000, concurrency: 1, idle_timeout: 600, provisioned: 0, memory: 128 * 1024 ** 2, on_throttle: "reject",
    });
  });

  it("a cold start longer than the timeout", () => {
    const yaml = scenario("    cold_start: { dist: lognormal, mean: 3s, cv: 0.5 }\n    timeout: 2s\n    service: 20ms");
    expect(errorsOf(yaml)).toEqual([{
      file: "bad.yaml", ...where(yaml, "{ dist: lognormal"), path: "components.f.cold_start",
      message: "the cold start (mean 3s) is not shorter than the timeout (2s), which counts it: most cold invocations would time out (raise timeout or shorten cold_start)",
    }]);
  });

  it("provisioned beyond max_instances", () => {
    const yaml = scenario(`${good}\n    max_instances: 10\n    provisioned: 20`);
    const at = where(yaml, "provisioned: 20");
    expect(errorsOf(yaml)).toEqual([{
      file: "bad.yaml", line: at.line, column: at.column + "provisioned: ".length, path: "components.f.provisioned",
      message: "provisioned (20) instances are kept warm within max_instances (10); it must not exceed it",
    }]);
  });

  it("zero memory, zero instances and zero concurrency, all at once", () => {
    const yaml = scenario(`${good}\n    memory: 0MB\n    max_instances: 0\n    concurrency: 0`);
    const e = errorsOf(yaml);
    expect(e.map((x) => x.path).sort()).toEqual(["components.f.concurrency", "components.f.max_instances", "components.f.memory"]);
    expect(e.find((x) => x.path === "components.f.memory")).toMatchObject({ ...where(yaml, "0MB"), message: expect.stringMatching(/memory must be greater than 0/) });
    expect(e.find((x) => x.path === "components.f.max_instances")!.message).toMatch(/max_instances must be a whole number >= 1/);
  });

  it("boot_capacity: zero, negative and infinite refused at their place; a real number taken", () => {
    for (const bad of ["0", "-1", ".inf"]) {
      const yaml = scenario(`${good}\n    boot_capacity: ${bad}`);
      const at = where(yaml, "boot_capacity");
      expect(errorsOf(yaml)).toEqual([{
        file: "bad.yaml", line: at.line, column: at.column + "boot_capacity: ".length, path: "components.f.boot_capacity",
        message: expect.stringMatching(/^boot_capacity must be a finite number greater than 0/),
      }]);
    }
    const r = parseScenario(scenario(`${good}\n    boot_capacity: 1.5`), "ok.yaml");
    expect(r.ok && r.scenario.components.f).toMatchObject({ boot_capacity: 1.5 });
  });

  it("queue settings on a function that rejects", () => {
    const yaml = scenario(`${good}\n    queue: 100\n    queue_timeout: 1s`);
    expect(errorsOf(yaml).map((x) => [x.path, x.line])).toEqual([["components.f.queue", where(yaml, "queue: 100").line], ["components.f.queue_timeout", where(yaml, "queue_timeout").line]]);
  });

  it("a missing cold_start, an unknown field and a bad on_throttle", () => {
    const yaml = scenario("    service: 20ms\n    cold: 1s\n    on_throttle: wait");
    // a bad literal gets one message per allowed value, as every enum field does
    const paths = [...new Set(errorsOf(yaml).map((x) => x.path))].sort();
    expect(paths).toEqual(["components.f.cold", "components.f.cold_start", "components.f.on_throttle"]);
  });

  it("no work for a class: neither a handler nor a service time", () => {
    const yaml = scenario("    cold_start: 300ms\n    handlers: { other: [{ service: 1ms }] }");
    const e = errorsOf(yaml);
    expect(e.map((x) => x.message).sort()).toEqual([
      "class 'r' reaches function 'f', which has neither a handler for 'r' nor a service time (add handlers.r or service: to 'f')",
      "no request class 'other' (classes: r)",
    ]);
  });

  it("a function calling itself is a call cycle", () => {
    const yaml = scenario("    cold_start: 300ms\n    handlers: { r: [{ service: 1ms }, { call: f }] }");
    expect(errorsOf(yaml)[0]).toMatchObject({ path: "components.f.handlers.r[1].call", message: expect.stringMatching(/^call cycle for class 'r': f -> f/) });
  });

  it("a CDN in front of a function", () => {
    const yaml = scenario(good, "  edge: { kind: cdn, origin: f, objects: { count: 10 } }\n");
    expect(errorsOf(yaml)).toEqual([{ file: "bad.yaml", ...where(yaml, "f, objects"), path: "components.edge.origin", message: "a CDN's origin is a service, load balancer or geo route; 'f' is a function (put a service in front of it)" }]);
  });
});

describe("function: the exported JSON Schema", () => {
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(scenarioJsonSchema());
  it("accepts a function with every field", () => {
    const yaml = scenario(`    cold_start: { dist: lognormal, mean: 300ms, cv: 0.5 }
    max_instances: 50
    concurrency: 4
    idle_timeout: 5m
    provisioned: 2
    memory: 512MiB
    timeout: 10s
    on_throttle: queue
    queue: 100
    queue_timeout: 2s
    network: 1ms
    handlers: { r: [{ service: 5ms }] }
    cost: { million_requests: 0.2, gb_second: 0.0000166667, provisioned_gb_second: 0.0000041667 }`);
    expect(parseScenario(yaml, "ok.yaml").ok).toBe(true);
    expect(validate(parse(yaml)), JSON.stringify(validate.errors)).toBe(true);
  });
  it("refuses what the loader refuses for its shape", () => {
    for (const bad of ["    service: 20ms", `${good}\n    on_throttle: wait`, `${good}\n    cold: 1s`, `${good}\n    cost: { instance_hour: 1 }`, `${good}\n    timeout: 10`]) {
      const yaml = scenario(bad);
      expect(parseScenario(yaml, "bad.yaml").ok, bad).toBe(false);
      expect(validate(parse(yaml)), bad).toBe(false);
    }
  });
});
