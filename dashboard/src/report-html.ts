// One self-contained HTML file of a run, for a reviewer without Headroom: the headline figures,
// every table of the results page, every chart as inline SVG (chart-image.ts, the same images as
// the PNG/SVG downloads) and the scenario's YAML. No script, no external reference: it opens from
// disk or a mail attachment. Trades away interactivity (no tooltips, no class picker: the latency
// chart shows the class selected when the report was made) and the capacity and what-if tabs.
import type { SimResult } from "../../simulator/index.ts";
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
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(640px, 1fr)); gap: 12px; }
.charts section svg { display: block; max-width: 100%; height: auto; }
pre { white-space: pre-wrap; font: 12px ui-monospace, Menlo, Consolas, monospace; margin: 0; }
`;

/** The report document. Tables and charts are markup from the page; names and YAML are escaped. */
export function reportHtml(result: SimResult, yaml: string | null, tables: readonly ReportPart[], charts: readonly ReportPart[], madeAt: Date): string {
  const part = (p: ReportPart) => `<section><h2>${escapeHtml(p.title)}</h2><div class="muted">${escapeHtml(p.subtitle)}</div>${p.html}</section>`;
  const r = result.run;
  const slo = result.slo ? (result.slo.pass ? "SLO PASS" : "SLO FAIL") : "no SLO";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(result.scenario.name)} · Headroom report</title><style>${css(chartTheme())}</style></head>
<body>
<h1>${escapeHtml(result.scenario.name)}</h1>
<div class="muted">${escapeHtml(result.scenario.description ?? "")}</div>
<p>${escapeHtml(slo)} · bottleneck ${escapeHtml(result.bottleneck ?? "none")} · ${r.replications} replication${r.replications === 1 ? "" : "s"} × ${r.durationS} s (warm-up ${r.warmupS} s), seed ${r.seed}, ${r.events} events${result.cost ? ` · cost ${+result.cost.perHour.toPrecision(4)}/h in the scenario's price units` : ""}</p>
<p class="muted">Headroom simulation result ${escapeHtml(result.schema)}, report made ${escapeHtml(madeAt.toISOString())}.</p>
${tables.map(part).join("\n")}
<div class="charts">
${charts.map(part).join("\n")}
</div>
<section><h2>Scenario</h2><div class="muted">the YAML this run was simulated from</div><pre>${yaml !== null ? escapeHtml(yaml) : "(not embedded: the result was opened from a v1 file)"}</pre></section>
</body></html>
`;
}

/** Tables and charts as the results page shows them: each card's title, unit line and content. */
export function collectReportParts(root: Element): { tables: ReportPart[]; charts: ReportPart[] } {
  const tables: ReportPart[] = [], charts: ReportPart[] = [];
  for (const card of root.querySelectorAll(".card")) {
    const title = card.querySelector(".card-head h3")?.textContent ?? "";
    const subtitle = card.querySelector(".card-head .card-unit")?.textContent ?? "";
    const image = chartImage(card);
    if (image) { charts.push({ title, subtitle, html: image.markup }); continue; }
    const body = [...card.children].filter((c) => !c.classList.contains("card-head")).map((c) => c.outerHTML).join("");
    if (body) tables.push({ title, subtitle, html: body });
  }
  return { tables, charts };
}
