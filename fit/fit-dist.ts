// Fits of exponential, lognormal and gamma to positive durations, each judged by the
// Kolmogorov-Smirnov distance D between the sample and the fitted CDF. Lognormal and gamma are
// fitted by their first two moments (the sample's mean and cv), which is all a scenario keeps of
// them ({ dist: gamma, mean, cv }) and what queueing waits depend on; maximum likelihood took the
// shape from mean(log x), which the constant a real stack adds to every time moves a long way: on
// 5 ms + Exp(80 ms) (what a database span of an injected 80 ms exponential wait measures on a
// loaded machine) gamma's likelihood gives cv 0.875 where the sample's cv is 0.94. The likelihood
// fits stay for the one test that needs them (below). The rule (stated in the report and in
// docs/fit.md): a family fits when D <= max(1.36 / sqrt(n), D_FLOOR), i.e. it is not rejected by
// the KS test at the 5% level (asymptotic critical value), or is within D_FLOOR of the sample
// everywhere, a tolerance for large samples where the test rejects differences far below what
// moves a capacity estimate. Exponential is kept when it fits and a likelihood-ratio test does not
// reject gamma's shape = 1 at 5%; otherwise the smallest D among the families that fit wins; when
// none fits, an empirical distribution (at most EMPIRICAL_POINTS quantiles of the sample) is used.
// Trades away the exactness of the test: the parameters are estimated from the same sample, which
// makes the plain KS critical value conservative (Lilliefors), so a fit is accepted somewhat too
// easily; and, for a sample that truly is lognormal or gamma, the efficiency of the likelihood
// (the sample cv wanders more, most for heavy tails: 3.5% of a gamma cv of 0.5 over 500 samples, against 3.0%).
import { erfc } from "../simulator/model/index.ts";
import { digamma, gammaP, logGamma, trigamma } from "./special.ts";

export type Family = "exponential" | "lognormal" | "gamma";
export const FAMILIES: ReadonlyArray<Family> = ["exponential", "lognormal", "gamma"];

/** Chi-square(1) at 5%: the likelihood-ratio test of gamma's shape against 1 (exponential). */
export const LR_CRITICAL = 3.841;
/** The KS tolerance for large samples (see the header). */
export const D_FLOOR = 0.05;
/** Empirical fallbacks keep at most this many quantiles (the scenario file stays small). */
export const EMPIRICAL_POINTS = 100;

export interface FamilyFit {
  readonly family: Family;
  /** Fitted mean and cv (sd / mean) of the distribution, in the sample's unit: the sample's own for lognormal and gamma. */
  readonly mean: number;
  readonly cv: number;
  /** Exponential: rate. Lognormal: mu, sigma of the log. Gamma: shape k, scale theta. */
  readonly params: Readonly<Record<string, number>>;
  /** At those parameters. */
  readonly logLikelihood: number;
  readonly ks: number;
  readonly fits: boolean;
}

export interface FitResult {
  readonly n: number;
  readonly sampleMean: number;
  readonly sampleCv: number;
  readonly critical: number;
  readonly families: ReadonlyArray<FamilyFit>;
  /** The chosen family, or "empirical" when none fits; "constant" for a sample with no spread. */
  readonly chosen: Family | "empirical" | "constant";
  /** Quantiles of the sample, for the empirical choice. */
  readonly empirical: ReadonlyArray<number>;
}

export function ksCritical(n: number): number {
  return Math.max(1.36 / Math.sqrt(n), D_FLOOR);
}

/** KS distance between the sorted sample and a CDF. */
export function ksDistance(sorted: ReadonlyArray<number>, cdf: (x: number) => number): number {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

export function fitExponential(xs: ReadonlyArray<number>): { rate: number; logLikelihood: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const rate = 1 / mean;
  return { rate, logLikelihood: xs.length * (Math.log(rate) - 1) };
}

export function fitLognormal(xs: ReadonlyArray<number>): { mu: number; sigma: number; logLikelihood: number } {
  const n = xs.length;
  let s = 0;
  for (const x of xs) s += Math.log(x);
  const mu = s / n;
  let v = 0;
  for (const x of xs) v += (Math.log(x) - mu) ** 2;
  const sigma = Math.sqrt(v / n); // the MLE (divides by n)
  const logLikelihood = -s - n * Math.log(sigma * Math.sqrt(2 * Math.PI)) - n / 2;
  return { mu, sigma, logLikelihood };
}

/** Gamma MLE: shape from log(k) - digamma(k) = log(mean) - mean(log x) by Newton, scale = mean / k. */
export function fitGamma(xs: ReadonlyArray<number>): { shape: number; scale: number; logLikelihood: number } {
  const n = xs.length;
  let sum = 0, sumLog = 0;
  for (const x of xs) {
    sum += x;
    sumLog += Math.log(x);
  }
  const mean = sum / n;
  const s = Math.log(mean) - sumLog / n;
  // Minka's starting point, then Newton on f(k) = log k - digamma(k) - s.
  let k = s > 0 ? (3 - s + Math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s) : 1e4;
  for (let i = 0; i < 100 && s > 0; i++) {
    const f = Math.log(k) - digamma(k) - s;
    const fp = 1 / k - trigamma(k);
    const next = k - f / fp;
    const kNew = next > 0 ? next : k / 2;
    if (Math.abs(kNew - k) < 1e-12 * k) {
      k = kNew;
      break;
    }
    k = kNew;
  }
  const scale = mean / k;
  const logLikelihood = (k - 1) * sumLog - sum / scale - n * (logGamma(k) + k * Math.log(scale));
  return { shape: k, scale, logLikelihood };
}

/** Gamma with the sample's mean and cv: shape 1 / cv^2, scale mean cv^2; its log-likelihood there. */
export function matchGamma(xs: ReadonlyArray<number>, mean: number, cv: number): { shape: number; scale: number; logLikelihood: number } {
  const shape = 1 / (cv * cv), scale = mean * cv * cv;
  let sum = 0, sumLog = 0;
  for (const x of xs) {
    sum += x;
    sumLog += Math.log(x);
  }
  return { shape, scale, logLikelihood: (shape - 1) * sumLog - sum / scale - xs.length * (logGamma(shape) + shape * Math.log(scale)) };
}

/** Lognormal with the sample's mean and cv: sigma^2 = log(1 + cv^2), mu = log(mean) - sigma^2 / 2; its log-likelihood there. */
export function matchLognormal(xs: ReadonlyArray<number>, mean: number, cv: number): { mu: number; sigma: number; logLikelihood: number } {
  const v = Math.log1p(cv * cv);
  const mu = Math.log(mean) - v / 2, sigma = Math.sqrt(v);
  let ll = 0;
  for (const x of xs) ll += -Math.log(x) - (Math.log(x) - mu) ** 2 / (2 * v);
  return { mu, sigma, logLikelihood: ll - xs.length * Math.log(sigma * Math.sqrt(2 * Math.PI)) };
}

const normalCdf = (z: number) => 0.5 * erfc(-z / Math.SQRT2);

/** Fits the three families to positive values and chooses by the KS rule in the header. */
export function fitDurations(values: ReadonlyArray<number>): FitResult {
  const n = values.length;
  if (n === 0) throw new Error("fitDurations: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const sampleMean = sorted.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(sorted.reduce((a, x) => a + (x - sampleMean) ** 2, 0) / Math.max(1, n - 1));
  const sampleCv = sampleMean > 0 ? sd / sampleMean : 0;
  const critical = ksCritical(n);
  const empirical = quantiles(sorted, EMPIRICAL_POINTS);
  // Zeros (a span fully covered by its children) have no likelihood under the three families.
  const positive = sorted.filter((x) => x > 0);
  // (zeros and one repeated value: two points, no spread among the positive ones to fit a shape to)
  if (positive.length < 2 || sorted[0] === sorted[n - 1] || positive[0] === positive[positive.length - 1]) {
    return { n, sampleMean, sampleCv, critical, families: [], chosen: sd === 0 ? "constant" : "empirical", empirical };
  }
  const pos = positive;
  const zeroMass = (n - pos.length) / n;
  const cdfWithZeros = (cdf: (x: number) => number) => (x: number) => zeroMass + (1 - zeroMass) * cdf(x);
  const families: FamilyFit[] = [];
  // the positive values' mean and cv (n - 1), what lognormal and gamma are given
  const pm = pos.reduce((a, b) => a + b, 0) / pos.length;
  const pcv = Math.sqrt(pos.reduce((a, x) => a + (x - pm) ** 2, 0) / (pos.length - 1)) / pm;
  const e = fitExponential(pos);
  const de = ksDistance(sorted, cdfWithZeros((x) => 1 - Math.exp(-e.rate * x)));
  families.push({ family: "exponential", mean: 1 / e.rate, cv: 1, params: { rate: e.rate }, logLikelihood: e.logLikelihood, ks: de, fits: de <= critical });
  const l = matchLognormal(pos, pm, pcv);
  const dl = ksDistance(sorted, cdfWithZeros((x) => (x > 0 ? normalCdf((Math.log(x) - l.mu) / l.sigma) : 0)));
  families.push({ family: "lognormal", mean: pm, cv: pcv, params: { mu: l.mu, sigma: l.sigma }, logLikelihood: l.logLikelihood, ks: dl, fits: dl <= critical });
  const g = matchGamma(pos, pm, pcv);
  const dg = ksDistance(sorted, cdfWithZeros((x) => gammaP(g.shape, x / g.scale)));
  families.push({ family: "gamma", mean: pm, cv: pcv, params: { shape: g.shape, scale: g.scale }, logLikelihood: g.logLikelihood, ks: dg, fits: dg <= critical });
  const ok = families.filter((f) => f.fits).sort((a, b) => a.ks - b.ks);
  // Exponential is gamma with shape 1: keep the simpler one unless the likelihood-ratio test (1
  // degree of freedom, 5%: 3.84; gamma at its maximum likelihood) says the shape differs from 1.
  const expFits = families[0]!.fits && 2 * (fitGamma(pos).logLikelihood - e.logLikelihood) < LR_CRITICAL;
  return { n, sampleMean, sampleCv, critical, families, chosen: expFits ? "exponential" : ok[0]?.family ?? "empirical", empirical };
}

/** `k` quantiles of a sorted sample at the mid-points (i + 0.5) / k; the whole sample when smaller. */
export function quantiles(sorted: ReadonlyArray<number>, k: number): number[] {
  if (sorted.length <= k) return [...sorted];
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push(sorted[Math.min(sorted.length - 1, Math.floor(((i + 0.5) / k) * sorted.length))]!);
  return out;
}

/** The chosen distribution's mean and cv (the sample's for empirical and constant). */
export function chosenMoments(r: FitResult): { mean: number; cv: number } {
  const f = r.families.find((x) => x.family === r.chosen);
  return f ? { mean: f.mean, cv: f.cv } : { mean: r.sampleMean, cv: r.sampleCv };
}
