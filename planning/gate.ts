// The CI gate's verdicts: each scenario's current measures against its baseline entry, metric by
// metric, with a relative tolerance: capacity may not drop, p95/p99 and cost may not rise by more
// than it; an SLO met at nominal load must stay met. Renders JUnit XML and a Markdown summary.
import type { ScenarioMeasure } from "./baseline.ts";

export interface Finding {
  readonly scenario: string;
  readonly metric: string;
  readonly old: number | boolean | null;
  readonly now: number | boolean | null;
  /** Relative change (now - old) / old, when both are numbers. */
  readonly change: number | null;
  readonly verdict: "pass" | "regression" | "improved";
  readonly message: string;
}

export function compare(scenario: string, base: ScenarioMeasure, now: ScenarioMeasure, tolerance: number): Finding[] {
  const out: Finding[] = [];
  const num = (metric: string, old: number | null, cur: number | null, higherIsBetter: boolean, unit: string) => {
    if (old === null && cur === null) return;
    if (old === null || cur === null) {
      out.push({ scenario, metric, old, now: cur, change: null, verdict: "regression", message: `${scenario}: ${metric} was ${show(old, unit)}, now ${show(cur, unit)}` });
      return;
    }
    const change = old === 0 ? (cur === 0 ? 0 : Infinity) : (cur - old) / Math.abs(old);
    const worse = higherIsBetter ? -change : change;
    const verdict = worse > tolerance ? "regression" : -worse > tolerance ? "improved" : "pass";
    const word = verdict === "regression" ? "regressed" : verdict === "improved" ? "improved" : "within tolerance";
    out.push({ scenario, metric, old, now: cur, change, verdict, message: `${scenario}: ${metric} ${word}: ${show(old, unit)} -> ${show(cur, unit)} (${signed(change)}, tolerance ${pct(tolerance)})` });
  };
  num("capacity", base.capacity, now.capacity, true, ` ${now.unit}`);
  const classes = new Set([...Object.keys(base.nominal.p95_ms), ...Object.keys(now.nominal.p95_ms)]);
  // class names come from scenario files: own entries only (a class named `constructor`)
  const at = (r: Readonly<Record<string, number>>, c: string) => (Object.hasOwn(r, c) ? r[c] : null);
  for (const c of classes) {
    num(`p95_ms.${c}`, at(base.nominal.p95_ms, c), at(now.nominal.p95_ms, c), false, " ms");
    num(`p99_ms.${c}`, at(base.nominal.p99_ms, c), at(now.nominal.p99_ms, c), false, " ms");
  }
  num("cost_per_hour", base.cost_per_hour, now.cost_per_hour, false, "/h");
  const sloLost = base.nominal.slo_pass && !now.nominal.slo_pass;
  out.push({
    scenario, metric: "slo_at_nominal", old: base.nominal.slo_pass, now: now.nominal.slo_pass, change: null,
    verdict: sloLost ? "regression" : !base.nominal.slo_pass && now.nominal.slo_pass ? "improved" : "pass",
    message: `${scenario}: SLO at nominal load ${base.nominal.slo_pass ? "met" : "missed"} -> ${now.nominal.slo_pass ? "met" : "missed"}`,
  });
  return out;
}

function show(x: number | null, unit: string): string {
  return x === null ? "none" : `${Number(x.toPrecision(5))}${unit}`;
}
function pct(x: number): string {
  return `${Number((x * 100).toPrecision(3))}%`;
}
function signed(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${pct(x)}` : "new";
}

function xml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function junit(findings: ReadonlyArray<Finding>, seconds: number): string {
  const failures = findings.filter((f) => f.verdict === "regression").length;
  const cases = findings.map((f) => {
    const head = `    <testcase classname="headroom.check.${xml(f.scenario)}" name="${xml(f.metric)}">`;
    return f.verdict === "regression"
      ? `${head}\n      <failure message="${xml(f.message)}" type="regression">${xml(f.message)}</failure>\n    </testcase>`
      : `${head}\n      <system-out>${xml(f.message)}</system-out>\n    </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="headroom check" tests="${findings.length}" failures="${failures}" time="${seconds.toFixed(1)}">`,
    `  <testsuite name="headroom check" tests="${findings.length}" failures="${failures}" errors="0" time="${seconds.toFixed(1)}">`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}

export function markdown(findings: ReadonlyArray<Finding>, tolerance: number, baselineFile: string): string {
  const bad = findings.filter((f) => f.verdict === "regression");
  const cell = (x: number | boolean | null) => (x === null ? "-" : typeof x === "boolean" ? (x ? "met" : "missed") : String(Number(x.toPrecision(5))));
  const lines = [
    `## Headroom capacity gate: ${bad.length === 0 ? "passed" : `${bad.length} regression${bad.length === 1 ? "" : "s"}`}`,
    ``,
    `Baseline \`${baselineFile}\`, tolerance ${pct(tolerance)}.`,
    ``,
    `| scenario | metric | baseline | now | change | verdict |`,
    `|---|---|---:|---:|---:|---|`,
    ...findings.map((f) => `| ${f.scenario} | ${f.metric} | ${cell(f.old)} | ${cell(f.now)} | ${f.change === null ? "" : signed(f.change)} | ${f.verdict === "regression" ? "**regression**" : f.verdict} |`),
    ``,
  ];
  if (findings.some((f) => f.metric.startsWith("measured"))) {
    lines.push(`Rows \`measured\`: a real run of the reference app (\`--measure\`); for them "baseline" is the model's prediction and "now" the measurement.`, ``);
    for (const f of findings) if (f.metric.startsWith("measured")) lines.push(`- ${f.message}`);
    lines.push(``);
  }
  return lines.join("\n");
}
