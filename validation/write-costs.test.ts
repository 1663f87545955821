// The calibrated costs written into a validation scenario: values, comments and the untouched rest.
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { withCosts } from "./write-costs.ts";
import type { ValidationReport } from "./report.ts";

const TEXT = `# a scenario
version: 1
name: t
components:
  lb:
    kind: load_balancer # the front
    backends: api
  api:
    kind: service
    overhead: 0.2ms
`;

const rep = (calibration: ValidationReport["calibration"]) => ({
  createdAt: "2026-12-03T07:00:00.000Z",
  machine: { host: "vm", cpus: 2, loadAverage: [1.23, 1, 1], node: "v20" },
  scenario: { name: "t", file: "scenarios/validation/t.yaml" },
  calibration,
  calibrationRun: calibration ? { rate: 140, file: "x" } : undefined,
}) as unknown as ValidationReport;

describe("withCosts", () => {
  it("sets each calibrated parameter with a comment naming rate, day, load and the replaced value", () => {
    const out = withCosts(TEXT, rep([
      { parameter: "components.lb.overhead", valueMs: 0.6041, how: "" },
      { parameter: "components.api.overhead", valueMs: 1.4, how: "" },
      { parameter: "components.api.call_overhead", valueMs: 0.35, how: "" },
      { parameter: "components.api.network", valueMs: 0.7, how: "" },
    ]));
    const doc = parseDocument(out).toJS();
    expect(doc.components.lb.overhead).toBe("0.604ms");
    expect(doc.components.api.overhead).toBe("1.4ms");
    expect(doc.components.lb.kind).toBe("load_balancer");
    expect(doc.components.api.call_overhead).toBe("0.35ms");
    // an older report's network: the reference app injects it as a real wait, never written
    expect(doc.components.api.network).toBeUndefined();
    expect(out).toMatch(/overhead: 0\.604ms # reference app's cost, measured by validate --calibrate at 140 req\/s on 2026-12-03 \(2 CPUs, load 1\.2; not set\)/);
    expect(out).toMatch(/overhead: 1\.4ms # .*was "0\.2ms"/);
    expect(out).toMatch(/^# a scenario/);
    expect(out).toMatch(/kind: load_balancer # the front/);
  });
  it("leaves the text as it is without a calibration, or with only injected parameters", () => {
    expect(withCosts(TEXT, rep(null))).toBe(TEXT);
    expect(withCosts(TEXT, rep([{ parameter: "components.api.network", valueMs: 0.7, how: "" }]))).toBe(TEXT);
  });
});
