// The dynamic validation's report file: rows with NaN written as null, the verdict from the judged
// rows only, and every series of a report (the instance steps first).
import { describe, expect, it } from "vitest";
import { dynamicsDocument, DYNAMICS_SCHEMA } from "./dynamics-report.ts";
import { reportSeries } from "./dynamics.ts";

describe("dynamicsDocument", () => {
  const rows = [
    { name: "a", predicted: 1, measured: 1.05, target: "within 10%", pass: true },
    { name: "shown", predicted: NaN, measured: 3, target: "shown", pass: null },
  ];
  const doc = dynamicsDocument({ scenario: "s", file: "s.yaml", yaml: "version: 1\n", createdAt: "2026-12-03T16:00:00.000Z", loadAverage: [1, 2], rows, series: [] });
  it("writes the schema, NaN as null, and passes when every judged row passes", () => {
    expect(doc.schema).toBe(DYNAMICS_SCHEMA);
    expect(doc.rows[1]).toEqual({ name: "shown", predicted: null, measured: 3, target: "shown", pass: null });
    expect(doc.pass).toBe(true);
    expect(JSON.parse(JSON.stringify(doc)).rows[1].predicted).toBeNull();
  });
  it("fails when one judged row missed", () => {
    expect(dynamicsDocument({ ...doc, rows: [...rows, { name: "b", predicted: 1, measured: 2, target: "within 10%", pass: false }], series: [] }).pass).toBe(false);
  });
  it("a report's series: its instance steps as one, then the others", () => {
    const hit = { name: "cache hit ratio", unit: "hit ratio", shape: "samples" as const, predicted: [[1, 0.5]] as Array<[number, number | null]>, measured: [[1, null]] as Array<[number, number | null]> };
    const s = reportSeries({ scenario: "x", loadAverage: [], rows: [], predictedSteps: [[0, 1], [35, 2]], measuredSteps: [[0, 1], [35.2, 2]], series: [hit] });
    expect(s.map((x) => x.name)).toEqual(["instances", "cache hit ratio"]);
    expect(s[0]).toMatchObject({ shape: "steps", predicted: [[0, 1], [35, 2]], measured: [[0, 1], [35.2, 2]] });
    expect(reportSeries({ scenario: "x", loadAverage: [], rows: [] })).toEqual([]);
  });
});
