// The exported JSON Schema (`headroom schema`) against the loader: every bundled scenario is valid
// under it, and files the loader refuses for their shape (a unit missing, an unknown distribution or
// step, a bad name) are invalid under it too. Validated with Ajv, an independent draft-07 validator.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { parseScenario, scenarioJsonSchema } from "../../model/index.ts";

const root = join(import.meta.dirname, "../../../scenarios");
const bundled = ["", "validation", "regions"]
  .map((d) => join(root, d))
  .filter((d) => existsSync(d))
  .flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".yaml")).map((f) => join(d, f)));

const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(scenarioJsonSchema());

const base = `version: 1
name: t
load:
  model: open
  rate: 10/s
  classes: { r: { flow: [api, { call: svc }] } }
components:
  api: { kind: station, servers: 2, service: { dist: lognormal, mean: 10ms, cv: 0.5 } }
  svc: { kind: service, handlers: { r: [{ branch: [{ p: 30%, flow: [{ service: 2ms }] }, { p: 0.7, flow: [] }] }] } }
`;

describe("exported JSON Schema", () => {
  it("defines distributions, steps and units (not empty schemas)", () => {
    const s = scenarioJsonSchema() as { $defs: Record<string, { anyOf?: unknown[] }> };
    expect(s.$defs.Distribution.anyOf).toHaveLength(11); // a duration + 10 kinds
    expect(s.$defs.Step.anyOf).toHaveLength(7); // a station name + 6 step kinds
    expect(JSON.stringify(s)).toContain('"pattern":"^\\\\s*([+-]?');
  });

  it(`accepts every bundled scenario (${bundled.length} files)`, () => {
    expect(bundled.length).toBeGreaterThanOrEqual(13);
    for (const file of bundled) {
      const text = readFileSync(file, "utf8");
      expect(parseScenario(text, file).ok, file).toBe(true);
      const ok = validate(parse(text));
      expect(ok ? [] : validate.errors, file).toEqual([]);
    }
  });

  it("accepts the base file and rejects what the loader refuses for its shape", () => {
    expect(validate(parse(base)), JSON.stringify(validate.errors)).toBe(true);
    const bad: Array<[string, string]> = [
      ["servers: 2", "servers: two"], // a count
      ["rate: 10/s", "rate: 10"], // a rate needs its unit
      ["mean: 10ms", "mean: 10"], // a duration needs its unit
      ["dist: lognormal", "dist: logn"], // unknown distribution
      ["cv: 0.5", "cv: 0.5, sd: 1ms"], // a field the distribution does not have
      ["{ service: 2ms }", "{ sevice: 2ms }"], // unknown step
      ["flow: [api,", "flow: [Api,"], // names are lower case
      ["p: 30%", "p: 30 percent"], // a ratio
      ["kind: service", "kind: servce"],
    ];
    for (const [from, to] of bad) {
      const text = base.replace(from, to);
      expect(text, from).not.toBe(base);
      expect(parseScenario(text, "bad.yaml").ok, to).toBe(false);
      expect(validate(parse(text)), to).toBe(false);
    }
  });
});
