// A scenario's open-load rate profile as piecewise-linear knots (seconds, per second), shared by the
// plan (k6 stages) and the Poisson realization (time rescaling, lib/poisson.ts). Step stages become vertical
// jumps; sine stages are approximated by 48 linear segments per period (error < 0.1% of amplitude).
// Pure code: it runs inside k6 scripts too.

export type Knot = [t: number, rate: number];

export interface OpenStage {
  duration: number;
  target?: number;
  shape: "linear" | "step" | "sine";
  min?: number;
  max?: number;
  period?: number;
  peak?: number;
}

export function knotsFor(load: { rate?: number; start_rate: number; stages?: ReadonlyArray<OpenStage> }, durationS: number): Knot[] {
  if (load.rate !== undefined) return [[0, load.rate], [durationS, load.rate]];
  const knots: Knot[] = [[0, load.start_rate]];
  let t = 0;
  let level = load.start_rate;
  for (const st of load.stages ?? []) {
    if (st.shape === "step") {
      const target = st.target ?? 0;
      knots.push([t, target], [t + st.duration, target]);
      level = target;
    } else if (st.shape === "sine") {
      const min = st.min ?? 0;
      const max = st.max ?? 0;
      const period = st.period ?? st.duration;
      const phase = st.peak ?? period / 4;
      const rate = (x: number) => (min + max) / 2 + ((max - min) / 2) * Math.cos((2 * Math.PI * (x - phase)) / period);
      const n = Math.min(2000, Math.max(4, Math.ceil((st.duration / period) * 48)));
      knots.push([t, rate(0)]);
      for (let i = 1; i <= n; i++) knots.push([t + (st.duration * i) / n, rate((st.duration * i) / n)]);
      level = rate(st.duration);
    } else {
      const target = st.target ?? 0;
      knots.push([t + st.duration, target]);
      level = target;
    }
    t += st.duration;
  }
  void level;
  return knots;
}

/** The profile cut at `end` seconds (the last knot interpolated), for a --duration shorter than the stages. */
export function clipKnots(knots: ReadonlyArray<Knot>, end: number): Knot[] {
  const out: Knot[] = [];
  for (let i = 0; i < knots.length; i++) {
    const [t, r] = knots[i];
    if (t <= end) {
      out.push([t, r]);
      continue;
    }
    const [t0, r0] = knots[i - 1];
    out.push([end, t > t0 ? r0 + ((r - r0) * (end - t0)) / (t - t0) : r]);
    break;
  }
  return out;
}

/** Λ(t): expected arrivals in [0, t]. */
export function cumulative(knots: ReadonlyArray<Knot>, t: number): number {
  let acc = 0;
  for (let i = 1; i < knots.length; i++) {
    const [t0, r0] = knots[i - 1];
    const [t1, r1] = knots[i];
    if (t <= t0) break;
    const end = Math.min(t, t1);
    const d = t1 - t0;
    const rEnd = d > 0 ? r0 + ((r1 - r0) * (end - t0)) / d : r1;
    acc += ((r0 + rEnd) / 2) * (end - t0);
  }
  return acc;
}

/** Λ⁻¹(y): the time at which y arrivals are expected; Infinity past the end of the profile. */
export function inverseCumulative(knots: ReadonlyArray<Knot>, y: number): number {
  let acc = 0;
  for (let i = 1; i < knots.length; i++) {
    const [t0, r0] = knots[i - 1];
    const [t1, r1] = knots[i];
    const d = t1 - t0;
    const area = ((r0 + r1) / 2) * d;
    if (acc + area >= y && area > 0) {
      const x = y - acc;
      const q = (r1 - r0) / (2 * d);
      const dt = x <= 0 ? 0 : q === 0 ? x / r0 : (2 * x) / (r0 + Math.sqrt(Math.max(0, r0 * r0 + 4 * q * x)));
      return t0 + dt;
    }
    acc += area;
  }
  return Infinity;
}

export function peakOf(knots: ReadonlyArray<Knot>): number {
  return knots.reduce((m, k) => Math.max(m, k[1]), 0);
}
