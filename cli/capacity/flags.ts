// Flag parsing shared by capacity, plan and check: numbers, durations and percentages with a
// usage error that names the command and the flag.
import { parseDuration } from "../../simulator/model/units.ts";
import { runWindow, type Scenario } from "../../simulator/index.ts";
import { UsageError, InputError } from "../errors.ts";
import type { CapacitySettings } from "./capacity.ts";

export function intFlag(cmd: string, name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`headroom ${cmd}: ${name} expects a whole number >= ${min}, got '${value}'`);
  return n;
}

export function durationFlag(cmd: string, name: string, value: string): number {
  const d = parseDuration(value);
  if (d === undefined || d <= 0) throw new UsageError(`headroom ${cmd}: ${name} expects a duration like 30s or 5m, got '${value}'`);
  return d;
}

/** `5%` or `0.05`. */
export function fractionFlag(cmd: string, name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(n >= 0 && n < 1)) throw new UsageError(`headroom ${cmd}: ${name} expects a fraction like 5% or 0.05, got '${value}'`);
  return n;
}

export function requireSlo(file: string, s: Scenario): void {
  const slo = s.slo;
  if (!slo || (slo.error_rate === undefined && Object.values(slo.latency ?? {}).every((v) => v === undefined))) {
    throw new InputError(`${file}: slo: a capacity needs an SLO to meet; add e.g. slo: { latency: { p99: 250ms }, error_rate: 0.1% }`);
  }
}

/** Search settings from flags, defaulting to the scenario's run window capped at 60 s per run. */
export function searchSettings(s: Scenario, o: { searches?: number; duration?: number; warmup?: number; tolerance?: number; seed?: number; maxRuns?: number }): CapacitySettings {
  const w = runWindow(s);
  // A staged load must run to its end, or the search would never reach the peak it reports.
  const duration = o.duration ?? (s.load.stages ? w.duration : Math.min(w.duration, 60));
  const warmup = o.warmup ?? Math.min(w.warmup, duration * 0.2);
  if (warmup >= duration) throw new UsageError(`--warmup (${warmup}s) must be shorter than --duration (${duration}s)`);
  return { searches: o.searches ?? 4, duration, warmup, tolerance: o.tolerance ?? 0.02, maxRuns: o.maxRuns ?? 14, seed: o.seed ?? s.seed };
}
