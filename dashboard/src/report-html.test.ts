// The HTML report is one self-contained file: names and YAML escaped, the page's tables and chart
// SVGs inside, nothing loaded from anywhere else.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate, withScenarioText } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { reportHtml } from "./report-html.ts";

const yaml = readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8").replace("name: single-service", "name: \"<b>single</b> & co\"");
const result = withScenarioText(simulate(scenarioOf(yaml, "s.yaml"), { replications: 2, duration: 10, warmup: 1 }), yaml);

describe("reportHtml", () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="240"><path d="M0,0L10,10"/></svg>';
  const html = reportHtml(result, yaml, [{ title: "Request classes", subtitle: "end-to-end", html: "<table><tr><td>x</td></tr></table>" }], [{ title: "Latency", subtitle: "ms", html: svg }], new Date("2026-12-02T11:00:00Z"));

  test("carries the tables, the charts and the scenario's YAML, escaped", () => {
    expect(html).toContain("<table><tr><td>x</td></tr></table>");
    expect(html).toContain(svg);
    expect(html).toContain("&lt;b&gt;single&lt;/b&gt; &amp; co");
    expect(html).not.toContain("<b>single</b>");
    // the YAML comes back out of the <pre> unchanged once unescaped
    const pre = /<pre>([\s\S]*?)<\/pre>/.exec(html)![1];
    expect(pre.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&")).toBe(yaml);
    expect(html).toContain("headroom.result/v3");
  });

  test("is self-contained: no script, no external resource", () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(/i);
    expect(html.match(/https?:\/\/[^\s"<]+/g) ?? []).toEqual(["http://www.w3.org/2000/svg"]); // the SVG namespace only
  });
});
