// @vitest-environment happy-dom
// The dynamic validation view drawn from a real `validate:dynamics --out` report (cache-loss: Redis
// restarted empty three times): the verdict, every row, one chart overlaying the model's and the
// app's hit ratio with the restarts marked; the reader refuses a file that is not such a report
// with the field that is wrong; a step series holds its value between its points.
import { afterEach, describe, expect, test } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { DynamicsView } from "./DynamicsView.tsx";
import { mergeSeries, readDynamicsReport } from "./dynamics-file.ts";
import text from "../e2e/fixtures/v-cache-loss.dynamics.json?raw";

const doc = readDynamicsReport(text, "v-cache-loss.dynamics.json");
afterEach(cleanup);

describe("dynamics file", () => {
  test("the real report reads whole: 11 rows, 3 judged, one series of 125 and 123 points, 3 events", () => {
    expect(doc.rows.length).toBe(11);
    expect(doc.rows.filter((r) => r.pass !== null).length).toBe(3);
    expect(doc.series[0]!.predicted.length).toBe(125);
    expect(doc.series[0]!.measured.length).toBe(123);
    expect(doc.series[0]!.events!.map((e) => e[0])).toEqual([35, 65, 95]);
  });
  test("a file that is not one names what is wrong", () => {
    expect(() => readDynamicsReport(JSON.stringify({ schema: "headroom.validation/v1" }), "x.json")).toThrow(/x\.json: expected a dynamic validation report with schema "headroom.dynamics\/v1".*got schema "headroom.validation\/v1"/);
    const broken = JSON.parse(text);
    broken.series[0].measured[3] = [3];
    expect(() => readDynamicsReport(JSON.stringify(broken), "b.json")).toThrow("b.json: series[0].measured[3]: expected [t, value]");
    delete broken.rows[0].target;
    expect(() => readDynamicsReport(JSON.stringify(broken), "c.json")).toThrow("c.json: rows[0].target: expected a string");
  });
  test("merging: a sampled series has values only at its own points; a step series holds its last one", () => {
    const steps = mergeSeries({ name: "i", unit: "instances", shape: "steps", predicted: [[0, 1], [35, 2], [96, 1]], measured: [[0, 1], [35.2, 2]] });
    expect(steps.map((r) => r.t)).toEqual([0, 35, 35.2, 96]);
    expect(steps.map((r) => r.predicted)).toEqual([1, 2, 2, 1]);
    expect(steps.map((r) => r.measured)).toEqual([1, 1, 2, 2]);
    const samples = mergeSeries({ name: "h", unit: "ratio", shape: "samples", predicted: [[1, 0.5], [2, 0.6]], measured: [[1.5, 0.4]] });
    expect(samples).toEqual([{ t: 1, predicted: 0.5, measured: null }, { t: 1.5, predicted: null, measured: 0.4 }, { t: 2, predicted: 0.6, measured: null }]);
  });
});

describe("dynamics view", () => {
  test("verdict, rows and the overlay chart", () => {
    render(<DynamicsView doc={doc} fileName="v-cache-loss.dynamics.json" onClose={() => {}} />);
    expect(screen.getByTestId("dyn-verdict").textContent).toContain("PASS");
    expect(screen.getByTestId("dyn-verdict").textContent).toContain("3 pass");
    expect(screen.getByTestId("dyn-rows").querySelectorAll("tbody tr").length).toBe(11);
    expect(screen.getByTestId("dyn-series-0").textContent).toContain("hit ratio");
  });
});
