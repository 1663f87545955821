// The pure half of the dynamic validation (validation/dynamics.ts): instance counts over time as
// steps (from the app's scaler events and from the simulator's series), their time-weighted mean,
// the moments they rise and fall, and the rows compared against docs/validation.md's targets. Kept
// apart so its unit tests load no launcher, simulator or load harness.
import type { ScalingEvent } from "../reference-app/scaling.ts";

export interface Row {
  readonly name: string;
  readonly predicted: number;
  readonly measured: number;
  /** What "pass" means for this row, e.g. "within 10%". */
  readonly target: string;
  readonly pass: boolean | null;
}

/** Instance count over time from the scaler's events: [t (s from the load start), count] steps. */
export function instanceSteps(initial: number, events: readonly ScalingEvent[], loadStartMs: number): Array<[number, number]> {
  const state = new Map<number, string>();
  for (let p = 1; p <= initial; p++) state.set(p, "serving");
  const count = () => [...state.values()].filter((s) => s !== "off").length;
  const steps: Array<[number, number]> = [[0, count()]];
  for (const e of events) {
    state.set(e.place, e.state);
    const n = count();
    if (n !== steps[steps.length - 1]![1]) steps.push([(e.t - loadStartMs) / 1000, n]);
  }
  return steps;
}

/** Time-weighted mean of a step function over [from, to]. */
export function timeWeightedMean(steps: ReadonlyArray<readonly [number, number]>, from: number, to: number): number {
  let area = 0;
  for (let i = 0; i < steps.length; i++) {
    const a = Math.max(from, steps[i]![0]);
    const b = Math.min(to, i + 1 < steps.length ? steps[i + 1]![0] : Infinity);
    if (b > a) area += steps[i]![1] * (b - a);
  }
  return area / (to - from);
}

/** The moments a step function rises (+1) or falls (-1), one entry per unit of change. */
export function moments(steps: ReadonlyArray<readonly [number, number]>, direction: 1 | -1): number[] {
  const out: number[] = [];
  for (let i = 1; i < steps.length; i++) {
    const d = steps[i]![1] - steps[i - 1]![1];
    for (let k = 0; k < Math.abs(d); k++) if (Math.sign(d) === direction) out.push(steps[i]![0]);
  }
  return out;
}

/** The simulator's instance series (samples at t = interval, 2 x interval, ...) as steps from t = 0. */
export function seriesSteps(t: readonly number[], values: readonly number[], initial: number): Array<[number, number]> {
  const steps: Array<[number, number]> = [[0, initial]];
  values.forEach((v, i) => {
    if (v !== steps[steps.length - 1]![1]) steps.push([t[i]!, v]);
  });
  return steps;
}

const rel = (p: number, m: number) => (p === 0 ? (m === 0 ? 0 : Infinity) : (m - p) / p);

export function scalingRows(o: { predictedMean: number; measuredMean: number; predicted: number[][]; measured: number[][]; interval: number; predictedMax: number; measuredMax: number }): Row[] {
  const [pOut, pIn] = o.predicted as [number[], number[]];
  const [mOut, mIn] = o.measured as [number[], number[]];
  const rows: Row[] = [
    { name: "instances, time-weighted mean", predicted: o.predictedMean, measured: o.measuredMean, target: "within 10%", pass: Math.abs(rel(o.predictedMean, o.measuredMean)) <= 0.1 },
    { name: "scale-outs", predicted: pOut.length, measured: mOut.length, target: "equal", pass: pOut.length === mOut.length },
  ];
  pOut.forEach((p, i) => {
    const m = mOut[i];
    rows.push({ name: `scale-out ${i + 1} at (s)`, predicted: p, measured: m ?? NaN, target: `within ${o.interval} s`, pass: m !== undefined && Math.abs(m - p) <= o.interval + 1e-9 });
  });
  rows.push({ name: "scale-ins", predicted: pIn.length, measured: mIn.length, target: "shown", pass: null });
  pIn.forEach((p, i) => rows.push({ name: `scale-in ${i + 1} at (s)`, predicted: p, measured: mIn[i] ?? NaN, target: "shown", pass: null }));
  rows.push({ name: "largest instance count", predicted: o.predictedMax, measured: o.measuredMax, target: "equal", pass: o.predictedMax === o.measuredMax });
  return rows;
}

export function rateRows(o: { acceptedPredicted: number; acceptedMeasured: number; rejectedPredicted: number; rejectedMeasured: number }): Row[] {
  return [
    { name: "accepted (req/s)", predicted: o.acceptedPredicted, measured: o.acceptedMeasured, target: "within 3%", pass: Math.abs(rel(o.acceptedPredicted, o.acceptedMeasured)) <= 0.03 },
    { name: "rejected 429 (req/s)", predicted: o.rejectedPredicted, measured: o.rejectedMeasured, target: "within 3%", pass: Math.abs(rel(o.rejectedPredicted, o.rejectedMeasured)) <= 0.03 },
  ];
}

