// An open Poisson load that stock k6 runs: one realization of a Poisson process of rate(t), drawn
// from a seed, written as ramping-arrival-rate stages whose integrated rate reaches 1, 2, 3, ... at
// the arrival times. k6 starts iteration j where the integral of its stage rates reaches j, from a VU
// pool and never waiting for a busy VU (an arrival that finds none is a dropped_iterations), so the
// load is open and its arrivals are exactly the realization, with no empty iterations.
// Trade-offs: 2 stages per arrival (held by k6 and the runner, drawn once in VU 0's init context,
// so a 60 s test at 500/s is 60,000 stages); times are integer nanoseconds, and each stage's rate is an
// integer per TIME_UNIT_NS rounded up, so arrival j comes at most (j x 1e-9 + t / 1e6 s) of its own gap early.
// The same seed gives the same arrivals on every engine and every execution segment. Pure code.
import type { Knot } from "./profile.ts";
import { seededUniform } from "../../../simulator/random.ts";

/** k6 rates are integers per timeUnit: a long one (1e6 s) makes the rounding of 1/gap negligible. */
export const TIME_UNIT = "1000000s";
const TIME_UNIT_NS = 1e15;
/** Each gap's integral is 1 + EPS (rounded up): the integral reaches j just before the j-th arrival, never after. */
const EPS = 1e-9;
/**
 * Seconds of rate 0 after the last arrival's window. k6 starts its arrival clock after activating the
 * pre-allocated VUs but ends the scenario on the clock started before: without a tail, arrivals due
 * in that lag before the end are neither started nor counted as dropped (3 of 4,073 in a run of k6
 * v0.48 on a loaded machine). The cost: each test lasts 1 s longer.
 */
export const TAIL_S = 1;

/**
 * Arrival times (seconds) of a Poisson process of the piecewise-linear rate `knots` on [0, end):
 * unit-rate exponential gaps on the integrated-rate axis mapped back through its inverse (time
 * rescaling), walking the knots once. Exact for any rate profile.
 */
export function poissonArrivals(knots: ReadonlyArray<Knot>, seed: number): number[] {
  const rnd = seededUniform(seed, "k6-arrivals");
  const out: number[] = [];
  let y = -Math.log(rnd()); // next arrival on the integrated-rate axis
  let acc = 0; // integrated rate at the start of the segment
  for (let i = 1; i < knots.length; i++) {
    const t0 = knots[i - 1][0];
    const r0 = knots[i - 1][1];
    const d = knots[i][0] - t0;
    const r1 = knots[i][1];
    const area = ((r0 + r1) / 2) * d;
    if (!(area > 0)) continue;
    const q = (r1 - r0) / (2 * d);
    while (y < acc + area) {
      const x = y - acc;
      const dt = q === 0 ? x / r0 : (2 * x) / (r0 + Math.sqrt(Math.max(0, r0 * r0 + 4 * q * x)));
      out.push(t0 + Math.min(d, dt));
      y += -Math.log(rnd());
    }
    acc += area;
  }
  return out;
}

export interface ArrivalStage {
  duration: string;
  target: number;
}

/**
 * ramping-arrival-rate stages (timeUnit TIME_UNIT, startRate 0) that start one iteration at each of
 * `arrivals` (seconds, increasing) and nothing else before `endS`: for each gap a 0 s jump to the
 * rate 1/gap, then the gap at that rate; after the last arrival the rate is 0 until the end.
 */
export function arrivalStages(arrivals: ReadonlyArray<number>, endS: number): ArrivalStage[] {
  const stages: ArrivalStage[] = [];
  const endNs = Math.round(endS * 1e9);
  let prev = 0;
  for (const a of arrivals) {
    let at = Math.round(a * 1e9);
    if (at <= prev) at = prev + 1; // two arrivals in one nanosecond: the second 1 ns later
    if (at >= endNs) break;
    const gap = at - prev;
    const target = Math.ceil((TIME_UNIT_NS * (1 + EPS)) / gap);
    stages.push({ duration: "0s", target }, { duration: `${gap}ns`, target });
    prev = at;
  }
  stages.push({ duration: "0s", target: 0 }, { duration: `${endNs - prev}ns`, target: 0 });
  return stages;
}
