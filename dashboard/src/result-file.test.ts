// Result files: what `headroom simulate --json` writes is read unchanged; anything else is refused
// with a message naming the file and the problem.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate, withScenarioText } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { readResultFile } from "./result-file.ts";
import { resultJson } from "./export.ts";

const yaml = readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8");
const result = withScenarioText(simulate(scenarioOf(yaml, "s.yaml"), { replications: 2, duration: 20, warmup: 2 }), yaml);

describe("readResultFile", () => {
  test("a result JSON round-trips, with the scenario it embeds", () => {
    const opened = readResultFile(resultJson(result), "r.json");
    expect(opened.result).toEqual(JSON.parse(JSON.stringify(result)));
    expect(opened.yaml).toBe(yaml);
    expect(opened.notice).toBeNull();
  });

  test("a v1 result (no scenario embedded) still opens, with a notice", () => {
    const { yaml: _, ...scenario } = result.scenario;
    const opened = readResultFile(JSON.stringify({ ...result, schema: "headroom.result/v1", scenario }), "v1.json");
    expect(opened.yaml).toBeNull();
    expect(opened.result.scenario.yaml).toBeNull();
    expect(opened.notice).toMatch(/older result \(headroom\.result\/v1\): it does not carry its scenario/);
    // a v2 or v3 file must carry the field (null allowed)
    expect(() => readResultFile(JSON.stringify({ ...result, scenario }), "v3.json")).toThrow(/scenario\.yaml" is missing/);
    expect(() => readResultFile(JSON.stringify({ ...result, schema: "headroom.result/v2", scenario }), "v2.json")).toThrow(/scenario\.yaml" is missing/);
    expect(() => readResultFile(JSON.stringify({ ...result, scenario: { ...scenario, yaml: 3 } }), "v3.json")).toThrow(/scenario\.yaml must be/);
  });

  test("a v2 result (edges counted only with payloads) still opens with its scenario, with a notice", () => {
    const { edges: _, ...v2 } = result;
    const opened = readResultFile(JSON.stringify({ ...v2, schema: "headroom.result/v2" }), "v2.json");
    expect(opened.yaml).toBe(yaml);
    expect(opened.result.edges).toBeUndefined();
    expect(opened.notice).toMatch(/older result \(headroom\.result\/v2\): it counted requests per edge only where payloads were modelled/);
  });

  test("another schema version is refused by name", () => {
    const text = JSON.stringify({ ...result, schema: "headroom.result/v0" });
    expect(() => readResultFile(text, "old.json")).toThrow('old.json: expected a Headroom result with schema "headroom.result/v3" (headroom simulate --json writes one), got schema "headroom.result/v0"');
  });

  test("not JSON, not an object, no schema, missing parts", () => {
    expect(() => readResultFile("{oops", "a.json")).toThrow(/^a\.json: not JSON/);
    expect(() => readResultFile("[1,2]", "b.json")).toThrow(/b\.json: expected a JSON object/);
    expect(() => readResultFile("{}", "c.json")).toThrow(/got no schema field/);
    expect(() => readResultFile(JSON.stringify({ ...result, components: null }), "d.json")).toThrow(/d\.json: field "components"/);
    expect(() => readResultFile(JSON.stringify({ ...result, classes: { x: {} } }), "e.json")).toThrow(/classes\.x lacks/);
  });
});
