// The validation report: JSON in the versioned schema "headroom.validation/v1" (the dashboard's
// input, documented in docs/validation.md) and the same content as Markdown tables.
import type { Row } from "./compare.ts";
import type { Knee } from "./knee.ts";

export const VALIDATION_SCHEMA = "headroom.validation/v1";

export interface LevelReport {
  /** fraction of the predicted saturation rate, null when the rate was given explicitly */
  level: number | null;
  rate: number;
  predictedUtilization: number;
  bottleneck: string;
  /** targets apply (predicted bottleneck utilization below 80%) */
  targetsApply: boolean;
  engine: string;
  requestsMeasured: number;
  rows: Row[];
  /** pass/fail: every applicable target met or not; info: no target applied (above 80%); error: no measurement */
  status: "pass" | "fail" | "info" | "error";
  /** when the measurement itself failed (app did not start, k6 output unreadable) */
  error?: string;
}

export interface CalibratedParameter {
  parameter: string; // a path in the scenario, e.g. components.lb.overhead
  valueMs: number;
  how: string;
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
  calibration: CalibratedParameter[] | null;
  levels: LevelReport[];
  pass: boolean;
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
  for (const r of rows) out.push(`| ${r.scope} | ${r.metric} | ${num(r.predicted)} | ${num(r.measured)} | ${err(r)} | ${tgt(r)} | ${r.verdict === "fail" ? "**fail**" : r.verdict} |`);
  return out.join("\n");
}

export function reportMarkdown(rep: ValidationReport): string {
  const out: string[] = [];
  out.push(`# Validation: ${rep.scenario.name} (${rep.scenario.file})`, "");
  out.push(`${rep.createdAt}, ${rep.machine.host}, ${rep.machine.cpus} CPUs, load average ${rep.machine.loadAverage.map((x) => x.toFixed(1)).join(" ")}, Node ${rep.machine.node}.`);
  out.push(`Each level: ${rep.durationS}s of load, the first ${rep.warmupS}s discarded on both sides. Predicted saturation ${num(rep.saturation.predictedRate)} req/s (bottleneck ${rep.saturation.bottleneck}; ${rep.saturation.method}). Knee (${rep.knee.rule}): predicted between ${num(rep.knee.predicted.below)} and ${num(rep.knee.predicted.above)} req/s, measured between ${num(rep.knee.measured.below)} and ${num(rep.knee.measured.above)} req/s (— = not within the levels run).`, "");
  const st = rep.saturation.throughput;
  if (st) out.push(`Saturation throughput (successful requests per second with ${num(st.offeredRate)} req/s offered): predicted ${num(st.predicted)}, measured ${num(st.measured)}, error ${err(st)} (target ${tgt(st)}) — ${st.verdict === "fail" ? "**fail**" : st.verdict}.`, "");
  if (rep.calibration) {
    out.push("Calibrated parameters (from a separate low-load probe, fed to the simulator only):", "");
    for (const c of rep.calibration) out.push(`- \`${c.parameter}\` = ${num(c.valueMs)} ms — ${c.how}`);
    out.push("");
  } else out.push("Not calibrated: the YAML is taken at its word.", "");
  for (const l of rep.levels) {
    const lv = l.level === null ? "explicit rate" : `level ${l.level}`;
    out.push(`## ${lv}: ${num(l.rate)} req/s, predicted ${l.bottleneck} utilization ${(l.predictedUtilization * 100).toFixed(0)}% — ${l.status === "fail" || l.status === "error" ? `**${l.status}**` : l.status}`, "");
    if (l.error) {
      out.push(l.error, "");
      continue;
    }
    if (!l.targetsApply) out.push("Above 80% predicted utilization: targets do not apply, rows are informative.", "");
    out.push(`engine ${l.engine}, ${l.requestsMeasured} requests in the window.`, "", rowsMarkdown(l.rows), "");
  }
  return out.join("\n") + "\n";
}
