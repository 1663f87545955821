// Key popularity: Zipf(s) over keys 0..n-1 (key 0 the most popular) by rejection-inversion
// (Hörmann and Derflinger 1996, "Rejection-inversion to generate variates from monotone discrete
// distributions"): O(1) per sample and no table, so a key space of millions costs nothing.
// Uniform popularity is the s = 0 case, sampled directly.
import type { Uniform } from "./rng.ts";

export class KeySampler {
  private readonly n: number;
  private readonly s: number;
  private readonly hX1: number;
  private readonly hN: number;
  private readonly sAux: number;

  constructor(n: number, s: number) {
    this.n = n;
    this.s = s;
    this.hX1 = this.hIntegral(1.5) - 1;
    this.hN = this.hIntegral(n + 0.5);
    this.sAux = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  get keys(): number {
    return this.n;
  }

  sample(rng: Uniform): number {
    if (this.s === 0) return (rng.next() * this.n) | 0;
    for (;;) {
      const u = this.hN + rng.next() * (this.hX1 - this.hN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.sAux || u >= this.hIntegral(k + 0.5) - this.h(k)) return k - 1;
    }
  }

  /** The probability of key i (0-based), for tests and analytic hit ratios. */
  static probabilities(n: number, s: number): Float64Array {
    const p = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) { p[i] = Math.pow(i + 1, -s); sum += p[i]; }
    for (let i = 0; i < n; i++) p[i] /= sum;
    return p;
  }

  private h(x: number): number {
    return Math.exp(-this.s * Math.log(x));
  }

  // H(x) = (x^(1-s) - 1) / (1 - s), written with log1p/expm1 helpers so s near 1 stays exact.
  private hIntegral(x: number): number {
    const lx = Math.log(x);
    return helper2((1 - this.s) * lx) * lx;
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.s);
    if (t < -1) t = -1; // numerical guard at the far end of the range
    return Math.exp(helper1(t) * x);
  }
}

/** log(1 + x) / x, continuous at 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** (exp(x) - 1) / x, continuous at 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}
