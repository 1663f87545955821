// @vitest-environment happy-dom
// The predicted-vs-measured page rendered from the real single-pool report: the error table colors
// each row by its verdict and formats errors and targets in the row's own terms; a level that could
// not be measured shows its message; the header names the machine, the date and the calibration.
import { afterEach, describe, expect, test, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { ErrorTable, ValidationView, errorText, targetText, valueText } from "./Validation.tsx";
import type { ValidationReport } from "./validation-file.ts";
import { ErrorBoundary } from "./ErrorBoundary.tsx";
import text from "../e2e/fixtures/v-single-pool.validation.json?raw";

const fixture = JSON.parse(text) as ValidationReport;

afterEach(cleanup);

describe("error table", () => {
  test("one row per report row, classed by verdict; the throughput miss at 61/s is red with its error and target", () => {
    render(<ErrorTable report={fixture} />);
    const levels = screen.getAllByTestId("val-level");
    expect(levels.map((l) => l.dataset.status)).toEqual(["fail", "pass"]);
    const rows = [...levels[0].querySelectorAll("tbody tr")] as HTMLElement[];
    expect(rows.map((r) => r.dataset.verdict)).toEqual(fixture.levels[0].rows.map((r) => r.verdict));
    const tp = rows[0];
    expect(tp.className).toBe("v-fail");
    const cells = [...tp.querySelectorAll("td")].map((td) => td.textContent);
    expect(cells).toEqual(["get_item", "throughput", "59.9 req/s", "56.5 req/s", "-5.7%", "±3%", "fail"]);
    expect(levels[0].querySelectorAll("tr.v-pass")).toHaveLength(4);
    expect(levels[0].querySelectorAll("tr.v-info")).toHaveLength(3);
  });

  test("a level in error shows its message instead of rows", () => {
    const r = structuredClone(fixture);
    r.levels[1] = { ...r.levels[1], rows: [], status: "error", error: "reference app did not start: haproxy exited with code 1" };
    render(<ErrorTable report={r} />);
    expect(screen.getByTestId("val-level-error").textContent).toBe("Not measured: reference app did not start: haproxy exited with code 1");
    expect(screen.getAllByTestId("val-level")[1].querySelector(".verdict.error")).toBeTruthy();
  });
});

describe("rows of a system validated with --target", () => {
  test("a component row not measured shows why in the measured column; the header says what was measured", () => {
    const r = structuredClone(fixture) as ValidationReport & { measuredOn?: string };
    r.measuredOn = "the system at http://127.0.0.1:8080 (--target; no reference app started), component rows not measured (no --prometheus)";
    r.levels[1].rows.push({ scope: "api", metric: "utilization", predicted: 0.3, measured: null, error: null, errorKind: "absolute", target: null, verdict: "info", note: "not measured (no --prometheus given)" });
    render(<ValidationView report={r} fileName="x.json" onClose={() => {}} />);
    const note = screen.getByTestId("val-note");
    expect(note.textContent).toBe("not measured (no --prometheus given)");
    expect([...note.closest("tr")!.querySelectorAll("td")].map((t) => t.textContent)).toEqual(["api", "utilization", "30%", "not measured (no --prometheus given)", "–", "no target", "info"]);
    expect(screen.getByTestId("val-measured-on").textContent).toMatch(/^Measured: the system at http:\/\/127\.0\.0\.1:8080 \(--target/);
  });
});

describe("saturation throughput (headroom validate --saturation)", () => {
  test("its row comes first, with the offered rate it was measured at", () => {
    const r = structuredClone(fixture);
    r.saturation.throughput = { scope: "all", metric: "saturationThroughput", predicted: 202.2, measured: 195.3, error: -0.034, errorKind: "relative", target: 0.1, verdict: "pass", offeredRate: 264 };
    render(<ErrorTable report={r} />);
    const first = screen.getByTestId("val-table").querySelector("tbody tr")!;
    expect([...first.querySelectorAll("td")].map((t) => t.textContent)).toEqual(["all", "saturation throughput", "202 req/s", "195 req/s", "-3.4%", "±10%", "pass"]);
    expect(screen.getByText(/with 264 req\/s offered/)).toBeTruthy();
  });
});

describe("a report that passed the checks but cannot be drawn", () => {
  test("shows its message in place of the report, not a blank page", () => {
    const r = structuredClone(fixture);
    (r.machine as { loadAverage: unknown }).loadAverage = null; // a field the checks would refuse, forced in
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    render(<ErrorBoundary what="The report x.json" resetKey={r}><ValidationView report={r} fileName="x.json" onClose={() => {}} /></ErrorBoundary>);
    spy.mockRestore();
    expect(screen.getByTestId("render-error").textContent).toMatch(/^The report x\.json could not be drawn: /);
  });
});

describe("cell formats", () => {
  test("fractions in % and percentage points, latencies in ms, relative errors signed", () => {
    expect(valueText("utilization", 0.30080177667191965)).toBe("30.1%");
    expect(errorText({ metric: "utilization", error: -0.0446, errorKind: "absolute" })).toBe("-4.46 pp");
    expect(targetText({ metric: "cacheHitRatio", target: 0.03, errorKind: "absolute" })).toBe("±3 pp");
    expect(valueText("p99", 175.2)).toBe("175 ms");
    expect(errorText({ metric: "p95", error: 0.034, errorKind: "relative" })).toBe("+3.4%");
    expect(targetText({ metric: "errorRate", target: null, errorKind: "absolute" })).toBe("no target");
    expect(valueText("balancerQueue", null)).toBe("–");
  });
});

describe("report header", () => {
  test("machine, date, verdict counts, knee brackets; not calibrated", () => {
    render(<ValidationView report={fixture} fileName="v.json" onClose={() => {}} />);
    expect(screen.getByTestId("val-machine").textContent).toContain("vm · 2 CPUs");
    expect(screen.getByTestId("val-machine").textContent).toContain("2026-11-27 22:17 UTC");
    expect(screen.getByTestId("val-verdict").textContent).toContain("FAIL");
    expect(screen.getByTestId("val-verdict").textContent).toContain("9 pass · 1 fail · 6 info");
    // both knees lie above the highest level run (122/s): neither side was past it
    expect(screen.getByTestId("val-knee").textContent).toBe("Kneeabove 122 req/spredicted · measured: above 122 req/s");
    expect(screen.getByTestId("val-calibration").textContent).toContain("not calibrated");
  });

  test("calibration parameters are listed with their values", () => {
    const r = structuredClone(fixture);
    r.calibration = [{ parameter: "components.lb.overhead", valueMs: 1.94, how: "median /healthz through HAProxy minus direct" }];
    render(<ValidationView report={r} fileName="v.json" onClose={() => {}} />);
    const rows = screen.getByTestId("val-calibration").querySelectorAll("tbody tr");
    expect([...rows[0].querySelectorAll("td")].map((t) => t.textContent)).toEqual(["components.lb.overhead", "1.94 ms", "median /healthz through HAProxy minus direct"]);
  });
});
