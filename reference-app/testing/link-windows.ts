// The measurement window the link comparisons share (../bandwidth-link.e2e.test.ts,
// ../links-beyond-entry.e2e.test.ts): an open Poisson load on loopback, its window cut into
// batches at whose boundaries the link relay's figures are taken, and the batch means with their
// 95% half-width (transfers overlap, so requests are not independent; batches nearly are).
// Test support only.
import type { Rng } from "../../simulator/random.ts";

export interface Window {
  readonly rate: number;
  readonly warmupS: number;
  readonly loadS: number;
  readonly batches: number;
}

/**
 * Sends Poisson arrivals at w.rate for w.loadS seconds (`rng` draws the gaps, then `send` draws
 * what it needs from the same stream, so a seed fixes the whole load) whether or not the earlier
 * ones answered; calls `boundary(i)` at each of the batches + 1 boundaries of the window
 * [warmupS, loadS] (i = 0: it opens). Resolves with the window's start (performance.now(), ms)
 * once every request and boundary call settled.
 */
export async function poissonWindow(w: Window, rng: Rng, send: () => Promise<void>, boundary: (i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  const windowStart = t0 + w.warmupS * 1000;
  const inflight: Promise<void>[] = [];
  const boundaries = Array.from({ length: w.batches + 1 }, (_, i) => windowStart + (i * (w.loadS - w.warmupS) * 1000) / w.batches);
  let next = 0;
  let at = t0;
  while (at < t0 + w.loadS * 1000) {
    at += (-Math.log(1 - rng.next()) / w.rate) * 1000;
    const wait = at - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    while (next < boundaries.length && performance.now() >= boundaries[next]!) inflight.push(boundary(next++));
    inflight.push(send());
  }
  while (next < boundaries.length) inflight.push(boundary(next++));
  await Promise.all(inflight);
  return windowStart;
}

/** t(0.975) for 7 degrees of freedom (8 batches). */
export const T_975_7 = 2.365;

/** The mean over the window's batches of f(the batch's requests, by start), and its 95% half-width (t for batches - 1 degrees of freedom). */
export function batchMeans<T extends { readonly start: number }>(done: readonly T[], windowStart: number, w: Window, t975: number, f: (xs: T[]) => number): { mean: number; hw: number; batches: number[] } {
  const span = ((w.loadS - w.warmupS) * 1000) / w.batches;
  const batches: number[] = [];
  for (let b = 0; b < w.batches; b++) {
    const lo = windowStart + b * span;
    batches.push(f(done.filter((d) => d.start >= lo && d.start < lo + span)));
  }
  const mean = batches.reduce((a, x) => a + x, 0) / w.batches;
  const sd = Math.sqrt(batches.reduce((a, x) => a + (x - mean) ** 2, 0) / (w.batches - 1));
  return { mean, hw: (t975 * sd) / Math.sqrt(w.batches), batches };
}
