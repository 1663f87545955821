// Random variates for k6 scripts: think-time distributions of the scenario format (seconds) and Zipf
// key popularity by rejection-inversion (Hörmann & Derflinger), which needs O(1) memory however many
// keys there are — a CDF table per VU would not fit with thousands of VUs. Pure code.

export type Dist =
  | { dist: "constant"; value: number }
  | { dist: "exponential"; mean: number }
  | { dist: "uniform"; min: number; max: number }
  | { dist: "normal"; mean: number; sd: number }
  | { dist: "lognormal"; mean: number; cv: number }
  | { dist: "gamma"; mean: number; cv: number }
  | { dist: "erlang"; k: number; mean: number }
  | { dist: "hyperexponential"; mean: number; cv: number }
  | { dist: "pareto"; min: number; max: number; alpha: number }
  | { dist: "empirical"; samples: number[] };

function stdNormal(rnd: () => number): number {
  let u = 0;
  while (u === 0) u = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

function gamma(shape: number, rnd: () => number): number {
  // Marsaglia & Tsang; shape < 1 boosted by U^(1/shape)
  if (shape < 1) return gamma(shape + 1, rnd) * Math.pow(rnd() || 1e-300, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = stdNormal(rnd);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rnd();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function sample(d: Dist, rnd: () => number = Math.random): number {
  switch (d.dist) {
    case "constant":
      return d.value;
    case "exponential":
      return -d.mean * Math.log(1 - rnd());
    case "uniform":
      return d.min + (d.max - d.min) * rnd();
    case "normal":
      for (;;) {
        const x = d.mean + d.sd * stdNormal(rnd);
        if (x >= 0) return x;
      }
    case "lognormal": {
      const s2 = Math.log(1 + d.cv * d.cv);
      return Math.exp(Math.log(d.mean) - s2 / 2 + Math.sqrt(s2) * stdNormal(rnd));
    }
    case "gamma": {
      const k = 1 / (d.cv * d.cv);
      return gamma(k, rnd) * (d.mean / k);
    }
    case "erlang": {
      let s = 0;
      for (let i = 0; i < d.k; i++) s -= Math.log(1 - rnd());
      return (s * d.mean) / d.k;
    }
    case "hyperexponential": {
      // balanced means: p1/mu1 = p2/mu2, matching mean and cv
      const c2 = d.cv * d.cv;
      const p = 0.5 * (1 + Math.sqrt((c2 - 1) / (c2 + 1)));
      const m1 = d.mean / (2 * p);
      const m2 = d.mean / (2 * (1 - p));
      return -(rnd() < p ? m1 : m2) * Math.log(1 - rnd());
    }
    case "pareto": {
      const { min: l, max: h, alpha: a } = d;
      const u = rnd();
      return Math.pow(-(u * Math.pow(h, a) - u * Math.pow(l, a) - Math.pow(h, a)) / (Math.pow(h, a) * Math.pow(l, a)), -1 / a);
    }
    case "empirical":
      return d.samples[Math.floor(rnd() * d.samples.length)];
  }
}

/** Zipf(s) over ranks 1..n; s = 0 is uniform. */
export class Zipf {
  private readonly hX1: number;
  private readonly hN: number;
  private readonly sc: number;

  constructor(
    private readonly n: number,
    private readonly s: number,
  ) {
    this.hX1 = this.hIntegral(1.5) - 1;
    this.hN = this.hIntegral(n + 0.5);
    this.sc = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  sample(rnd: () => number = Math.random): number {
    if (this.s === 0) return 1 + Math.floor(rnd() * this.n);
    for (;;) {
      const u = this.hN + rnd() * (this.hX1 - this.hN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.sc || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  private h(x: number): number {
    return Math.exp(-this.s * Math.log(x));
  }
  private hIntegral(x: number): number {
    const lx = Math.log(x);
    return helper2((1 - this.s) * lx) * lx;
  }
  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.s);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  }
}

function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x * (1 / 3) * (1 + 0.25 * x));
}

/** A small, fast seeded generator (mulberry32): the same seed gives the same arrivals everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
