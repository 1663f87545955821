// The capacity baseline a CI gate compares against: a versioned JSON file with, per scenario (by
// name), its sustainable load, p95/p99 per class at nominal load, SLO verdict and cost, and the
// search settings that produced them (a gate run with other settings is not comparable).
import type { CapacitySettings } from "./capacity.ts";
import type { LoadUnit } from "../simulator/analytic/index.ts";

export const BASELINE_SCHEMA = "headroom.baseline/v1";

export interface GateSettings extends CapacitySettings {
  /** Replications and duration of the run at nominal load. */
  readonly nominalReplications: number;
  readonly nominalDuration: number;
}

export interface ScenarioMeasure {
  readonly file: string;
  readonly unit: LoadUnit;
  readonly capacity: number;
  readonly nominal: {
    readonly load: number;
    readonly p95_ms: Record<string, number>;
    readonly p99_ms: Record<string, number>;
    readonly slo_pass: boolean;
  };
  readonly cost_per_hour: number | null;
  readonly bottleneck: string | null;
}

export interface Baseline {
  readonly schema: typeof BASELINE_SCHEMA;
  readonly settings: GateSettings;
  readonly scenarios: Record<string, ScenarioMeasure>;
}

export class BaselineError extends Error {}

/** Parses and checks a baseline file's text; every problem names the file and what was expected. */
export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { throw new BaselineError(`${file}: not JSON (${(e as Error).message})`); }
  if (typeof data !== "object" || data === null) throw new BaselineError(`${file}: expected an object with schema, settings and scenarios`);
  const d = data as Record<string, unknown>;
  if (d.schema !== BASELINE_SCHEMA) {
    throw new BaselineError(`${file}: baseline schema is ${JSON.stringify(d.schema)}, this headroom reads ${BASELINE_SCHEMA}; regenerate it with --update-baseline and review the diff`);
  }
  if (typeof d.settings !== "object" || d.settings === null) throw new BaselineError(`${file}: settings: missing`);
  for (const k of ["searches", "duration", "warmup", "tolerance", "maxRuns", "nominalReplications", "nominalDuration"]) {
    if (typeof (d.settings as Record<string, unknown>)[k] !== "number") throw new BaselineError(`${file}: settings.${k}: expected a number`);
  }
  if (typeof d.scenarios !== "object" || d.scenarios === null) throw new BaselineError(`${file}: scenarios: expected an object keyed by scenario name`);
  for (const [name, m] of Object.entries(d.scenarios as Record<string, unknown>)) {
    const x = m as Record<string, unknown> | null;
    if (!x || typeof x.capacity !== "number" || typeof x.nominal !== "object" || x.nominal === null) {
      throw new BaselineError(`${file}: scenarios.${name}: expected capacity (number) and nominal { p95_ms, p99_ms, slo_pass }`);
    }
    const n = x.nominal as Record<string, unknown>;
    if (typeof n.p95_ms !== "object" || typeof n.p99_ms !== "object" || typeof n.slo_pass !== "boolean") {
      throw new BaselineError(`${file}: scenarios.${name}.nominal: expected p95_ms, p99_ms (per class) and slo_pass`);
    }
  }
  return data as Baseline;
}

export function sameSettings(a: GateSettings, b: GateSettings): string | null {
  for (const k of ["searches", "duration", "warmup", "tolerance", "maxRuns", "seed", "nominalReplications", "nominalDuration"] as const) {
    if (a[k] !== b[k]) return `${k}: baseline ${b[k]}, this run ${a[k]}`;
  }
  return null;
}
