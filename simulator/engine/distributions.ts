// Samplers for the distribution specs of the scenario format. One class with a switch on a kind
// code rather than a closure per kind: call sites in the event loop stay monomorphic. Parameters
// are precomputed once (lognormal mu/sigma, gamma shape, hyperexponential phases).
import type { Dist } from "../model/schema.ts";
import type { Uniform } from "./rng.ts";
import { truncatedNormal } from "../model/dist-moments.ts";

const CONSTANT = 0, EXPONENTIAL = 1, UNIFORM = 2, NORMAL = 3, LOGNORMAL = 4, GAMMA = 5,
  ERLANG = 6, HYPEREXP = 7, PARETO = 8, EMPIRICAL = 9, EMPIRICAL_TIMED = 10;

/** Never read: the clock of a sampler built without one (no timed empirical without a simulation's clock). */
const NO_CLOCK = new Float64Array(1);

export class Sampler {
  private readonly kind: number;
  private readonly a: number;
  private readonly b: number;
  private readonly c: number;
  private readonly samples: Float64Array;
  /** A timed empirical's sample times, ascending (samples in the same order). */
  private readonly times: Float64Array;
  /** The simulation's clock (seconds), clock[0] set by the engine at each event: a timed empirical draws near it. */
  private readonly clock: Float64Array;
  /** The distribution's mean, for reports and analytic estimates. */
  readonly mean: number;

  constructor(spec: Dist, clock: Float64Array = NO_CLOCK) {
    let a = 0, b = 0, c = 0;
    let samples = new Float64Array(0);
    let times = new Float64Array(0);
    let kind: number;
    let mean: number;
    switch (spec.dist) {
      case "constant": kind = CONSTANT; a = spec.value; mean = a; break;
      case "exponential": kind = EXPONENTIAL; a = spec.mean; mean = a; break;
      case "uniform": kind = UNIFORM; a = spec.min; b = spec.max - spec.min; mean = a + b / 2; break;
      case "normal": kind = NORMAL; a = spec.mean; b = spec.sd; mean = truncatedNormal(a, b).mean; break;
      case "lognormal": {
        kind = LOGNORMAL;
        const s2 = Math.log(1 + spec.cv * spec.cv);
        a = Math.log(spec.mean) - s2 / 2; b = Math.sqrt(s2); mean = spec.mean;
        break;
      }
      case "gamma": {
        kind = GAMMA;
        const shape = 1 / (spec.cv * spec.cv);
        a = shape; b = spec.mean / shape; mean = spec.mean;
        break;
      }
      case "erlang": kind = ERLANG; a = spec.k; b = spec.mean / spec.k; mean = spec.mean; break;
      case "hyperexponential": {
        // Two phases with balanced means (p1 m1 = p2 m2): the usual fit to a mean and cv > 1.
        kind = HYPEREXP;
        const c2 = spec.cv * spec.cv;
        const p1 = 0.5 * (1 + Math.sqrt((c2 - 1) / (c2 + 1)));
        a = p1; b = spec.mean / (2 * p1); c = spec.mean / (2 * (1 - p1)); mean = spec.mean;
        break;
      }
      case "pareto": {
        kind = PARETO;
        a = spec.min; b = 1 - (spec.min / spec.max) ** spec.alpha; c = -1 / spec.alpha;
        const L = spec.min, H = spec.max, al = spec.alpha;
        mean = Math.abs(al - 1) < 1e-12
          ? (L * Math.log(H / L)) / b
          : ((al * L ** al) / (al - 1)) * (L ** (1 - al) - H ** (1 - al)) / b;
        break;
      }
      case "empirical": {
        const at = spec.at;
        if (at && spec.window !== undefined) {
          if (clock === NO_CLOCK) throw new Error("an empirical distribution with `at` needs the simulation's clock");
          kind = EMPIRICAL_TIMED; a = spec.window / 2;
          const order = at.map((_, i) => i).sort((x, y) => at[x]! - at[y]! || x - y);
          samples = Float64Array.from(order, (i) => spec.samples[i]!);
          times = Float64Array.from(order, (i) => at[i]!);
        } else {
          kind = EMPIRICAL; samples = Float64Array.from(spec.samples);
        }
        mean = samples.reduce((x, y) => x + y, 0) / samples.length;
        break;
      }
    }
    this.kind = kind; this.a = a; this.b = b; this.c = c; this.samples = samples; this.times = times; this.clock = clock; this.mean = mean;
  }

  /** The value of the last draw(): read it right after the call. */
  drawn = 0;

  /** One draw. */
  sample(rng: Uniform): number {
    this.draw(rng);
    return this.drawn;
  }

  /**
   * One draw, left in `drawn` rather than returned: a double returned from a call V8 did not inline
   * is boxed (a heap number per draw, which the garbage collector then reclaims), where a number
   * field is written in place. The commonest kinds are here and the rest in sampleOther, which
   * keeps this body small enough for V8 to inline at the engine's call sites.
   */
  draw(rng: Uniform): void {
    const kind = this.kind;
    if (kind === EXPONENTIAL) this.drawn = -this.a * Math.log(rng.next());
    else if (kind === LOGNORMAL) this.drawn = Math.exp(this.a + this.b * standardNormal(rng));
    else if (kind === CONSTANT) this.drawn = this.a;
    else this.drawn = this.sampleOther(rng);
  }

  /** A timed empirical's draw at the clock's time: one of the samples measured within the half-window, else the nearest. */
  private sampleNear(rng: Uniform): number {
    const t = this.clock[0], h = this.a, times = this.times, n = times.length;
    const lo = lowerBound(times, t - h);
    const hi = lowerBound(times, t + h + 1e-12);
    if (hi > lo) return this.samples[lo + ((rng.next() * (hi - lo)) | 0)];
    // none within: the nearest one (the draw still takes its uniform, so the streams stay aligned)
    rng.next();
    if (lo >= n) return this.samples[n - 1];
    if (lo === 0) return this.samples[0];
    return t - times[lo - 1] <= times[lo] - t ? this.samples[lo - 1] : this.samples[lo];
  }

  private sampleOther(rng: Uniform): number {
    switch (this.kind) {
      case UNIFORM: return this.a + this.b * rng.next();
      case NORMAL: {
        // Truncated at 0 by resampling, so the shape above 0 is exactly the normal's.
        for (;;) {
          const x = this.a + this.b * standardNormal(rng);
          if (x >= 0) return x;
        }
      }
      case GAMMA: return this.b * gammaUnitScale(this.a, rng);
      case ERLANG: {
        let prod = 1;
        for (let i = 0; i < this.a; i++) prod *= rng.next();
        return -this.b * Math.log(prod);
      }
      case HYPEREXP: return -(rng.next() < this.a ? this.b : this.c) * Math.log(rng.next());
      case PARETO: return this.a * Math.pow(1 - rng.next() * this.b, this.c);
      case EMPIRICAL: return this.samples[(rng.next() * this.samples.length) | 0];
      case EMPIRICAL_TIMED: return this.sampleNear(rng);
      default: throw new Error(`unknown sampler kind ${this.kind}`);
    }
  }
}

/** Box-Muller (one of the pair; the other is discarded to keep the sampler stateless). */
function standardNormal(rng: Uniform): number {
  return Math.sqrt(-2 * Math.log(rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** Marsaglia and Tsang (2000); shapes below 1 use the boost X * U^(1/shape). */
function gammaUnitScale(shape: number, rng: Uniform): number {
  if (shape < 1) return gammaUnitScale(shape + 1, rng) * Math.pow(rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** First index of ascending `xs` with xs[i] >= x (xs.length when none). */
function lowerBound(xs: Float64Array, x: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (xs[m]! < x) lo = m + 1; else hi = m;
  }
  return lo;
}
