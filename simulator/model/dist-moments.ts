// Mean and squared coefficient of variation of a distribution spec, in closed form: for analytic
// estimates, stability checks and the tests that compare the simulator with queueing theory.
import type { Dist } from "./schema.ts";

export function meanOf(d: Dist): number {
  switch (d.dist) {
    case "constant": return d.value;
    case "uniform": return (d.min + d.max) / 2;
    case "pareto": return paretoMoment(d.min, d.max, d.alpha, 1);
    case "empirical": return d.samples.reduce((a, b) => a + b, 0) / d.samples.length;
    case "normal": return truncatedNormal(d.mean, d.sd).mean;
    default: return d.mean;
  }
}

/** Squared coefficient of variation, Var / mean². */
export function scvOf(d: Dist): number {
  const m = meanOf(d);
  switch (d.dist) {
    case "constant": return 0;
    case "exponential": return 1;
    case "uniform": return ((d.max - d.min) ** 2 / 12) / (m * m);
    case "normal": { const t = truncatedNormal(d.mean, d.sd); return t.variance / (t.mean * t.mean); }
    case "lognormal":
    case "gamma":
    case "hyperexponential": return d.cv * d.cv;
    case "erlang": return 1 / d.k;
    case "pareto": return paretoMoment(d.min, d.max, d.alpha, 2) / (m * m) - 1;
    case "empirical": {
      const v = d.samples.reduce((a, x) => a + (x - m) ** 2, 0) / d.samples.length;
      return v / (m * m);
    }
  }
}

/** E[X^k] of a Pareto(alpha) bounded to [L, H]. */
function paretoMoment(L: number, H: number, a: number, k: number): number {
  const norm = 1 - (L / H) ** a;
  if (Math.abs(a - k) < 1e-12) return (a * L ** a * Math.log(H / L)) / norm;
  return ((a * L ** a) / (a - k)) * (L ** (k - a) - H ** (k - a)) / norm;
}

/**
 * Mean and variance of a normal(mu, sigma) truncated to [0, ∞) (the sampler resamples negative
 * draws): with a = -mu/sigma and λ = φ(a) / (1 - Φ(a)), mean = mu + sigma λ and
 * variance = sigma² (1 + a λ - λ²). With sd = mean the mean is 1.29 mu, not mu.
 */
export function truncatedNormal(mu: number, sigma: number): { mean: number; variance: number } {
  if (!(sigma > 0)) return { mean: mu, variance: 0 };
  const a = -mu / sigma;
  const tail = 0.5 * erfc(a / Math.SQRT2); // 1 - Φ(a)
  const lambda = Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI) / tail;
  return { mean: mu + sigma * lambda, variance: sigma * sigma * Math.max(0, 1 + a * lambda - lambda * lambda) };
}

/** Complementary error function, Chebyshev fit with relative error below 1.2e-7 (Numerical Recipes, erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
