// Shared test helpers: build a scenario from YAML text and compare simulated estimates with theory.
import { expect } from "vitest";
import type { Scenario } from "../model/index.ts";
import { estimate, type Estimate } from "../engine/stats.ts";
import { simulate, type SimResult } from "../index.ts";
import { KeySampler } from "../engine/zipf.ts";

/** The one scenarioOf of every folder's tests (simulator/testing.ts), here beside the simulator tests' other helpers. */
export { scenarioOf } from "../testing.ts";

/** Histogram quantiles are read at a bucket's middle, within 0.4% of an observed value (histogram.ts). */
export const QUANTILE_BIAS = 0.004;
/** The widest band a theory comparison may allow, relative to the theory: a model wrong by 3% must fail. */
export const MAX_BAND = 0.03;

type MatchOptions = { precision?: number; bias?: number; label?: string };

/**
 * The theoretical value must lie within 2 confidence half-widths of the simulated mean (plus
 * `bias`, a known relative discretization error), and the half-width must be at most `precision`
 * of the value (default 1.4%). Two half-widths (4 to 5 standard errors with 10 to 24
 * replications) keep the chance that a correct model fails one of many comparisons small; the
 * seeds are fixed, so runs repeat exactly. Returns the band used, relative to the theory;
 * HEADROOM_TEST_BANDS=1 prints it.
 */
export function expectMatches(e: Estimate, theory: number, opts: MatchOptions = {}): number {
  const precision = opts.precision ?? 0.014;
  const bias = opts.bias ?? 0;
  const label = opts.label ?? "";
  const scale = Math.abs(theory);
  const ci = e.ci95 ?? NaN;
  const band = 2 * ci + bias * scale;
  if (globalThis.process?.env?.HEADROOM_TEST_BANDS) {
    console.log(`${label}: error ${(100 * (e.mean / theory - 1)).toFixed(2)}%, band ${((100 * band) / scale).toFixed(2)}%`);
  }
  expect(e.ci95, `${label}: needs replications for a confidence interval`).not.toBeNull();
  expect(ci, `${label}: CI half-width ${ci} is too wide for theory ${theory}`).toBeLessThanOrEqual(precision * scale);
  expect(Math.abs(e.mean - theory), `${label}: simulated ${e.mean} ± ${ci} vs theory ${theory}`).toBeLessThanOrEqual(band);
  return band / scale;
}

/**
 * expectMatches for the closed-form tests (theory/, engine/profile, components/behaviours), which
 * must prove their own power: `bias` only for percentiles (QUANTILE_BIAS), and the widest band the
 * comparison could accept, 2 x precision + bias, and the band it did use, 2 x half-width + bias,
 * are both asserted under 3% of the value, so a model wrong by 3% fails. The default precision
 * 1.25% gives a 2.5% band.
 */
export function expectTheory(e: Estimate, theory: number, opts: MatchOptions = {}): number {
  const precision = opts.precision ?? 0.0125;
  const bias = opts.bias ?? 0;
  const label = opts.label ?? "";
  expect(2 * precision + bias, `${label}: the widest band allowed must be under 3%`).toBeLessThan(MAX_BAND);
  const band = expectMatches(e, theory, { precision, bias, label });
  expect(band, `${label}: a model wrong by 3% must fail: band ${(100 * band).toFixed(2)}% of ${theory}`).toBeLessThan(MAX_BAND);
  return band;
}

/**
 * Independent one-replication runs (seeds seed, seed + 1, ...), for figures the result gives only
 * as totals over replications (the queue's message counts): `perRun` makes them an estimate.
 */
export function singleRuns(s: Scenario, runs: number): SimResult[] {
  return Array.from({ length: runs }, (_, i) => simulate(s, { seed: s.seed + i, replications: 1 }));
}

export function perRun(results: SimResult[], f: (r: SimResult) => number): Estimate {
  return estimate(results.map(f));
}

/** Erlang C: the probability that an arrival waits in an M/M/c queue with offered load a = λ/μ. */
export function erlangC(c: number, a: number): number {
  let term = 1, sum = 1;
  for (let k = 1; k < c; k++) { term *= a / k; sum += term; }
  const last = (term * a) / c / (1 - a / c);
  return last / (sum + last);
}

/**
 * LRU hit ratio under independent Zipf(s) requests over `keys` keys by Che's approximation (Che,
 * Tung, Wang 2002): the characteristic time T solves Σ_i (1 - e^{-p_i T}) = capacity, and the hit
 * ratio is Σ_i p_i (1 - e^{-p_i T}).
 */
export function cheHitRatio(keys: number, s: number, capacity: number): number {
  const p = KeySampler.probabilities(keys, s);
  const filled = (T: number) => p.reduce((a, x) => a + (1 - Math.exp(-x * T)), 0);
  let lo = 0, hi = 1;
  while (filled(hi) < capacity) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (filled(mid) < capacity) lo = mid; else hi = mid;
  }
  const T = (lo + hi) / 2;
  return p.reduce((a, x) => a + x * (1 - Math.exp(-x * T)), 0);
}
