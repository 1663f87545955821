// Load profiles over time: the arrival rate of an open load (hold, linear ramp, step spike,
// diurnal sine, like k6's ramping-arrival-rate stages) and the user count of a closed load
// (like k6's ramping-vus).
import type { ClosedLoad, OpenLoad } from "../model/schema.ts";
import type { Uniform } from "./rng.ts";

const CONST = 0, LINEAR = 1, SINE = 2;

/** A piecewise rate function; each piece knows its maximum so Poisson arrivals can use thinning. */
export class RateProfile {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  private readonly kinds: Int32Array;
  private readonly r0: Float64Array;
  private readonly r1: Float64Array;
  private readonly period: Float64Array;
  private readonly phase: Float64Array;
  readonly maxRate: Float64Array;
  /** Time the load stops (Infinity for a constant rate). */
  readonly end: number;
  /** The rate of a constant load (`rate:`, one piece without end) when above 0; else 0. */
  readonly constantRate: number;

  constructor(load: OpenLoad) {
    const pieces: Array<{ kind: number; len: number; r0: number; r1: number; period: number; phase: number; max: number }> = [];
    if (load.rate !== undefined) {
      pieces.push({ kind: CONST, len: Infinity, r0: load.rate, r1: load.rate, period: 0, phase: 0, max: load.rate });
    } else {
      let level = load.start_rate;
      for (const st of load.stages ?? []) {
        if (st.shape === "sine") {
          const min = st.min ?? 0, max = st.max ?? 0, period = st.period ?? st.duration;
          // Peak at `peak` seconds into the stage (default: a quarter period, a plain sine).
          const phase = (st.peak ?? period / 4);
          pieces.push({ kind: SINE, len: st.duration, r0: (min + max) / 2, r1: (max - min) / 2, period, phase, max });
          level = (min + max) / 2 + ((max - min) / 2) * Math.cos((2 * Math.PI * (st.duration - phase)) / period);
        } else if (st.shape === "step") {
          const target = st.target ?? 0;
          pieces.push({ kind: CONST, len: st.duration, r0: target, r1: target, period: 0, phase: 0, max: target });
          level = target;
        } else {
          const target = st.target ?? 0;
          pieces.push({ kind: LINEAR, len: st.duration, r0: level, r1: target, period: 0, phase: 0, max: Math.max(level, target) });
          level = target;
        }
      }
    }
    const n = pieces.length;
    this.starts = new Float64Array(n); this.ends = new Float64Array(n); this.kinds = new Int32Array(n);
    this.r0 = new Float64Array(n); this.r1 = new Float64Array(n); this.period = new Float64Array(n);
    this.phase = new Float64Array(n); this.maxRate = new Float64Array(n);
    let t = 0;
    pieces.forEach((p, i) => {
      this.starts[i] = t; t += p.len; this.ends[i] = t; this.kinds[i] = p.kind;
      this.r0[i] = p.r0; this.r1[i] = p.r1; this.period[i] = p.period; this.phase[i] = p.phase; this.maxRate[i] = p.max;
    });
    this.end = t;
    this.constantRate = n === 1 && this.kinds[0] === CONST && t === Infinity && this.r0[0] > 0 ? this.r0[0] : 0;
  }

  get pieces(): number {
    return this.kinds.length;
  }

  /** The piece containing t (pieces are few: a linear scan from a hint is cheapest). */
  pieceAt(t: number, hint = 0): number {
    let i = hint;
    while (i < this.kinds.length - 1 && t >= this.ends[i]) i++;
    return i;
  }

  rateIn(i: number, t: number): number {
    switch (this.kinds[i]) {
      case CONST: return this.r0[i];
      case LINEAR: {
        const f = (t - this.starts[i]) / (this.ends[i] - this.starts[i]);
        return this.r0[i] + (this.r1[i] - this.r0[i]) * f;
      }
      default: {
        const x = t - this.starts[i] - this.phase[i];
        return this.r0[i] + this.r1[i] * Math.cos((2 * Math.PI * x) / this.period[i]);
      }
    }
  }

  /**
   * Deterministic arrivals: the time after t at which piece i's rate has integrated to one arrival
   * (Infinity when that is past the piece's end). Exact for constant and linear pieces, by the
   * midpoint rule for a sine; on a ramp from 0 the midpoint rule put the first gaps too short
   * (22 arrivals in the first second of 0 -> 2000/s over 60 s, where the integral gives 16.7).
   */
  nextDeterministic(i: number, t: number): number {
    const end = this.ends[i];
    let next: number;
    if (this.kinds[i] === LINEAR) {
      // r(t + d) = a + b d, so the integral over d is a d + b d²/2 = 1
      const a = this.rateIn(i, t);
      const b = (this.r1[i] - this.r0[i]) / (end - this.starts[i]);
      if (b === 0) next = a > 0 ? t + 1 / a : Infinity;
      else {
        const disc = a * a + 2 * b;
        next = disc < 0 ? Infinity : t + 2 / (a + Math.sqrt(disc)); // = (-a + √disc) / b, without cancellation
      }
    } else if (this.kinds[i] === CONST) {
      next = this.r0[i] > 0 ? t + 1 / this.r0[i] : Infinity;
    } else {
      // a sine touching 0: step over the silent stretch before looking for the next arrival
      const step = 1 / this.maxRate[i];
      let r = 0;
      for (; t < end; t += step) {
        const r0 = this.rateIn(i, t);
        const rm = this.rateIn(i, Math.min(t + 0.5 / Math.max(r0, 1e-9), end));
        r = rm > 0 ? rm : r0;
        if (r > 0) break;
      }
      next = r > 0 ? t + 1 / r : Infinity;
    }
    return next < end ? next : Infinity;
  }

  /**
   * Poisson arrivals: the next arrival after t, by thinning against each piece's maximum rate
   * (exact; plain exponential gaps when the rate is constant), drawing from `rng`; Infinity when
   * the load has ended. The engine's open load draws its arrivals with it, and so does a driver
   * that sends the engine's own realization (validation/function-validate.ts): the same stream
   * gives the same times.
   */
  nextPoisson(t: number, rng: Uniform): number {
    // A constant rate: the loop below would take one exponential gap and accept it (r = max).
    const rate = this.constantRate;
    if (rate > 0) return t + -Math.log(rng.next()) / rate;
    return this.nextThinned(t, rng);
  }

  private nextThinned(t: number, rng: Uniform): number {
    let piece = 0;
    for (;;) {
      if (t >= this.end) return Infinity;
      piece = this.pieceAt(t, piece);
      const max = this.maxRate[piece];
      const pieceEnd = this.ends[piece];
      if (max <= 0) { t = pieceEnd; continue; }
      t += -Math.log(rng.next()) / max;
      if (t >= pieceEnd) { t = pieceEnd; continue; }
      const r = this.rateIn(piece, t);
      if (r >= max || rng.next() * max < r) return t;
    }
  }

  rateAt(t: number): number {
    if (t >= this.end) return 0;
    return this.rateIn(this.pieceAt(t), t);
  }
}

/** The times at which a closed load's user count changes, and the count from then on. */
export function userSchedule(load: ClosedLoad): { times: number[]; targets: number[]; end: number } {
  if (load.users !== undefined) return { times: [0], targets: [load.users], end: Infinity };
  const times: number[] = [0];
  const targets: number[] = [load.start_users];
  let level = load.start_users;
  let t = 0;
  for (const st of load.stages ?? []) {
    if (st.shape === "step" || st.target === level) {
      if (st.target !== level) { times.push(t); targets.push(st.target); }
    } else {
      // A linear ramp changes the count by one at k/n of the stage, as k6's ramping-vus does.
      const steps = Math.abs(st.target - level);
      const dir = Math.sign(st.target - level);
      for (let k = 1; k <= steps; k++) {
        times.push(t + (st.duration * k) / steps);
        targets.push(level + dir * k);
      }
    }
    level = st.target;
    t += st.duration;
  }
  return { times, targets, end: t };
}
