// Calibration at load, per level: the per-hop costs fitted at two rates (--calibrate's default:
// 0.35 and 0.65 of the predicted saturation), and for any offered rate the values that rate is
// given, linear in the rate between the two fits and held at the nearer fit outside them. Why: some
// costs move with the load. The broker's confirm quickens with the publish rate (partitioned-queue,
// 4 Dec, nothing else running: the measured median fell 4.53 -> 4.35 ms from 32 to 65 req/s), so
// one fit at 0.35 carried a slow confirm to the 0.6 level (its mean -14.7%, p50 -20.4%). Every
// fitted parameter is treated the same way: whatever moves with the rate follows it, whatever does
// not reads the same at both rates (up to the runs' noise, which then also enters the level).
// Trade-off: linear between two points, and flat outside them, never extrapolated (a level at 0.3
// gets the 0.35 fit's values, the knee and the saturation level the upper fit's): a cost that
// curves between the rates, or keeps moving beyond them, is only followed that far.
import type { CalibratedParameter } from "./report.ts";
import { shiftDist } from "./calibrate-regions.ts";

/** Fitted parameters at one offered rate (req/s). */
export interface FitAt {
  rate: number;
  parameters: CalibratedParameter[];
}

/** The share (0..1) of the way from the lower fit's rate to the upper's, clamped: flat outside. */
export function weightAt(lower: number, upper: number, rate: number): number {
  if (!(upper > lower)) return 0;
  return Math.min(1, Math.max(0, (rate - lower) / (upper - lower)));
}

/** One parameter between its two fits, w of the way; quantile by quantile when both have a spread. */
function between(a: CalibratedParameter, b: CalibratedParameter | undefined, w: number, rates: readonly [number, number]): CalibratedParameter {
  if (!b || w === 0) return a;
  if (w === 1) return b;
  const lerp = (x: number, y: number) => x + (y - x) * w;
  const valueMs = lerp(a.valueMs, b.valueMs);
  const near = w < 0.5 ? a : b;
  let samplesMs: number[] | undefined;
  if (a.samplesMs && b.samplesMs && a.samplesMs.length === b.samplesMs.length) samplesMs = a.samplesMs.map((x, i) => lerp(x, b.samplesMs![i]!));
  else if (near.samplesMs) {
    // one side measured a spread: its shape, moved to the interpolated mean (never below 0)
    const shift = valueMs - near.valueMs;
    samplesMs = near.samplesMs.map((x) => Math.max(0, x + shift));
  }
  // a fitted spread (the balancer overhead's lognormal cv) follows the rate like the mean
  const cv = a.cv !== undefined || b.cv !== undefined ? lerp(a.cv ?? 0, b.cv ?? 0) : undefined;
  // a distribution written as is (a crossing's latency): the nearer fit's, moved to the interpolated mean
  const dist = near.dist ? shiftDist(near.dist, (valueMs - near.valueMs) / 1000) : undefined;
  const how = `${Number(a.valueMs.toFixed(3))} ms at ${rates[0]} req/s and ${Number(b.valueMs.toFixed(3))} ms at ${rates[1]} req/s, ${(w * 100).toFixed(0)}% of the way: ${near.how}`;
  return { parameter: a.parameter, valueMs, how, ...(samplesMs ? { samplesMs } : {}), ...(cv ? { cv } : {}), ...(dist ? { dist } : {}), ...(near.atS ? { atS: near.atS, windowS: near.windowS } : {}) };
}

/**
 * The parameters a level at `rate` is predicted with: the lower fit's alone without an upper one;
 * else each parameter linear in the rate between the two fits, flat outside them.
 */
export function calibrationAt(lower: FitAt, upper: FitAt | undefined, rate: number): CalibratedParameter[] {
  if (!upper) return lower.parameters;
  const w = weightAt(lower.rate, upper.rate, rate);
  const byName = new Map(upper.parameters.map((p) => [p.parameter, p]));
  return lower.parameters.map((p) => between(p, byName.get(p.parameter), w, [lower.rate, upper.rate]));
}
