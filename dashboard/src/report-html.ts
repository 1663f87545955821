// One self-contained HTML file of a run or of a validation report, for a reviewer without
// Headroom: the headline figures, every table of the page, every chart as inline SVG
// (chart-image.ts, the same images as the PNG/SVG downloads) and the scenario (a run's YAML; a
// validation report names its file, it does not embed it). No script, no external reference: it
// opens from disk or a mail attachment. Trades away interactivity (no tooltips, no class picker: the
// latency chart shows the class selected when the report was made) and the capacity and what-if tabs.
import type { SimResult } from "../../simulator/index.ts";
import type { ValidationReport } from "./validation-file.ts";
import { chartImage } from "./chart-image.ts";
import { chartTheme, type ChartTheme } from "./theme.ts";

export interface ReportPart {
  readonly title: string;
  readonly subtitle: string;
  /** trusted markup taken from the page: a table, or a chart's standalone SVG */
  readonly html: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

// In the theme the page had when the report was made: its charts were drawn in it.
const css = (t: ChartTheme) => `
body { margin: 24px; background: ${t.background}; color: ${t.text}; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 14px; margin: 0; } .muted { color: ${t.muted}; }
section { background: ${t.panel}; border: 1px solid ${t.border}; border-radius: 8px; margin: 12px 0; padding: 10px 12px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid ${t.border}; text-align: left; white-space: nowrap; }
th { color: ${t.muted}; font-weight: 500; } td.r, th.r { text-align: right; } td.ok { color: ${t.ok}; } td.bad { color: ${t.bad}; }
tr.v-pass td:first-child { border-left: 3px solid ${t.ok}; } tr.v-fail td:first-child { border-left: 3px solid ${t.bad}; } tr.v-info td:first-child { border-left: 3px solid ${t.border}; }
.verdict.pass { color: ${t.ok}; } .verdict.fail { color: ${t.bad}; } .verdict.info { color: ${t.muted}; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(640px, 1fr)); gap: 12px; }
.charts section svg { display: block; max-width: 100%; height: auto; }
pre { white-space: pre-wrap; font: 12px ui-monospace, Menlo, Consolas, monospace; margin: 0; }
`;

interface ReportDocument {
  readonly title: string;
  readonly description: string;
  /** plain-text lines under the title (escaped here) */
  readonly facts: readonly string[];
  readonly provenance: string;
  readonly tables: readonly ReportPart[];
  readonly charts: readonly ReportPart[];
  /** the scenario section: its text, or a sentence saying why it is not there */
  readonly scenario: { readonly subtitle: string; readonly text: string };
}

/** The document. Tables and charts are markup from the page; every other text is escaped. */
function reportDocument(d: ReportDocument): string {
  const part = (p: ReportPart) => `<section><h2>${escapeHtml(p.title)}</h2><div class="muted">${escapeHtml(p.subtitle)}</div>${p.html}</section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(d.title)} · Headroom report</title><style>${css(chartTheme())}</style></head>
<body>
<h1>${escapeHtml(d.title)}</h1>
<div class="muted">${escapeHtml(d.description)}</div>
${d.facts.map((f) => `<p>${escapeHtml(f)}</p>`).join("\n")}
<p class="muted">${escapeHtml(d.provenance)}</p>
${d.tables.map(part).join("\n")}
<div class="charts">
${d.charts.map(part).join("\n")}
</div>
<section><h2>Scenario</h2><div class="muted">${escapeHtml(d.scenario.subtitle)}</div><pre>${escapeHtml(d.scenario.text)}</pre></section>
</body></html>
`;
}

/** The report of a run: its headline, the results tab's tables and charts, its YAML. */
export function reportHtml(result: SimResult, yaml: string | null, tables: readonly ReportPart[], charts: readonly ReportPart[], madeAt: Date): string {
  const r = result.run;
  const slo = result.slo ? (result.slo.pass ? "SLO PASS" : "SLO FAIL") : "no SLO";
  return reportDocument({
    title: result.scenario.name,
    description: result.scenario.description ?? "",
    facts: [`${slo} · bottleneck ${result.bottleneck ?? "none"} · ${r.replications} replication${r.replications === 1 ? "" : "s"} × ${r.durationS} s (warm-up ${r.warmupS} s), seed ${r.seed}, ${r.events} events${result.cost ? ` · cost ${+result.cost.perHour.toPrecision(4)}/h in the scenario's price units` : ""}`],
    provenance: `Headroom simulation result ${result.schema}, report made ${madeAt.toISOString()}.`,
    tables, charts,
    scenario: { subtitle: "the YAML this run was simulated from", text: yaml ?? "(not embedded: the result was opened from a v1 file)" },
  });
}

/**
 * The report of a validation (headroom validate --out DIR): its verdict and headline figures as
 * the view shows them (facts: one line per headline figure), the calibration, every overlay chart
 * and every level's error table. The report names its scenario's file; it does not carry its YAML.
 */
export function validationReportHtml(report: ValidationReport, fileName: string, facts: readonly string[], tables: readonly ReportPart[], charts: readonly ReportPart[], madeAt: Date): string {
  return reportDocument({
    title: `${report.scenario.name}: predicted vs measured`,
    description: `Validation ${report.pass ? "PASS" : "FAIL"} of ${report.scenario.file}${report.measuredOn ? ` · measured: ${report.measuredOn}` : ""}`,
    facts: [
      ...facts,
      report.calibration ? `Calibrated: per-hop overheads measured on a separate low-load probe (${report.calibration.map((c) => `${c.parameter} ${+c.valueMs.toPrecision(3)} ms`).join(", ")}).` : "Not calibrated: the YAML was taken at its word.",
      `Knee rule, the same on both sides: ${report.knee.rule}.`,
    ],
    provenance: `Headroom validation report ${report.schema} (${fileName}, made ${report.createdAt}), HTML report made ${madeAt.toISOString()}.`,
    tables, charts,
    scenario: { subtitle: "the scenario validated", text: `${report.scenario.file} (a validation report names its scenario's file; the YAML is not embedded)` },
  });
}

/** A view's headline figures as text lines: "label: value (detail)" per stat box. */
export function collectHeadline(root: Element): string[] {
  return [...root.querySelectorAll(".headline .stat")].map((st) => {
    const text = (sel: string) => st.querySelector(sel)?.textContent?.trim() ?? "";
    const sub = text(".stat-sub");
    return `${text(".stat-label")}: ${text(".stat-value")}${sub ? ` (${sub})` : ""}`;
  });
}

/** Tables and charts as the results page shows them: each card's title, unit line and content. */
export function collectReportParts(root: Element): { tables: ReportPart[]; charts: ReportPart[] } {
  const tables: ReportPart[] = [], charts: ReportPart[] = [];
  for (const card of root.querySelectorAll(".card")) {
    const title = card.querySelector(".card-head h3")?.textContent ?? "";
    const subtitle = card.querySelector(".card-head .card-unit")?.textContent ?? "";
    const image = chartImage(card);
    if (image) { charts.push({ title, subtitle, html: image.markup }); continue; }
    if (card.querySelector(".chart-body")) continue; // a chart not drawn (no size yet): nothing to show
    const body = [...card.children].filter((c) => !c.classList.contains("card-head")).map((c) => c.outerHTML).join("");
    if (body) tables.push({ title, subtitle, html: body });
  }
  return { tables, charts };
}
