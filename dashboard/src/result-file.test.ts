// Result files: what `headroom simulate --json` writes is read unchanged; anything else is refused
// with a message naming the file and the problem.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { parseScenario, simulate } from "../../simulator/index.ts";
import { readResultFile } from "./result-file.ts";
import { resultJson } from "./export.ts";

const parsed = parseScenario(readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8"), "s.yaml");
if (!parsed.ok) throw new Error("fixture does not parse");
const result = simulate(parsed.scenario, { replications: 2, duration: 20, warmup: 2 });

describe("readResultFile", () => {
  test("a result JSON round-trips", () => {
    expect(readResultFile(resultJson(result), "r.json")).toEqual(JSON.parse(JSON.stringify(result)));
  });

  test("another schema version is refused by name", () => {
    const text = JSON.stringify({ ...result, schema: "headroom.result/v0" });
    expect(() => readResultFile(text, "old.json")).toThrow('old.json: expected a Headroom result with schema "headroom.result/v1" (headroom simulate --json writes one), got schema "headroom.result/v0"');
  });

  test("not JSON, not an object, no schema, missing parts", () => {
    expect(() => readResultFile("{oops", "a.json")).toThrow(/^a\.json: not JSON/);
    expect(() => readResultFile("[1,2]", "b.json")).toThrow(/b\.json: expected a JSON object/);
    expect(() => readResultFile("{}", "c.json")).toThrow(/got no schema field/);
    expect(() => readResultFile(JSON.stringify({ ...result, components: null }), "d.json")).toThrow(/d\.json: field "components"/);
    expect(() => readResultFile(JSON.stringify({ ...result, classes: { x: {} } }), "e.json")).toThrow(/classes\.x lacks/);
  });
});
