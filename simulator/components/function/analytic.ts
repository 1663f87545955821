// A function's analytic form: its invocation slots (max_instances x concurrency) as a loss system
// (on_throttle: reject; Erlang B) or a queue (on_throttle: queue; Erlang C), and the share of
// invocations that start cold from the busy-slot count N as a birth-death process (arrivals at the
// invocation rate, each slot freed at 1 / holding time).
//
// Which invocations start cold: instances are reused most recently used first and one is
// reclaimed after idle_timeout T without work, so an instance is alive at t exactly when N has
// reached its level (its rank x concurrency) within [t - T, t]. An arrival finding N = n is then
// cold when n is a multiple of the concurrency, beyond the provisioned instances, and N has not
// been above n in the last T. By time reversal (the birth-death chain is reversible), that is the
// chance that N, started at n, does not reach n + 1 within T: the first passage from n to n + 1,
// whose mean is sum_{j<=n} pi_j / (lambda pi_n), taken as exponential. At n = 0 this is exact
// (e^{-lambda T}, the single-instance result); higher up it is an approximation that holds when
// the passage is rare (the usual case: T of minutes against invocations of milliseconds). It
// ignores that an invocation may join an instance still starting (concurrency > 1) and that cold
// starts are not exponential; the holding time includes the cold starts' share, solved to a fixed
// point. With `boot_capacity` c the mean start is the starts' own birth-death chain's time in
// system (starts arriving at the cold invocations' rate, k in progress ending at min(k, c) / the
// mean cold_start, at most max_instances at once): processor sharing over c, whose mean is
// insensitive to the start's distribution; exact when every invocation starts cold and concurrency
// is 1 (components/function-boots-theory.test.ts), an upper bound on the starts' rate otherwise
// (invocations joining a starting instance start none).
import type { FunctionComponent } from "../../model/schema.ts";
import { meanOf } from "../../model/dist-moments.ts";
import { GB } from "./compile.ts";

export interface FunctionAnalytic {
  /** Invocations per second offered and admitted (the rest throttled). */
  readonly offered: number;
  readonly admitted: number;
  /** Share of offered invocations refused (reject) or made to wait (queue). */
  readonly throttled: number;
  readonly coldStartShare: number;
  /** Mean seconds an invocation holds its slot: handler plus the cold starts' share. */
  readonly holding: number;
  /** Mean busy slots, and instances active (starting or working), a lower bound with concurrency > 1. */
  readonly busySlots: number;
  readonly activeInstances: number;
  /** GB-seconds billed per second. */
  readonly gbSecondsPerSecond: number;
}

/** Stationary distribution of busy slots: M/M/K/K (reject) or M/M/K truncated far in the queue. */
function busyDistribution(lambda: number, hold: number, slots: number, queue: boolean): Float64Array {
  const a = lambda * hold;
  // Past K the queue's states carry no cold start; enough of them for the tail when a < K.
  // Above a + 40 sqrt(a) the Poisson-like tail holds no mass worth a state (K may be 10^10).
  const tail = Math.ceil(a + 40 * Math.sqrt(a + 1) + 100);
  const top = Math.min(queue ? slots + Math.max(50, Math.ceil(20 * Math.sqrt(a + 1))) : slots, Math.max(tail, 1));
  const pi = new Float64Array(top + 1);
  // Built in logs and normalised by the largest term: K up to 10^7 without overflow.
  let maxLog = -Infinity;
  const logs = new Float64Array(top + 1);
  for (let n = 1; n <= top; n++) {
    const servers = Math.min(n, slots);
    logs[n] = logs[n - 1] + Math.log(a) - Math.log(servers);
    if (logs[n] > maxLog) maxLog = logs[n];
  }
  if (maxLog < 0) maxLog = 0;
  let sum = 0;
  for (let n = 0; n <= top; n++) { pi[n] = Math.exp(logs[n] - maxLog); sum += pi[n]; }
  for (let n = 0; n <= top; n++) pi[n] /= sum;
  return pi;
}

/** Share of admitted invocations that start cold, with each holding its slot `hold` seconds on average. */
export function coldShareAt(c: FunctionComponent, lambda: number, hold: number): { cold: number; throttled: number; busy: number } {
  if (lambda <= 0) return { cold: 0, throttled: 0, busy: 0 };
  const K = c.max_instances * c.concurrency;
  const queue = c.on_throttle === "queue";
  const pi = busyDistribution(lambda, Math.max(hold, 1e-12), K, queue);
  let below = 0, cold = 0, cum = 0, busy = 0;
  for (let n = 0; n < pi.length; n++) {
    cum += pi[n];
    busy += Math.min(n, K) * pi[n];
    if (n >= K) continue;
    below += pi[n];
    if (n % c.concurrency !== 0 || n / c.concurrency < c.provisioned) continue;
    // first passage n -> n+1: mean sum_{j<=n} pi_j / (lambda pi_n)
    const mean = cum / (lambda * pi[n]);
    cold += pi[n] * Math.exp(-c.idle_timeout / mean);
  }
  // Arrivals finding every slot taken are throttled (reject) or wait and start on a warm instance.
  const admitted = queue ? 1 : below;
  return { cold: admitted > 0 ? cold / admitted : 0, throttled: 1 - below, busy };
}

/**
 * Mean time in system of shared starts (boot_capacity `c`): starts arriving at `rate`, k in
 * progress ending at min(k, c) / w, at most `top` at once (arrivals beyond are lost to it). By
 * Little, the mean in progress over the rate admitted. Built in logs: no overflow past c.
 */
export function sharedStartMean(c: number, rate: number, w: number, top: number): number {
  if (!(rate > 0)) return w;
  const logs = new Float64Array(top + 1);
  let maxLog = 0;
  for (let k = 1; k <= top; k++) {
    logs[k] = logs[k - 1] + Math.log(rate * w) - Math.log(Math.min(k, c));
    if (logs[k] > maxLog) maxLog = logs[k];
  }
  let sum = 0, mean = 0;
  for (let k = 0; k <= top; k++) {
    const p = Math.exp(logs[k] - maxLog);
    sum += p;
    mean += k * p;
  }
  const full = Math.exp(logs[top] - maxLog) / sum;
  return mean / sum / (rate * (1 - full));
}

/** The function's analytic figures at `lambda` invocations per second whose handler takes `handler` seconds on average. */
export function functionAnalytic(c: FunctionComponent, lambda: number, handler: number): FunctionAnalytic {
  const coldMean = meanOf(c.cold_start);
  let cold = 0, hold = handler, r = coldShareAt(c, lambda, hold);
  for (let i = 0; i < 50; i++) {
    r = coldShareAt(c, lambda, hold);
    const starts = (c.on_throttle === "queue" ? lambda : lambda * (1 - r.throttled)) * r.cold;
    const startMean = c.boot_capacity === undefined ? coldMean : sharedStartMean(c.boot_capacity, starts, coldMean, c.max_instances);
    const next = handler + r.cold * startMean;
    const done = Math.abs(next - hold) <= 1e-9 * Math.max(hold, 1e-9) && Math.abs(r.cold - cold) < 1e-9;
    cold = r.cold;
    hold = next;
    if (done) break;
  }
  const admitted = c.on_throttle === "queue" ? lambda : lambda * (1 - r.throttled);
  const busySlots = admitted * hold;
  const activeInstances = Math.max(busySlots / c.concurrency, 0);
  return {
    offered: lambda, admitted, throttled: r.throttled, coldStartShare: cold, holding: hold, busySlots, activeInstances,
    gbSecondsPerSecond: activeInstances * (c.memory / GB),
  };
}
