// The balancer overhead's spread. Calibration fits its mean (calibrate.ts), but a constant puts
// every request at that mean, and the app's time outside the replica is not constant: behind
// bandwidth-link.yaml's relay a ping spent 3.35 ms mean, 2.57 p50, 13.4 p99 in HAProxy and the API
// (4 Dec), while the model's ping was one value at every percentile (its p50 43% high, its p99
// 74% low). Here the overhead becomes a lognormal with the fitted mean and the cv whose model
// p50, p95 and p99 of every class come nearest the measured ones (squared log ratios, weighted by
// the class's requests), the model in the loop as for the means; cv 0, the constant, stays when
// no spread is nearer. The overhead is a delay (it holds no server), so the mean fit is untouched.
// Trade-offs: one shape for every class; a grid of cvs 0.25 apart, not a continuous optimum;
// a lognormal, not the measured histogram (what the clients measure is the overhead plus the
// replica's own spread, which the model keeps where it is: their sum's quantiles are what is
// fitted, and a deconvolution of two histograms would be noisier than the shape it gives);
// the measured p99 of a small class over a 30 s window is a handful of requests.
import type { SimResult } from "../simulator/index.ts";
import type { Measured } from "./measure.ts";

/** The lognormal cvs tried (0: the constant). */
export const SPREAD_CVS: readonly number[] = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];

const QUANTILES = ["p50", "p95", "p99"] as const;

/** Request-weighted mean over classes of Σ ln(model q / measured q)² for p50, p95, p99. */
export function quantileMiss(r: SimResult, classes: Measured["classes"]): number {
  let sum = 0, w = 0;
  for (const [cls, c] of Object.entries(classes)) {
    const model = r.classes[cls]?.latencyMs;
    if (!model || !(c.requests > 0)) continue;
    let e = 0, n = 0;
    for (const q of QUANTILES) {
      const a = model[q].mean, b = c.latencyMs[q];
      if (!(a > 0 && b > 0)) continue;
      e += Math.log(a / b) ** 2;
      n++;
    }
    if (n === 0) continue;
    sum += (e / n) * c.requests;
    w += c.requests;
  }
  return w > 0 ? sum / w : NaN;
}

export interface SpreadFit {
  /** the chosen cv (0: constant) */
  cv: number;
  /** its quantile miss, and the constant's (quantileMiss) */
  miss: number;
  missConstant: number;
}

/** The cv of SPREAD_CVS whose model (simAt(cv)) misses the measured quantiles least; the constant on ties. */
export function fitSpread(simAt: (cv: number) => SimResult, classes: Measured["classes"]): SpreadFit {
  let best = { cv: 0, miss: Infinity };
  let missConstant = NaN;
  for (const cv of SPREAD_CVS) {
    const miss = quantileMiss(simAt(cv), classes);
    if (cv === 0) missConstant = miss;
    if (miss < best.miss) best = { cv, miss };
  }
  return Number.isFinite(best.miss) ? { ...best, missConstant } : { cv: 0, miss: missConstant, missConstant };
}
