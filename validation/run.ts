// Validates one scenario: predicted saturation, then per level a simulation and a real measurement
// of the reference app over the same window, compared row by row; optionally calibrated first.
import { cpus, hostname, loadavg } from "node:os";
import { join } from "node:path";
import { simulate, type Scenario, type SimResult } from "../simulator/index.ts";
import { predictSaturation, withRate, maxUtilization, levelUtilization } from "./levels.ts";
import { measureLevel, type Measured, type MeasureOptions } from "./measure.ts";
import type { MeasuredInterval } from "../k6/ingest/intervals.ts";
import { levelTargets, levelRate } from "./level-targets.ts";
import { compare, saturationRow, DROPPED_ARRIVALS_BOUND, TARGET_UTILIZATION, type Row } from "./compare.ts";
import { bytesRows } from "./bytes-rows.ts";
import { linkRows } from "./link-rows.ts";
import { cdnRows } from "./cdn-rows.ts";
import { regionLevelRows, widenRegionalServices } from "./region-level-rows.ts";
import { levelStatus, VALIDATION_SCHEMA, type CalibratedParameter, type LevelReport, type ValidationReport } from "./report.ts";
import { calibrate, applyCalibration, writeCalibratedYaml, type Calibration } from "./calibrate.ts";
import { calibrationAt } from "./calibration-at.ts";
import { readFile } from "node:fs/promises";
import { findKnee } from "./knee.ts";
import { measureTrusted, describeHealth } from "./starvation.ts";
import { measureKnee, type KneeSearch } from "./knee-search.ts";

/** Offered load of the saturation level, as a multiple of the predicted saturation rate. */
export const SATURATION_FACTOR = 1.3;

export interface ValidateOptions {
  file: string;
  scenario: Scenario;
  levels?: number[];
  rates?: number[];
  durationS: number;
  warmupS: number;
  outDir: string;
  calibrate: boolean;
  /** offer this multiple of the predicted saturation rate in one more level and compare the throughput served */
  saturation?: number;
  /** also measure the knee by bisection on the reference app and compare it with `headroom capacity`'s */
  knee?: boolean;
  /** bound on the load generator's p99 event-loop lag (ms): a level past it is re-run once, then unreliable */
  maxLagMs?: number;
  /** calibration runs in a row (their median is used, their spread reported); default 1 */
  calibrateRuns?: number;
  /** the calibration runs' rates, req/s: one, or two with each level's values between them (default CALIBRATION_LEVELS of the predicted saturation) */
  calibrateRates?: number[];
  signal?: AbortSignal;
  log?: (s: string) => void;
  /** how a level is measured: the reference app started from the YAML (default), or a user's own system (target-measure.ts) */
  measure?: (o: MeasureOptions) => Promise<Measured>;
  /** watches each level's load as it runs (validate --dashboard) */
  live?: LevelWatcher;
}

/**
 * Told when a level's load starts (each attempt: a level re-run after generator lag is a second
 * one), with the level's prediction; gets its measured seconds; told its verdict. The knee search's
 * and the calibration's runs are not watched.
 */
export interface LevelWatcher {
  start(l: { scenario: string; rate: number; level: number | null; durationS: number; predicted: SimResult }): { index: number; onInterval: (iv: MeasuredInterval) => void };
  end(index: number, status: string, message?: string): void;
}

export async function validateScenario(o: ValidateOptions): Promise<ValidationReport> {
  const log = o.log ?? (() => {});
  const sat = predictSaturation(o.scenario);
  log(`${o.scenario.name}: predicted saturation ${sat.rate.toFixed(1)} req/s (${sat.bottleneck})`);
  let calibration: CalibratedParameter[] | null = null;
  let calibrationInfo: ValidationReport["calibrationRun"];
  let cal: Calibration | undefined;
  if (o.calibrate) {
    const c = await calibrate({ scenario: o.scenario, file: o.file, outDir: join(o.outDir, "calibration"), durationS: o.durationS, warmupS: o.warmupS, runs: o.calibrateRuns, rates: o.calibrateRates, maxLagMs: o.maxLagMs, signal: o.signal, log });
    cal = c;
    calibration = c.parameters;
    const yamlPath = join(o.outDir, `${o.scenario.name}.calibrated.yaml`);
    await writeCalibratedYaml(await readFile(o.file, "utf8"), c, yamlPath);
    log(`${o.scenario.name}: calibrated copy of the scenario in ${yamlPath}`);
    calibrationInfo = { rate: c.rate, file: yamlPath, ...(c.runs.length ? { runs: c.runs } : {}), ...(c.upper ? { upper: c.upper } : {}) };
  }
  // each level's model: with two calibration rates, the costs at the level's own rate between them
  const modelAt = (rate: number): { model: Scenario; calibration?: CalibratedParameter[] } => {
    if (!cal) return { model: o.scenario };
    const params = calibrationAt(cal, cal.upper, rate);
    return { model: applyCalibration(o.scenario, params), ...(cal.upper ? { calibration: params } : {}) };
  };
  // the knee search predicts near saturation: past the upper calibration rate, so its values
  const model = modelAt(sat.rate).model;
  const targets = levelTargets(sat.rate, o);
  const runLevel = async (t: { level: number | null; rate: number }): Promise<{ report: LevelReport; sim: SimResult; measured?: Measured }> => {
    const at = modelAt(t.rate);
    const sim = simulate(withRate(at.model, t.rate), { duration: o.durationS, warmup: o.warmupS });
    // the level's place relative to saturation is the YAML's: a calibrated overhead held at the
    // balancer would otherwise push levels above 80% and silently switch their targets off
    const mu = levelUtilization(o.scenario, t.rate, maxUtilization((at.model === o.scenario ? sim : simulate(withRate(o.scenario, t.rate), { duration: o.durationS, warmup: o.warmupS })).components));
    log(`${o.scenario.name} @ ${t.rate}/s: predicted ${mu.name} ${(mu.u * 100).toFixed(0)}% busy; measuring`);
    const base = { level: t.level, rate: t.rate, predictedUtilization: mu.u, bottleneck: mu.name, targetsApply: mu.u < 0.8, ...(at.calibration ? { calibration: at.calibration } : {}) };
    let watched: number | undefined;
    try {
      const t2 = await measureTrusted((attempt) => {
        if (o.live && watched !== undefined) o.live.end(watched, "re-run", "the load generator lagged beyond --max-lag");
        const watch = o.live?.start({ scenario: o.scenario.name, rate: t.rate, level: t.level, durationS: o.durationS, predicted: sim });
        watched = watch?.index;
        return (o.measure ?? measureLevel)({
          scenario: withRate(o.scenario, t.rate),
          file: o.file,
          outDir: join(o.outDir, `rate-${t.rate}${attempt > 1 ? "-retry" : ""}`),
          durationS: o.durationS,
          warmupS: o.warmupS,
          maxLagMs: o.maxLagMs,
          signal: o.signal,
          log,
          onInterval: watch?.onInterval,
        });
      }, log);
      const measured = t2.measured;
      // with regions: each regional service's throughput row widened by the region draw's noise, and the per-region rows
      const usual = o.scenario.regions ? widenRegionalServices(compare(sim, measured, mu.u), sim, o.scenario.geo, Object.values(measured.classes).reduce((a, c) => a + c.requests, 0), (n) => {
            const c = o.scenario.components[n];
            return c?.kind === "load_balancer" ? c.backends : undefined;
          }) : compare(sim, measured, mu.u);
      const rows = [...usual, ...regionLevelRows(sim, measured.regions, mu.u < TARGET_UTILIZATION), ...bytesRows(withRate(o.scenario, t.rate), sim, measured, mu.u < TARGET_UTILIZATION), ...linkRows(sim, measured, mu.u < TARGET_UTILIZATION), ...cdnRows(sim, measured.cdn, o.durationS - o.warmupS, mu.u < TARGET_UTILIZATION)];
      if (!t2.reliable) log(`  ${o.scenario.name} @ ${t.rate}/s: unreliable (${describeHealth(measured.generator)}); the rows are kept, not trusted`);
      // k6 dropping arrivals (no free VU) at a level with targets means the load sent was not the
      // open load the model was given: the level is not a measurement of the model's question
      const a = measured.arrivals;
      const dropped = a && a.scheduled > 0 && base.targetsApply && a.dropped / a.scheduled > DROPPED_ARRIVALS_BOUND;
      if (dropped) log(`  ${o.scenario.name} @ ${t.rate}/s: unreliable: the load generator dropped ${a.dropped} of ${a.scheduled} arrivals (no free VU); the rows are kept, not trusted`);
      // an unreliable level keeps its rows (never dropped) but is never a pass or a fail
      const status = t2.reliable && !dropped ? levelStatus(rows) : "unreliable";
      if (o.live && watched !== undefined) o.live.end(watched, status);
      return { sim, measured: t2.reliable ? measured : undefined, report: { ...base, engine: measured.engine, requestsMeasured: Object.values(measured.classes).reduce((a, c) => a + c.requests, 0), rows, status, generator: t2.attempts } };
    } catch (e) {
      log(`  error: ${(e as Error).message}`);
      if (o.live && watched !== undefined) o.live.end(watched, "error", (e as Error).message);
      return { sim, report: { ...base, engine: "", requestsMeasured: 0, rows: [], status: "error", error: (e as Error).message } };
    }
  };
  const levels: LevelReport[] = [];
  for (const t of targets) {
    if (o.signal?.aborted) break;
    levels.push((await runLevel(t)).report);
  }
  // Saturation throughput: one more level past the predicted saturation; what the system then
  // completes successfully is its capacity, on both sides.
  let saturationThroughput: (Row & { offeredRate: number }) | undefined;
  if (o.saturation !== undefined && !o.signal?.aborted) {
    const rate = levelRate(sat.rate, o.saturation);
    const r = await runLevel({ level: o.saturation, rate });
    levels.push(r.report);
    if (r.measured) {
      saturationThroughput = { ...saturationRow(r.sim, r.measured), offeredRate: rate };
      log(`${o.scenario.name}: saturation throughput predicted ${saturationThroughput.predicted?.toFixed(1)}, measured ${saturationThroughput.measured?.toFixed(1)} req/s`);
    }
  }
  let kneeSearch: KneeSearch | undefined;
  if (o.knee && !o.signal?.aborted) {
    kneeSearch = await measureKnee({ file: o.file, scenario: o.scenario, model, outDir: join(o.outDir, "knee"), durationS: o.durationS, warmupS: o.warmupS, maxLagMs: o.maxLagMs, signal: o.signal, log });
    const k = kneeSearch;
    log(`${o.scenario.name}: knee predicted ${k.predicted.rate.toFixed(1)}, measured ${k.measured.rate ?? "—"} req/s: ${k.verdict}${k.message ? ` (${k.message})` : ""}; ${k.steps.length} runs, ${k.seconds.toFixed(0)} s`);
  }
  // levels alone: some pass, none fail, error or unreliable; the knee alone: its verdict; both: both
  const levelsPass = levels.some((l) => l.status === "pass") && levels.every((l) => l.status === "pass" || l.status === "info");
  return {
    schema: VALIDATION_SCHEMA,
    scenario: { name: o.scenario.name, file: o.file },
    createdAt: new Date().toISOString(),
    machine: { host: hostname(), cpus: cpus().length, loadAverage: loadavg(), node: process.version },
    durationS: o.durationS,
    warmupS: o.warmupS,
    saturation: {
      predictedRate: sat.rate,
      bottleneck: sat.bottleneck,
      method: sat.method,
      ...(saturationThroughput ? { throughput: saturationThroughput } : {}),
    },
    knee: findKnee(levels, { p99: o.scenario.slo?.latency?.p99 !== undefined ? o.scenario.slo.latency.p99 * 1000 : undefined, errorRate: o.scenario.slo?.error_rate }, o.durationS - o.warmupS),
    ...(kneeSearch ? { kneeSearch } : {}),
    calibration,
    ...(calibrationInfo ? { calibrationRun: calibrationInfo } : {}),
    levels,
    pass: (levels.length === 0 ? kneeSearch !== undefined : levelsPass) && saturationThroughput?.verdict !== "fail" && (kneeSearch === undefined || kneeSearch.verdict === "pass"),
  };
}
