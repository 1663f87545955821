// One queueing station in isolation: c servers, Poisson-like arrivals at rate λ, service time with
// mean s and squared coefficient of variation cs². Exact for M/M/c (Erlang C) and M/G/1
// (Pollaczek-Khinchine); for M/G/c the Allen-Cunneen approximation scales the M/M/c wait by
// (ca² + cs²) / 2 (Allen 1990, "Probability, Statistics and Queueing Theory", §6; Whitt 1993,
// "Approximations for the GI/G/m queue"), which reduces to Pollaczek-Khinchine when c = 1.

/** Mean and variance of a time, in seconds. */
export interface Moments {
  readonly mean: number;
  readonly variance: number;
}

export const ZERO: Moments = { mean: 0, variance: 0 };

export function seq(...parts: Moments[]): Moments {
  let mean = 0, variance = 0;
  for (const p of parts) { mean += p.mean; variance += p.variance; }
  return { mean, variance };
}

/** A probabilistic mixture: E[X²] = Σ p (Var_i + m_i²). */
export function mix(parts: ReadonlyArray<{ p: number; m: Moments }>): Moments {
  let mean = 0, second = 0;
  for (const { p, m } of parts) { mean += p * m.mean; second += p * (m.variance + m.mean * m.mean); }
  return { mean, variance: Math.max(0, second - mean * mean) };
}

export function scale(m: Moments, k: number): Moments {
  return { mean: m.mean * k, variance: m.variance * k * k };
}

/**
 * Erlang C, the probability of waiting in M/M/c with offered load a = λ/μ (< c), through the
 * Erlang B recursion B(k) = a B(k-1) / (k + a B(k-1)), which stays finite for thousands of servers.
 */
export function erlangC(c: number, a: number): number {
  if (a <= 0) return 0;
  if (a >= c) return 1;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

export interface StationSolution {
  readonly utilization: number;
  /** Probability that an arrival waits. */
  readonly waitProbability: number;
  /** Time in the queue before service; Infinity when ρ ≥ 1. */
  readonly wait: Moments;
  readonly stable: boolean;
}

/**
 * The queueing delay of a c-server FCFS station. The wait is 0 with probability 1 - C and, given
 * that it waits, exponential with mean Wq / C (exact for M/M/c), which gives its variance.
 */
export function solveStation(c: number, lambda: number, meanService: number, scvService: number, scvArrival = 1): StationSolution {
  const a = lambda * meanService;
  const utilization = a / c;
  if (lambda <= 0 || meanService <= 0) return { utilization: Math.max(0, utilization), waitProbability: 0, wait: ZERO, stable: true };
  if (utilization >= 1) return { utilization, waitProbability: 1, wait: { mean: Infinity, variance: Infinity }, stable: false };
  const C = erlangC(c, a);
  const wqMMc = (C * meanService) / (c * (1 - utilization));
  const wq = wqMMc * (scvArrival + scvService) / 2;
  const cond = C > 0 ? wq / C : 0;
  return { utilization, waitProbability: C, wait: { mean: wq, variance: C * 2 * cond * cond - wq * wq }, stable: true };
}

/**
 * A quantile of a positive time from its mean and variance, by fitting a gamma distribution and the
 * Wilson-Hilferty cube-root normal approximation of its quantile (Wilson and Hilferty 1931). Exact
 * to 0.1% for the exponential's p99; poor only for very skewed times (scv far above 1).
 */
export function quantileOf(m: Moments, q: number): number {
  if (!Number.isFinite(m.mean)) return Infinity;
  if (m.mean <= 0) return 0;
  if (m.variance <= 1e-18 * m.mean * m.mean) return m.mean;
  const shape = (m.mean * m.mean) / m.variance;
  const z = normalQuantile(q);
  const t = 1 - 1 / (9 * shape) + z / (3 * Math.sqrt(shape));
  return Math.max(0, m.mean * t * t * t);
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
