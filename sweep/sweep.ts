// A sweep: one scenario simulated at many points of a parameter space. `planSweep` turns the file's
// text and the --vary specs into one self-contained job per point (the text with the point's numbers
// written in, checked by the scenario parser before anything runs); `assembleSweep` turns the jobs'
// encoded outcomes back into the `headroom.sweep/v1` result and marks the cheapest point that meets
// the SLO. Where the jobs ran is not part of the result, so a sweep on a queue and one on local
// threads write the same bytes. Every point uses the same seed (common random numbers), so
// differences between neighbouring points are the parameters', not the noise's.
import { parseScenario, formatErrors, runWindow, type Scenario } from "../simulator/index.ts";
import { findNumericField, writeFields, type NumericField } from "./yaml-field.ts";
import { gridPoints, latinHypercube, type VarySpec } from "./design.ts";
import { decode } from "../planning/codec.ts";
import { JOB_VERSION, type JobFigures, type JobOutcome, type SimJob } from "../planning/job.ts";

export const SWEEP_SCHEMA = "headroom.sweep/v1";

export interface SweepOptions {
  /** A Latin hypercube of this many points instead of the grid. */
  readonly samples?: number;
  readonly seed?: number;
  readonly replications?: number;
  readonly duration?: number;
  readonly warmup?: number;
}

export interface SweepPlan {
  readonly file: string;
  readonly scenario: string;
  readonly design: "grid" | "latin-hypercube";
  readonly parameters: ReadonlyArray<{ readonly path: string; readonly unit: string; readonly base: number; readonly line: number; readonly column: number }>;
  readonly points: ReadonlyArray<ReadonlyArray<number>>;
  /** The parsed scenario of every point (for budget checks before the run). */
  readonly scenarios: ReadonlyArray<Scenario>;
  readonly jobs: ReadonlyArray<SimJob>;
  readonly settings: { readonly seed: number; readonly replications: number; readonly duration: number; readonly warmup: number; readonly samples: number | null };
}

export interface SweepPoint extends JobFigures {
  readonly index: number;
  readonly values: Record<string, number>;
  /** The figure points are ranked by: price per hour, or instances when nothing has a price. */
  readonly cost: number;
}

export interface SweepResult {
  readonly schema: typeof SWEEP_SCHEMA;
  readonly scenario: string;
  readonly file: string;
  readonly design: SweepPlan["design"];
  readonly parameters: SweepPlan["parameters"];
  readonly settings: SweepPlan["settings"];
  readonly costBasis: "price per hour" | "instances";
  /** Index of the cheapest point meeting the SLO (ties: the first), or null when none does. */
  readonly cheapestPassing: number | null;
  readonly points: SweepPoint[];
}

/** A point whose edited file the parser refuses, or a field the path does not name. */
export class SweepInputError extends Error {
  override readonly name = "SweepInputError";
}

/** The upper bound on points, so a typo (1..100000:100000) is refused rather than queued. */
export const MAX_POINTS = 100_000;

export function planSweep(file: string, text: string, specs: ReadonlyArray<VarySpec>, o: SweepOptions = {}): SweepPlan {
  const base = parseScenario(text, file);
  if (!base.ok) throw new SweepInputError(`${formatErrors(base.errors)}\n${file}: fix the file before sweeping it`);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.path)) throw new SweepInputError(`--vary ${s.path}: given twice`);
    seen.add(s.path);
  }
  const fields: NumericField[] = specs.map((s) => findNumericField(text, file, s.path));
  const points = o.samples !== undefined ? latinHypercube(specs, o.samples, o.seed ?? base.scenario.seed) : gridPoints(specs);
  if (points.length > MAX_POINTS) throw new SweepInputError(`the sweep has ${points.length} points, more than ${MAX_POINTS}: use fewer values or --samples`);
  const w = runWindow(base.scenario, { seed: o.seed, replications: o.replications, duration: o.duration, warmup: o.warmup });
  if (w.warmup >= w.duration) throw new SweepInputError(`the warm-up (${w.warmup}s) must be shorter than the duration (${w.duration}s)`);
  const scenarios: Scenario[] = [];
  const jobs: SimJob[] = points.map((p) => {
    const pointText = writeFields(text, fields.map((field, k) => ({ field, value: p[k] })));
    const parsed = parseScenario(pointText, file);
    if (!parsed.ok) throw new SweepInputError(`${formatErrors(parsed.errors)}\n${file}: the point ${describePoint(specs.map((s) => s.path), p)} is not a valid scenario`);
    scenarios.push(parsed.scenario);
    return { v: JOB_VERSION, file, text: pointText, seed: w.seed, replications: w.replications, duration: w.duration, warmup: w.warmup };
  });
  return {
    file, scenario: base.scenario.name,
    design: o.samples !== undefined ? "latin-hypercube" : "grid",
    parameters: fields.map((f) => ({ path: f.path, unit: f.unit.trim(), base: f.value, line: f.line, column: f.column })),
    points, scenarios, jobs,
    settings: { seed: w.seed, replications: w.replications, duration: w.duration, warmup: w.warmup, samples: o.samples ?? null },
  };
}

/** The result from the encoded outcomes (in job order). Throws SweepInputError for a refused point. */
export function assembleSweep(plan: SweepPlan, outcomes: ReadonlyArray<string>): SweepResult {
  const paths = plan.parameters.map((p) => p.path);
  const figures = outcomes.map((text, i) => {
    const o = decode<JobOutcome>(text);
    if (!o.ok) throw new SweepInputError(`${o.error}\n(at the point ${describePoint(paths, plan.points[i])})`);
    return o.value;
  });
  const priced = figures.length > 0 && figures.every((f) => f.costPerHour !== null);
  const points: SweepPoint[] = figures.map((f, index) => ({
    index,
    values: Object.fromEntries(paths.map((p, k) => [p, plan.points[index][k]])),
    cost: priced ? f.costPerHour! : f.instances,
    ...f,
  }));
  let cheapest: SweepPoint | null = null;
  for (const p of points) if (p.pass && (cheapest === null || p.cost < cheapest.cost)) cheapest = p;
  return {
    schema: SWEEP_SCHEMA, scenario: plan.scenario, file: plan.file, design: plan.design,
    parameters: plan.parameters, settings: plan.settings,
    costBasis: priced ? "price per hour" : "instances",
    cheapestPassing: cheapest?.index ?? null, points,
  };
}

export function describePoint(paths: ReadonlyArray<string>, values: ReadonlyArray<number>): string {
  return paths.map((p, k) => `${p}=${values[k]}`).join(", ");
}
