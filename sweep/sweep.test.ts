// The sweep's parts in the default test run (a few seconds): fields found and written in the YAML
// text with their units, located errors for paths that name no number, the grid and the Latin
// hypercube's stratification, and the same bytes from local threads as from the serial reference.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { findNumericField, writeFields, FieldError } from "./yaml-field.ts";
import { parseVary, gridPoints, latinHypercube, DesignError } from "./design.ts";
import { planSweep, assembleSweep } from "./sweep.ts";
import { serialRunner, threadRunner } from "../distributed/runner.ts";
import { decode, encode } from "../planning/codec.ts";

const FILE = "scenarios/single-service.yaml";
const TEXT = readFileSync(FILE, "utf8");

describe("yaml fields", () => {
  it("writes a number into a field with a unit and leaves every other byte alone", () => {
    const rate = findNumericField(TEXT, FILE, "load.rate");
    expect(rate).toMatchObject({ value: 300, unit: "/s", line: 15 });
    const mean = findNumericField(TEXT, FILE, "components.api.service.mean");
    const out = writeFields(TEXT, [{ field: rate, value: 450 }, { field: mean, value: 12.5 }]);
    expect(out).toBe(TEXT.replace("rate: 300/s", "rate: 450/s").replace("mean: 20ms", "mean: 12.5ms"));
  });

  it("keeps quotes, and indexes lists", () => {
    const text = 'a:\n  - { r: "300/s" }\n  - { r: 7 }\n';
    const f = findNumericField(text, "x.yaml", "a.0.r");
    expect(writeFields(text, [{ field: f, value: 9 }])).toBe('a:\n  - { r: "9/s" }\n  - { r: 7 }\n');
    expect(findNumericField(text, "x.yaml", "a.1.r").value).toBe(7);
    expect(() => findNumericField(text, "x.yaml", "a.2.r")).toThrow(/x\.yaml:2:3: a: is a list of 2; '2' in a\.2\.r must be an index from 0 to 1/);
  });

  it("names the file, line, column and field of a path that is not a number", () => {
    expect(() => findNumericField(TEXT, FILE, "components.api.server")).toThrow(new FieldError(`${FILE}:24:5: components.api: no field 'server' for components.api.server (fields here: kind, servers, service)`));
    expect(() => findNumericField(TEXT, FILE, "components.api.kind")).toThrow(/single-service\.yaml:24:11: components\.api\.kind: is "station", not a number/);
    expect(() => findNumericField(TEXT, FILE, "components.api")).toThrow(/is a mapping, not a number/);
    expect(() => findNumericField("a: &x 3\nb: *x\n", "y.yaml", "b")).toThrow(/y\.yaml:2:4: b: is an alias \(\*x\)/);
  });
});

describe("designs", () => {
  it("parses lists and ranges, and refuses what is neither", () => {
    expect(parseVary("load.rate=100..500:5").values).toEqual({ kind: "range", lo: 100, hi: 500, count: 5, integer: true });
    expect(parseVary("x=1,2,2,3").values).toEqual({ kind: "list", values: [1, 2, 3] });
    expect(() => parseVary("x=a,b")).toThrow(DesignError);
    expect(() => parseVary("x=5..1:3")).toThrow(/lower to a higher/);
    expect(() => parseVary("x")).toThrow(/PATH=VALUES/);
  });

  it("a grid is every combination, the first parameter outermost", () => {
    expect(gridPoints([parseVary("a=1,2"), parseVary("b=0.0..1:3")])).toEqual([[1, 0], [1, 0.5], [1, 1], [2, 0], [2, 0.5], [2, 1]]);
  });

  it("a Latin hypercube uses every stratum of every range once, the same for the same seed", () => {
    const specs = [parseVary("a=0.0..1"), parseVary("b=100..199")];
    const n = 50;
    const pts = latinHypercube(specs, n, 7);
    expect(latinHypercube(specs, n, 7)).toEqual(pts);
    expect(latinHypercube(specs, n, 8)).not.toEqual(pts);
    expect(new Set(pts.map((p) => Math.floor(p[0] * n))).size).toBe(n);
    expect(pts.every((p) => Number.isInteger(p[1]) && p[1] >= 100 && p[1] <= 199)).toBe(true);
    expect(new Set(pts.map((p) => Math.floor((p[1] - 100) / 2))).size).toBe(n); // 100 integers, 50 strata of 2
  });
});

describe("runs", () => {
  it("the codec keeps non-finite numbers", () => {
    expect(decode(encode({ a: Infinity, b: [NaN, -Infinity, 1.5] }))).toEqual({ a: Infinity, b: [NaN, -Infinity, 1.5] });
  });

  it("local threads give the serial run's bytes, and the cheapest passing point is marked", async () => {
    const plan = planSweep(FILE, TEXT, [parseVary("components.api.servers=6,9"), parseVary("load.rate=250,330")], { replications: 1, duration: 8, warmup: 2 });
    const serial = serialRunner(), threads = threadRunner(2);
    try {
      const [a, b] = [await serial.run(plan.jobs, () => {}), await threads.run(plan.jobs, () => {})];
      expect(b).toEqual(a);
      const r = assembleSweep(plan, a);
      expect(JSON.stringify(assembleSweep(plan, b))).toBe(JSON.stringify(r));
      // 6 servers at 330/s is 110% utilization: it must miss; 9 servers pass at both rates
      expect(r.points[1]).toMatchObject({ values: { "components.api.servers": 6, "load.rate": 330 }, pass: false });
      expect(r.points[2].pass && r.points[3].pass).toBe(true);
      const passing = r.points.filter((p) => p.pass);
      expect(r.cheapestPassing).toBe(passing[0].index);
      expect(r.points.every((p) => p.cost === 1)).toBe(true); // one station: one instance, first passing wins
    } finally {
      await threads.close();
    }
  });
});
