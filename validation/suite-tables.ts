// The tables of VALIDATION.md, apart from the suite's runner (validation/suite.ts runs on import)
// so they can be tested: the per-row table, the summary line (an unreliable level is counted apart
// and its rows are not counted) and the measured-knee table. Plain strings, no layout engine.
import type { ValidationReport } from "./report.ts";

export const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? "—" : Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString());

export function table(reports: ValidationReport[]): string {
  const out = ["| scenario | level | rate/s | bottleneck util (pred.) | scope | metric | predicted | measured | error | verdict |", "|---|---|---:|---:|---|---|---:|---:|---:|---|"];
  for (const r of reports) {
    for (const l of r.levels) {
      const head = `| ${r.scenario.name} | ${l.level ?? "—"} | ${l.rate} | ${(l.predictedUtilization * 100).toFixed(0)}% (${l.bottleneck})`;
      if (l.error) {
        out.push(`${head} | — | — | — | — | — | **error**: ${l.error.replace(/\|/g, "\\|").replace(/\n/g, " ")} |`);
        continue;
      }
      for (const row of l.rows) {
        const e = row.error === null ? "—" : row.errorKind === "relative" ? `${(row.error * 100).toFixed(1)}%` : fmt(row.error);
        // an unreliable level's rows are shown with their verdicts but not trusted nor counted
        const verdict = l.status === "unreliable" ? `**unreliable** (${row.verdict})` : row.verdict === "fail" ? "**fail**" : row.verdict;
        out.push(`${head} | ${row.scope} | ${row.metric} | ${fmt(row.predicted)} | ${fmt(row.measured)} | ${e} | ${verdict} |`);
      }
    }
  }
  return out.join("\n");
}

export function summary(reports: ValidationReport[]): string {
  let pass = 0, fail = 0, info = 0, error = 0, unreliable = 0, rowsPass = 0, rowsFail = 0;
  for (const r of reports) for (const l of r.levels) {
    if (l.status === "pass") pass++; else if (l.status === "fail") fail++; else if (l.status === "info") info++; else if (l.status === "unreliable") unreliable++; else error++;
    if (l.status === "unreliable") continue; // never counted as a pass (or a fail)
    for (const row of l.rows) { if (row.verdict === "pass") rowsPass++; if (row.verdict === "fail") rowsFail++; }
  }
  return `${reports.length} scenarios, levels: ${pass} pass, ${fail} fail, ${info} above 80% (no targets), ${error} errors, ${unreliable} unreliable (load generator lagged; rows not counted); rows with a target: ${rowsPass} pass, ${rowsFail} fail.`;
}

export function kneeTable(reports: ValidationReport[]): string {
  const out = ["| scenario | predicted req/s | measured req/s | first failing req/s | bracket | error | verdict | runs | seconds | steps (rate: verdict) |", "|---|---:|---:|---:|---:|---:|---|---:|---:|---|"];
  for (const r of reports) {
    const k = r.kneeSearch!;
    const ci = k.predicted.ci95 === null ? "" : ` ± ${fmt(k.predicted.ci95)}`;
    const e = k.error === null ? "—" : `${(k.error * 100).toFixed(1)}%`;
    const br = k.resolution.reached === null ? "—" : `${(k.resolution.reached * 100).toFixed(1)}%`;
    const v = k.verdict === "pass" ? "pass" : `**${k.verdict}**${k.message ? `: ${k.message.replace(/\|/g, "\\|")}` : ""}`;
    out.push(`| ${r.scenario.name} | ${fmt(k.predicted.rate)}${ci} | ${fmt(k.measured.rate)} | ${fmt(k.measured.firstFailure)} | ${br} | ${e} | ${v} | ${k.steps.length} | ${fmt(k.seconds)} | ${k.steps.map((s) => `${s.rate}: ${s.status}`).join(", ")} |`);
  }
  return out.join("\n");
}
