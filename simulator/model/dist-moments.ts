// Mean and squared coefficient of variation of a distribution spec, in closed form: for analytic
// estimates, stability checks and the tests that compare the simulator with queueing theory.
import type { Dist } from "./schema.ts";

export function meanOf(d: Dist): number {
  switch (d.dist) {
    case "constant": return d.value;
    case "uniform": return (d.min + d.max) / 2;
    case "pareto": return paretoMoment(d.min, d.max, d.alpha, 1);
    case "empirical": return d.samples.reduce((a, b) => a + b, 0) / d.samples.length;
    default: return d.mean; // normal truncation at 0 is ignored here: it matters only when sd is near the mean
  }
}

/** Squared coefficient of variation, Var / mean². */
export function scvOf(d: Dist): number {
  const m = meanOf(d);
  switch (d.dist) {
    case "constant": return 0;
    case "exponential": return 1;
    case "uniform": return ((d.max - d.min) ** 2 / 12) / (m * m);
    case "normal": return (d.sd / d.mean) ** 2;
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
