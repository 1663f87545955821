// @vitest-environment happy-dom
// The HTML report of a validation, made from the view rendered from the real single-pool report
// as the button makes it: every level's table with every row and its verdict class, the headline's
// figures, the calibration and the scenario's file; names escaped; nothing loaded from elsewhere.
// (Charts are drawn only in a browser, where the e2e test checks them: here they have no size.)
import { afterEach, describe, expect, test } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { ValidationView } from "./Validation.tsx";
import type { ValidationReport } from "./validation-file.ts";
import { collectHeadline, collectReportParts, validationReportHtml } from "./report-html.ts";
import text from "../e2e/fixtures/v-single-pool.validation.json?raw";

const fixture = JSON.parse(text) as ValidationReport;
afterEach(cleanup);

function reportOf(report: ValidationReport): string {
  render(<ValidationView report={report} fileName="v.json" onClose={() => {}} />);
  const view = screen.getByTestId("validation");
  const { tables, charts } = collectReportParts(view);
  return validationReportHtml(report, "v.json", collectHeadline(view), tables, charts, new Date("2026-12-03T11:00:00Z"));
}

describe("validationReportHtml", () => {
  test("every level's rows with their verdicts, the headline figures and the scenario's file", () => {
    const html = reportOf(fixture);
    const rows = fixture.levels.flatMap((l) => l.rows);
    // one table row per report row, classed by verdict as on the page
    for (const v of ["pass", "fail", "info"] as const) {
      expect((html.match(new RegExp(`<tr class="v-${v}"`, "g")) ?? []).length, v).toBe(rows.filter((r) => r.verdict === v).length);
    }
    expect(html).toContain("<td>get_item</td><td>throughput</td><td class=\"r\">59.9 req/s</td><td class=\"r\">56.5 req/s</td>");
    expect(html).toContain(`<p>Validation: ${fixture.pass ? "PASS" : "FAIL"}`);
    expect(html).toContain("<p>Measured on: vm · 2 CPUs");
    expect(html).toContain(fixture.scenario.file);
    expect(html).toContain(fixture.knee.rule.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));
    expect(html).toContain("headroom.validation/v1 (v.json");
    expect(html).toContain("Validation FAIL of");
    // a chart that was not drawn (here: no layout) is left out, not copied as an empty box
    expect(html).not.toContain("recharts-responsive-container");
  });

  test("names are escaped and the file is self-contained", () => {
    const hostile = structuredClone(fixture);
    hostile.scenario.name = "<img src=x onerror=alert(1)>";
    const html = reportOf(hostile);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).not.toMatch(/<script|<link|<img|<[^>]*\ssrc=|url\(/i);
  });
});
