// Seeded sampling of the scenario's (normalized) distributions inside reference-app processes, so a
// service replica injects the same kind of service time the simulator assumes. Values in seconds.
// Trade-off: a small self-contained generator (mulberry32) rather than a crypto-grade one; each
// process gets its own stream from (scenario seed, process index).

export interface Dist {
  readonly dist: string;
  readonly value?: number;
  readonly mean?: number;
  readonly min?: number;
  readonly max?: number;
  readonly sd?: number;
  readonly cv?: number;
  readonly k?: number;
  readonly alpha?: number;
  readonly samples?: readonly number[];
}

/** Accepts a bare number (a constant, seconds) or a normalized distribution object. */
export type DistLike = Dist | number;

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stream for one process: distinct, reproducible streams from one scenario seed. */
export function streamFor(seed: number, index: number): Rng {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
}

function normal(rng: Rng): number {
  // Box-Muller; 1 - u keeps log away from 0.
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function gammaShape(rng: Rng, shape: number): number {
  // Marsaglia-Tsang; shape < 1 via the boost x * U^(1/shape).
  if (shape < 1) return gammaShape(rng, shape + 1) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = 1 - rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function need(d: Dist, field: keyof Dist): number {
  const v = d[field];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`distribution ${d.dist} needs a numeric '${field}'`);
  return v;
}

export function sample(d: DistLike, rng: Rng): number {
  if (typeof d === "number") return d;
  switch (d.dist) {
    case "constant":
      return need(d, "value");
    case "exponential":
      return -need(d, "mean") * Math.log(1 - rng());
    case "uniform": {
      const min = need(d, "min");
      return min + (need(d, "max") - min) * rng();
    }
    case "normal": {
      const mean = need(d, "mean");
      const sd = need(d, "sd");
      for (let i = 0; i < 1000; i++) {
        const x = mean + sd * normal(rng);
        if (x >= 0) return x;
      }
      return 0;
    }
    case "lognormal": {
      const mean = need(d, "mean");
      const cv = need(d, "cv");
      const s2 = Math.log(1 + cv * cv);
      return Math.exp(Math.log(mean) - s2 / 2 + Math.sqrt(s2) * normal(rng));
    }
    case "gamma": {
      const mean = need(d, "mean");
      const cv = need(d, "cv");
      const shape = 1 / (cv * cv);
      return gammaShape(rng, shape) * (mean / shape);
    }
    case "erlang": {
      const k = need(d, "k");
      const mean = need(d, "mean");
      let s = 0;
      for (let i = 0; i < k; i++) s -= Math.log(1 - rng());
      return (s * mean) / k;
    }
    case "hyperexponential": {
      // Two balanced phases (each carries half the mean): p1/mu1 = p2/mu2.
      const mean = need(d, "mean");
      const cv = need(d, "cv");
      const c2 = cv * cv;
      const p1 = 0.5 * (1 + Math.sqrt((c2 - 1) / (c2 + 1)));
      const p = rng() < p1 ? p1 : 1 - p1;
      return (-Math.log(1 - rng()) * mean) / (2 * p);
    }
    case "pareto": {
      const L = need(d, "min");
      const H = need(d, "max");
      const a = need(d, "alpha");
      const u = rng();
      const La = Math.pow(L, a);
      const Ha = Math.pow(H, a);
      return Math.pow(-(u * Ha - u * La - Ha) / (Ha * La), -1 / a);
    }
    case "empirical": {
      const s = d.samples;
      if (!s || s.length === 0) throw new Error("empirical distribution needs samples");
      return s[Math.floor(rng() * s.length)]!;
    }
    default:
      throw new Error(`unknown distribution '${d.dist}'`);
  }
}

/** The mean of a distribution, for settings that can only take one number (replication delay). */
export function meanOf(d: DistLike): number {
  if (typeof d === "number") return d;
  switch (d.dist) {
    case "constant":
      return d.value ?? 0;
    case "uniform":
      return ((d.min ?? 0) + (d.max ?? 0)) / 2;
    case "empirical":
      return (d.samples ?? [0]).reduce((a, b) => a + b, 0) / Math.max(1, d.samples?.length ?? 1);
    case "pareto": {
      const L = d.min ?? 0, H = d.max ?? 0, a = d.alpha ?? 1;
      if (a === 1) return ((H * L) / (H - L)) * Math.log(H / L);
      return (Math.pow(L, a) / (1 - Math.pow(L / H, a))) * (a / (a - 1)) * (1 / Math.pow(L, a - 1) - 1 / Math.pow(H, a - 1));
    }
    default:
      return d.mean ?? 0;
  }
}
