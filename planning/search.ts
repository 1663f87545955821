// One capacity search: the highest load level whose simulated run is sustainable (verdict.ts),
// by expanding the analytic bracket until its low end passes and its high end fails, then
// bisecting. All runs of one search share a seed (common random numbers), so the verdict is
// monotone in the level far more often than with fresh randomness per run; independent searches
// with different seeds give the spread for the confidence interval (capacity.ts).
import { simulate, type Scenario } from "../simulator/index.ts";
import { scaleLoad } from "../simulator/analytic/index.ts";
import { summarize, type RunSummary } from "./verdict.ts";

export interface SearchSpec {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly lo: number;
  readonly hi: number;
  readonly duration: number;
  readonly warmup: number;
  /** Stop when (hi - lo) / lo is at most this (users: when hi - lo <= 1). */
  readonly tolerance: number;
  readonly maxRuns: number;
}

export interface SearchOutcome {
  readonly seed: number;
  /** Highest passing level found (0 if none passed). */
  readonly capacity: number;
  /** Lowest failing level found (Infinity if none failed within the run budget). */
  readonly firstFailure: number;
  readonly atCapacity: RunSummary | null;
  readonly aboveCapacity: RunSummary | null;
  readonly runs: number;
}

export function runSearch(spec: SearchSpec): SearchOutcome {
  const integer = spec.scenario.load.model === "closed";
  const round = (x: number) => (integer ? Math.max(1, Math.round(x)) : x);
  let runs = 0;
  const evaluate = (level: number): RunSummary => {
    runs++;
    const r = simulate(scaleLoad(spec.scenario, level), { seed: spec.seed, replications: 1, duration: spec.duration, warmup: spec.warmup });
    return summarize(level, r);
  };
  let lo = round(spec.lo), hi = round(Math.max(spec.hi, spec.lo * 1.05));
  let pass: RunSummary | null = null, fail: RunSummary | null = null;
  // Make sure lo passes (or reach a floor) and hi fails (or run out of budget).
  for (;;) {
    const r = evaluate(lo);
    if (r.pass) { pass = r; break; }
    fail = r; hi = lo;
    const next = round(lo / 2);
    if (runs >= spec.maxRuns || next === lo || lo < 1e-3) return outcome(0);
    lo = next;
  }
  while (fail === null || fail.level > hi) {
    if (runs >= spec.maxRuns) return outcome(pass.level);
    const r = evaluate(hi);
    if (r.pass) { pass = r; lo = hi; hi = round(hi * 1.5); }
    else { fail = r; break; }
  }
  while (runs < spec.maxRuns) {
    if (integer ? hi - lo <= 1 : (hi - lo) <= spec.tolerance * lo) break;
    const mid = integer ? Math.floor((lo + hi) / 2) : (lo + hi) / 2;
    const r = evaluate(mid);
    if (r.pass) { pass = r; lo = mid; } else { fail = r; hi = mid; }
  }
  return outcome(lo);

  function outcome(capacity: number): SearchOutcome {
    return { seed: spec.seed, capacity, firstFailure: fail?.level ?? Infinity, atCapacity: pass, aboveCapacity: fail, runs };
  }
}
