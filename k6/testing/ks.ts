// The Kolmogorov-Smirnov distance of a sample to the Exp(1) distribution, shared by the tests that
// check Poisson gaps (the realization itself, and the arrivals a bundled script's options start).
/** KS distance between the sample and the Exp(1) CDF. */
export function ksExp1(xs: ReadonlyArray<number>): number {
  const s = [...xs].sort((a, b) => a - b);
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const f = 1 - Math.exp(-s[i]);
    d = Math.max(d, Math.abs(f - i / s.length), Math.abs((i + 1) / s.length - f));
  }
  return d;
}
