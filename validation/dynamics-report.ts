// The report of a dynamic validation as a file (`validate:dynamics ... --out DIR` writes
// DIR/<scenario name>.dynamics.json): its rows against their targets and the time series both
// sides were compared on (instances over time, a cache's hit ratio, ...), predicted and measured
// on one time axis (seconds from the load's start), so the dashboard's validation view can
// overlay them (issue 14). Type-only for the page, which checks the file itself
// (dashboard/src/dynamics-file.ts); no Node import here.
import type { Row } from "./dynamics-series.ts";

export const DYNAMICS_SCHEMA = "headroom.dynamics/v1";

/** One compared series: points [t s from the load's start, value], null where a side had nothing to measure then. */
export interface DynamicsSeries {
  readonly name: string;
  /** The value's unit as shown on the axis ("instances", "ratio", ...). */
  readonly unit: string;
  /** Steps (a count that holds until its next point) or samples (joined by lines). */
  readonly shape: "steps" | "samples";
  readonly predicted: ReadonlyArray<readonly [number, number | null]>;
  readonly measured: ReadonlyArray<readonly [number, number | null]>;
  /** Moments worth marking on the time axis (a fault injected, a region down): [t s, label]. */
  readonly events?: ReadonlyArray<readonly [number, string]>;
}

export interface DynamicsDocument {
  readonly schema: typeof DYNAMICS_SCHEMA;
  /** The scenario's name and file, and its YAML text (one context: the page shows what was validated). */
  readonly scenario: string;
  readonly file: string;
  readonly yaml: string;
  readonly createdAt: string;
  /** 1-minute load average at the start and the end of the run. */
  readonly loadAverage: readonly number[];
  /** null where a row is shown, not judged; NaN figures are written as null. */
  readonly rows: ReadonlyArray<{ readonly name: string; readonly predicted: number | null; readonly measured: number | null; readonly target: string; readonly pass: boolean | null }>;
  readonly series: readonly DynamicsSeries[];
  /** Every judged row passed. */
  readonly pass: boolean;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The document for a report; `series` as the validation built them. */
export function dynamicsDocument(o: { scenario: string; file: string; yaml: string; createdAt: string; loadAverage: readonly number[]; rows: readonly Row[]; series: readonly DynamicsSeries[] }): DynamicsDocument {
  return {
    schema: DYNAMICS_SCHEMA,
    scenario: o.scenario,
    file: o.file,
    yaml: o.yaml,
    createdAt: o.createdAt,
    loadAverage: o.loadAverage,
    rows: o.rows.map((r) => ({ name: r.name, predicted: finite(r.predicted), measured: finite(r.measured), target: r.target, pass: r.pass })),
    series: o.series,
    pass: o.rows.every((r) => r.pass !== false),
  };
}
