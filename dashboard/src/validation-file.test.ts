// Validation reports: the JSON headroom validate writes opens unchanged (a real report from the
// fixture); a wrong schema version, a simulation result, malformed JSON or a damaged field is
// refused with a message naming the file, the field and what was expected.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { readValidationReport, type ValidationReport } from "./validation-file.ts";

const text = readFileSync(new URL("../e2e/fixtures/v-single-pool.validation.json", import.meta.url), "utf8");
const fixture = JSON.parse(text) as ValidationReport;
const edited = (f: (r: any) => void) => {
  const r = JSON.parse(text);
  f(r);
  return JSON.stringify(r);
};

describe("readValidationReport", () => {
  test("the report headroom validate wrote is read unchanged", () => {
    const r = readValidationReport(text, "v.json");
    expect(r).toEqual(fixture);
    expect(r.levels.map((l) => l.rate)).toEqual([61, 122]);
  });

  test("another schema version is refused by name", () => {
    expect(() => readValidationReport(edited((r) => { r.schema = "headroom.validation/v2"; }), "new.json")).toThrow(
      'new.json: expected a validation report with schema "headroom.validation/v1" (headroom validate --out DIR writes one), got schema "headroom.validation/v2"');
    expect(() => readValidationReport(edited((r) => { delete r.schema; }), "n.json")).toThrow(/got no schema field$/);
  });

  test("a simulation result is refused with a pointer to Open result", () => {
    expect(() => readValidationReport(JSON.stringify({ schema: "headroom.result/v1" }), "r.json")).toThrow(/got schema "headroom.result\/v1" \(this is a simulation result: open it with Open result…\)/);
  });

  test("malformed JSON and non-objects", () => {
    expect(() => readValidationReport(text.slice(0, 200), "cut.json")).toThrow(/^cut\.json: not JSON \(/);
    expect(() => readValidationReport("[1]", "a.json")).toThrow("a.json: expected a JSON object, a Headroom validation report");
  });

  test("a damaged field is named by its path with what was expected", () => {
    expect(() => readValidationReport(edited((r) => { r.levels[0].rows[2].predicted = "27.8"; }), "d.json")).toThrow('d.json: levels[0].rows[2].predicted: expected a number or null, got "27.8"');
    expect(() => readValidationReport(edited((r) => { r.levels[1].rows[0].verdict = "ok"; }), "d.json")).toThrow('d.json: levels[1].rows[0].verdict: expected "pass" or "fail" or "info", got "ok"');
    expect(() => readValidationReport(edited((r) => { delete r.machine; }), "d.json")).toThrow("d.json: machine: expected an object, got nothing");
    expect(() => readValidationReport(edited((r) => { r.knee.measured.above = "none"; }), "d.json")).toThrow('d.json: knee.measured.above: expected a number or null, got "none"');
    // a level that could not be measured must say why
    expect(() => readValidationReport(edited((r) => { r.levels[1].status = "error"; }), "d.json")).toThrow("d.json: levels[1].error: expected a string, got nothing");
  });

  test("optional parts: a level in error, calibration, the saturation throughput row", () => {
    const r = readValidationReport(edited((x) => {
      x.levels[1] = { ...x.levels[1], rows: [], status: "error", error: "reference app did not start: haproxy exited with code 1" };
      x.calibration = [{ parameter: "components.lb.overhead", valueMs: 1.9, how: "median of /healthz through HAProxy minus direct" }];
      x.saturation.throughput = { ...x.levels[0].rows[0], scope: "all", metric: "saturationThroughput", offeredRate: 264 };
    }), "o.json");
    expect(r.levels[1].error).toMatch(/did not start/);
    expect(r.calibration![0].valueMs).toBe(1.9);
    expect(r.saturation.throughput!.offeredRate).toBe(264);
    expect(() => readValidationReport(edited((x) => { x.calibration = [{ parameter: "p", valueMs: "1.9", how: "" }]; }), "c.json")).toThrow('c.json: calibration[0].valueMs: expected a number, got "1.9"');
  });
});
