// `headroom compare`: a k6 run the user already made, against the model at the load that run
// offered. Reads k6's NDJSON (--out json: per-class window stats after --warmup, as validation
// measures), or a summary (--summary-export or handleSummary JSON: whole run, per class only from
// submetrics); sets the scenario's open load to the measured per-class rates over the measured
// window; simulates; and writes the same headroom.validation/v1 report as `validate`, one level at
// the measured rate. No load is sent. Trades away the time profile of the run: the model offers the
// run's mean rate per class as a constant (a ramp is compared as its average), and it has no
// component figures (those rows say not measured).
import { cpus, hostname, loadavg } from "node:os";
import { open } from "node:fs/promises";
import { simulate, type Scenario, type SimResult } from "../simulator/index.ts";
import { readK6Results, IngestError } from "../k6/ingest/ingest.ts";
import { classifier } from "../k6/ingest/classify.ts";
import { readSummaryClasses } from "../k6/ingest/summary-classes.ts";
import { windowStats, type WindowClassStats } from "./k6-window.ts";
import { compare, type Comparable, type Row } from "./compare.ts";
import { levelStatus, VALIDATION_SCHEMA, type LevelReport, type ValidationReport } from "./report.ts";
import { predictSaturation, maxUtilization, levelUtilization } from "./levels.ts";
import { findKnee } from "./knee.ts";

/** Results that cannot be compared: no class matched, unreadable, too short. Bad input (exit 2). */
export class CompareError extends Error {
  override readonly name = "CompareError";
}

export interface MeasuredRun {
  path: string;
  format: "ndjson" | "summary-export" | "handle-summary";
  /** seconds of the run compared (after the warm-up for NDJSON; the whole run for a summary) */
  windowS: number;
  warmupS: number;
  /** the matched classes' figures (offeredRate: requests started per second of the window) */
  classes: Record<string, WindowClassStats>;
  arrivals?: Comparable["arrivals"];
  /** scenario classes with no matching sample, and why that matters */
  missing: string[];
  /** requests that fit no class, by name */
  unmatched: Record<string, number>;
  notes: string[];
}

async function looksLikeNdjson(path: string): Promise<boolean> {
  const fh = await open(path, "r").catch((e: NodeJS.ErrnoException) => {
    throw new CompareError(`${path}: cannot read the k6 results (${e.code ?? e.message})`);
  });
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString("utf8").trimStart();
    if (!head) throw new CompareError(`${path}: empty file; expected k6's --out json NDJSON or a summary JSON`);
    return !head.startsWith("{") || /^\{[^\n]*"type"\s*:\s*"(Metric|Point)"/.test(head);
  } finally {
    await fh.close();
  }
}

/** Reads a k6 results file and groups its requests by the scenario's classes. */
/** `untilS`: NDJSON only, the window's end in seconds after the first sample (default: the last sample). */
export async function readMeasuredRun(path: string, scenario: Scenario, warmupS: number, untilS?: number): Promise<MeasuredRun> {
  const entries = Object.entries(scenario.load.classes);
  const classOf = classifier(entries.map(([name, c]) => ({ name, method: c.http?.method, path: c.http?.path })));
  const describe = (name: string) => {
    const h = scenario.load.classes[name].http;
    return `name tag '${name}'${h ? ` or ${h.method} …${h.path}` : ""}`;
  };
  const notes: string[] = [];
  let run: Omit<MeasuredRun, "missing">;
  try {
    if (path.endsWith(".gz") || (await looksLikeNdjson(path))) {
      const all = await readK6Results(path); // every line parsed; a bad one is named by file:line
      if (all.format !== "ndjson") throw new CompareError(`${path}: not k6 NDJSON`);
      const spanS = all.durationSeconds ?? 0;
      if (!(spanS > warmupS)) throw new CompareError(`${path}: the run spans ${spanS.toFixed(1)} s of samples, not more than --warmup ${warmupS}s; nothing left to compare`);
      // the last sample (stamped at its request's end) is inside the window
      const toS = untilS ?? Math.ceil(spanS * 1000 + 1) / 1000;
      if (!(toS > warmupS)) throw new CompareError(`${path}: --duration ${toS}s ends before --warmup ${warmupS}s`);
      const win = await windowStats(path, warmupS, toS, classOf);
      run = { path, format: "ndjson", windowS: win.windowS, warmupS, classes: win.classes, arrivals: win.arrivals, unmatched: win.unmatched ?? {}, notes };
    } else {
      const s = await readSummaryClasses(path, classOf, entries.map(([n]) => n));
      notes.push(...s.notes);
      if (warmupS > 0 || untilS !== undefined) notes.push(`a summary has no time series: --warmup/--duration cannot be applied, the whole run is compared`);
      const classes: Record<string, WindowClassStats> = {};
      for (const [name, c] of Object.entries(s.classes)) {
        if (!(c.requests > 0)) continue;
        if (c.missing.length) notes.push(`class ${name}: the summary has no ${c.missing.join(", ")} (k6 --summary-trend-stats "avg,med,p(90),p(95),p(99)" adds them)`);
        classes[name] = { requests: c.requests, failed: c.failed, throughput: (c.requests - c.failed) / s.durationS, offeredRate: c.requests / s.durationS, latencyMs: c.latencyMs };
      }
      run = { path, format: s.format, windowS: Math.round(s.durationS * 1000) / 1000, warmupS: 0, classes, unmatched: s.unmatched, notes };
    }
  } catch (e) {
    if (e instanceof IngestError) throw new CompareError(e.message);
    throw e;
  }
  const missing = entries.filter(([name]) => !(run.classes[name]?.requests > 0)).map(([name]) => `class ${name}: no request in the results matched (${describe(name)}); left out of the model`);
  const unmatchedTotal = Object.values(run.unmatched).reduce((a, b) => a + b, 0);
  if (unmatchedTotal > 0) {
    const names = Object.entries(run.unmatched).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, k]) => `${n || "(no name)"} x${k}`);
    notes.push(`${unmatchedTotal} requests fit no class and are not compared: ${names.join(", ")}${Object.keys(run.unmatched).length > 5 ? ", …" : ""}`);
  }
  if (missing.length === entries.length) {
    throw new CompareError(`${path}: no request matches any class of scenario '${scenario.name}' (${entries.map(([n]) => describe(n)).join("; ")})${unmatchedTotal ? `; the results hold ${unmatchedTotal} requests named ${Object.keys(run.unmatched).slice(0, 5).join(", ")}` : ""}`);
  }
  return { ...run, missing };
}

/** The scenario offering the run's measured per-class rates, constant and open, over its window. */
export function modelAtMeasuredLoad(scenario: Scenario, run: MeasuredRun): Scenario {
  const classes = Object.create(null) as Record<string, Scenario["load"]["classes"][string]>;
  let rate = 0;
  for (const [name, c] of Object.entries(scenario.load.classes)) {
    const m = run.classes[name];
    if (!m || !(m.offeredRate > 0)) continue;
    classes[name] = { ...c, weight: m.offeredRate };
    rate += m.offeredRate;
  }
  const arrivals = scenario.load.model === "open" ? scenario.load.arrivals : "poisson";
  const warmup = scenario.simulation.warmup ?? 5;
  return {
    ...scenario,
    load: { model: "open", arrivals, rate, start_rate: 0, ...(scenario.load.regions ? { regions: scenario.load.regions } : {}), classes },
    simulation: { ...scenario.simulation, warmup, duration: warmup + run.windowS },
  } as Scenario;
}

/** A row the results cannot fill (a percentile the summary lacks): not measured, never judged. */
function unmeasured(r: Row, run: MeasuredRun): Row {
  if (r.measured !== null && Number.isFinite(r.measured)) return r;
  if (r.predicted === null || !(r.scope in run.classes)) return r;
  return { ...r, measured: null, error: null, target: null, verdict: "info", note: `not measured (not in the ${run.format} results)` };
}

export function compareRun(file: string, scenario: Scenario, model: Scenario, run: MeasuredRun, sim: SimResult): ValidationReport {
  const rate = Object.values(run.classes).reduce((a, c) => a + c.offeredRate, 0);
  const mu = levelUtilization(model, model.load.model === "open" ? (model.load.rate ?? rate) : rate, maxUtilization(sim.components));
  const comparable: Comparable = { classes: run.classes, arrivals: run.arrivals, components: {} };
  const rows = compare(sim, comparable, mu.u, "a k6 run has no component figures").map((r) => unmeasured(r, run));
  const level: LevelReport = {
    level: null,
    rate: Number(rate.toFixed(3)),
    predictedUtilization: mu.u,
    bottleneck: mu.name,
    targetsApply: mu.u < 0.8,
    engine: `k6 results (${run.format})`,
    requestsMeasured: Object.values(run.classes).reduce((a, c) => a + c.requests, 0),
    rows,
    status: levelStatus(rows),
  };
  const sat = predictSaturation(model);
  const slo = scenario.slo;
  return {
    schema: VALIDATION_SCHEMA,
    scenario: { name: scenario.name, file },
    createdAt: new Date().toISOString(),
    machine: { host: hostname(), cpus: cpus().length, loadAverage: loadavg(), node: process.version },
    durationS: run.windowS + run.warmupS,
    warmupS: run.warmupS,
    saturation: { predictedRate: sat.rate, bottleneck: sat.bottleneck, method: sat.method },
    knee: findKnee([level], { p99: slo?.latency?.p99 !== undefined ? slo.latency.p99 * 1000 : undefined, errorRate: slo?.error_rate }, run.windowS),
    calibration: null,
    levels: [level],
    pass: level.status === "pass",
    measuredOn: `the k6 run in ${run.path} (${run.format}; ${run.windowS.toFixed(1)} s compared; no load sent by headroom)${run.missing.length || run.notes.length ? `. ${[...run.missing, ...run.notes].join(". ")}` : ""}`,
  };
}

/** Simulates the model at the run's load (the scenario's replications and seed): deterministic. */
export function simulateAtRun(model: Scenario): SimResult {
  return simulate(model, { duration: model.simulation.duration, warmup: model.simulation.warmup });
}
