// The validation report: JSON in the versioned schema "headroom.validation/v1" (the dashboard's
// input, documented in docs/validation.md) and the same content as Markdown tables.
import type { Row } from "./compare.ts";
import type { Dist } from "../simulator/index.ts";
import type { Knee } from "./knee.ts";
import { describeHealth, type GeneratorHealth } from "./starvation.ts";
import type { KneeSearch } from "./knee-search.ts";

export const VALIDATION_SCHEMA = "headroom.validation/v1";

export interface LevelReport {
  /** fraction of the predicted saturation rate, null when the rate was given explicitly */
  level: number | null;
  rate: number;
  predictedUtilization: number;
  bottleneck: string;
  /** targets apply (predicted bottleneck utilization below 80%) */
  targetsApply: boolean;
  /** with two calibration rates: the calibrated values this level was predicted with (those at its rate, calibration-at.ts) */
  calibration?: CalibratedParameter[];
  engine: string;
  requestsMeasured: number;
  rows: Row[];
  /**
   * pass/fail: every applicable target met or not; info: no target applied (above 80%); error: no
   * measurement; unreliable: measured twice and the load generator lagged beyond the bound both
   * times (the rows are kept, with their verdicts, but the level never counts as a pass)
   */
  status: "pass" | "fail" | "info" | "error" | "unreliable";
  /** when the measurement itself failed (app did not start, k6 output unreadable) */
  error?: string;
  /**
   * The load generator's health per attempt (event-loop lag, load average, CPU steal): one entry,
   * or two when the first attempt lagged beyond the bound and the level was measured again (the
   * rows are the last attempt's). Absent when the level could not be measured.
   */
  generator?: GeneratorHealth[];
}

export interface CalibratedParameter {
  parameter: string; // a path in the scenario, e.g. components.lb.overhead
  valueMs: number;
  how: string;
  /** the value's spread, where it was measured: quantiles (ms) whose mean is valueMs, used as an empirical distribution */
  samplesMs?: number[];
  /** the value's spread as a lognormal's cv (mean valueMs), where a spread was fitted (validation/overhead-spread.ts) */
  cv?: number;
  /** each sample's time in the run (s from the load's start) and the window a draw takes its samples from (s): an empirical with `at` (draws near the simulation's time) */
  atS?: number[];
  windowS?: number;
  /** a distribution written as is: a crossing's YAML latency shifted by its fitted own cost (validation/calibrate-regions.ts); valueMs is its mean */
  dist?: Dist;
}

export interface ValidationReport {
  schema: typeof VALIDATION_SCHEMA;
  scenario: { name: string; file: string };
  createdAt: string;
  machine: { host: string; cpus: number; loadAverage: number[]; node: string };
  durationS: number;
  warmupS: number;
  saturation: {
    predictedRate: number;
    bottleneck: string;
    method: string;
    /**
     * With --saturation: successful throughput at an offered rate past the predicted saturation
     * (the plateau where throughput stops following the offered load), predicted and measured.
     */
    throughput?: Row & { offeredRate: number };
  };
  /** the knee bracketed by the levels run, predicted and measured by the same rule */
  knee: Knee;
  /** with --knee: the measured knee by bisection on the reference app against `headroom capacity`'s */
  kneeSearch?: KneeSearch;
  calibration: CalibratedParameter[] | null;
  /** the calibration's offered rate, the calibrated copy of the scenario, each run's fit when several */
  calibrationRun?: { rate: number; file: string; runs?: CalibratedParameter[][]; upper?: { rate: number; parameters: CalibratedParameter[]; runs: CalibratedParameter[][] } };
  levels: LevelReport[];
  pass: boolean;
  /**
   * What was measured when it was not the reference app started from the YAML: the user's system
   * (validate --target URL) or a k6 run made elsewhere (headroom compare), in a sentence.
   */
  measuredOn?: string;
}

export function levelStatus(rows: readonly Row[]): "pass" | "fail" | "info" {
  if (rows.some((r) => r.verdict === "fail")) return "fail";
  return rows.some((r) => r.verdict === "pass") ? "pass" : "info";
}

const num = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? "—" : Math.abs(x) >= 1000 ? x.toFixed(0) : Number(x.toPrecision(d)).toString());
const err = (r: Row) => (r.error === null ? "—" : r.errorKind === "relative" ? `${(r.error * 100).toFixed(1)}%` : num(r.error));
const tgt = (r: Row) => (r.target === null ? "" : r.errorKind === "relative" ? `±${(r.target * 100).toFixed(0)}%` : `±${r.target}`);

export function rowsMarkdown(rows: readonly Row[]): string {
  const out = ["| scope | metric | predicted | measured | error | target | verdict |", "|---|---|---:|---:|---:|---:|---|"];
  for (const r of rows) out.push(`| ${r.scope} | ${r.metric} | ${num(r.predicted)} | ${r.measured === null && r.note ? r.note : num(r.measured)} | ${err(r)} | ${tgt(r)} | ${r.verdict === "fail" ? "**fail**" : r.verdict} |`);
  return out.join("\n");
}

const bold = (v: string) => (v === "pass" ? v : `**${v}**`);

/** The measured knee against the predicted one, and every bisection step. */
export function kneeSearchMarkdown(k: KneeSearch): string {
  const out: string[] = [];
  const ci = k.predicted.ci95 === null ? "" : ` ± ${num(k.predicted.ci95)}`;
  const e = k.error === null ? "—" : `${(k.error * 100).toFixed(1)}%`;
  const res = k.resolution.reached === null ? "—" : `${(k.resolution.reached * 100).toFixed(1)}%`;
  out.push(`Knee (sustainable rate at the SLO; ${k.rule}): predicted ${num(k.predicted.rate)}${ci} req/s (${k.predicted.method}; bottleneck ${k.predicted.bottleneck ?? "—"}), measured ${num(k.measured.rate)} req/s (first failing ${num(k.measured.firstFailure)}, bracket ${res}, resolution asked ${(k.resolution.target * 100).toFixed(0)}%), error ${e} (target ±${(k.target * 100).toFixed(0)}%) — ${bold(k.verdict)}.${k.message ? ` ${k.message}.` : ""} ${k.steps.length} real runs, ${num(k.seconds)} s.`);
  out.push("", "| step | rate/s | verdict | first failing check / reason | generator lag p99 (ms) | load avg | seconds |", "|---:|---:|---|---|---:|---:|---:|");
  for (const [i, s] of k.steps.entries()) {
    const g = s.generator ?? [];
    out.push(`| ${i + 1} | ${s.rate} | ${bold(s.status)} | ${(s.reason ?? "—").replace(/\|/g, "\\|").replace(/\n/g, " ")} | ${g.length ? g.map((x) => x.lagMs.p99.toFixed(1)).join(", ") : "—"} | ${g.length ? g.map((x) => x.loadAverage1.toFixed(1)).join(", ") : "—"} | ${num(s.seconds)} |`);
  }
  return out.join("\n");
}

export function reportMarkdown(rep: ValidationReport): string {
  const out: string[] = [];
  out.push(`# Validation: ${rep.scenario.name} (${rep.scenario.file})`, "");
  if (rep.measuredOn) out.push(`Measured: ${rep.measuredOn}.`, "");
  out.push(`${rep.createdAt}, ${rep.machine.host}, ${rep.machine.cpus} CPUs, load average ${rep.machine.loadAverage.map((x) => x.toFixed(1)).join(" ")}, Node ${rep.machine.node}.`);
  if (rep.kneeSearch) out.push(kneeSearchMarkdown(rep.kneeSearch), "");
  const bracket = rep.levels.length ? ` Knee bracketed by the levels (${rep.knee.rule}): predicted between ${num(rep.knee.predicted.below)} and ${num(rep.knee.predicted.above)} req/s, measured between ${num(rep.knee.measured.below)} and ${num(rep.knee.measured.above)} req/s (— = not within the levels run).` : "";
  out.push(`Each level: ${rep.durationS}s of load, the first ${rep.warmupS}s discarded on both sides. Predicted saturation ${num(rep.saturation.predictedRate)} req/s (bottleneck ${rep.saturation.bottleneck}; ${rep.saturation.method}).${bracket}`, "");
  const st = rep.saturation.throughput;
  if (st) out.push(`Saturation throughput (successful requests per second with ${num(st.offeredRate)} req/s offered): predicted ${num(st.predicted)}, measured ${num(st.measured)}, error ${err(st)} (target ${tgt(st)}) — ${st.verdict === "fail" ? "**fail**" : st.verdict}.`, "");
  if (rep.calibration) {
    const run = rep.calibrationRun;
    out.push(`Calibrated parameters (measured on their own run of the reference app${run ? ` at ${num(run.rate)} req/s` : ""}, fed to the simulator only${run ? `; written into \`${run.file}\`` : ""}):`, "");
    for (const c of rep.calibration) out.push(`- \`${c.parameter}\` = ${num(c.valueMs)} ms — ${c.how}`);
    out.push("");
    const up = run?.upper;
    if (up) {
      out.push(`And on a second run at ${num(up.rate)} req/s (each level is predicted with the values at its own rate, linear between the two runs' and flat outside them):`, "");
      for (const c of up.parameters) out.push(`- \`${c.parameter}\` = ${num(c.valueMs)} ms — ${c.how}`);
      out.push("");
    }
  } else out.push("Not calibrated: the YAML is taken at its word.", "");
  for (const l of rep.levels) {
    const lv = l.level === null ? "explicit rate" : `level ${l.level}`;
    out.push(`## ${lv}: ${num(l.rate)} req/s, predicted ${l.bottleneck} utilization ${(l.predictedUtilization * 100).toFixed(0)}% — ${l.status === "fail" || l.status === "error" || l.status === "unreliable" ? `**${l.status}**` : l.status}`, "");
    for (const [i, g] of (l.generator ?? []).entries()) {
      const which = l.generator!.length > 1 ? `attempt ${i + 1}: ` : "";
      out.push(`${which}${describeHealth(g)}${g.reliable ? "" : " — **beyond the bound**"}.`, "");
    }
    if (l.status === "unreliable") out.push("Unreliable: the load generator lagged beyond the bound on both attempts; the rows below are shown, not trusted.", "");
    if (l.error) {
      out.push(l.error, "");
      continue;
    }
    if (l.calibration) out.push(`Predicted with ${l.calibration.map((c) => `\`${c.parameter}\` ${num(c.valueMs)} ms`).join(", ")} (the calibration at ${num(l.rate)} req/s).`, "");
    if (!l.targetsApply) out.push("Above 80% predicted utilization: targets do not apply, rows are informative.", "");
    out.push(`engine ${l.engine}, ${l.requestsMeasured} requests in the window.`, "", rowsMarkdown(l.rows), "");
  }
  return out.join("\n") + "\n";
}
