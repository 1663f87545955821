// The callers of a service with `retries` or `circuit_breaker`, for the slowed-dependency
// validation: the model puts those policies on whoever calls the service, and when a class calls
// the balancer directly that is the users, so the load itself must time out, retry and break the
// circuit. k6 scripts cannot (no resilience library, no shared breaker across VUs), so this driver
// sends the open load from Node: Poisson arrivals at the scenario's rate profile (the simulator's
// RateProfile, thinned at its peak; seeded stream `driver:arrivals`), each a call through one
// ResilientCaller (reference-app/service/resilience.ts). It counts what the model counts in the
// statistics window. The calls go through a CallSite: this process's own ResilientCaller
// (callerSite), or plain requests to the app's resilience gateway, which runs the same caller for
// all users in front of the entry (gatewaySite, reference-app/gateway/gateway.ts).
// Trade-off: one process and one event loop send and time everything, so a
// starved loop delays arrivals and timers alike; the report prints the load average beside it.
import type { OpenLoad } from "../simulator/model/index.ts";
import { RateProfile, Rng } from "../simulator/random.ts";
import type { ResilientCaller, ResilienceCounts } from "../reference-app/service/resilience.ts";
import type { BreakerChange } from "../reference-app/service/window-breaker.ts";
import type { GatewaySnapshot } from "../reference-app/gateway/gateway.ts";
import type { ResilienceSide } from "./resilience-rows.ts";

/** Where the driver's calls go and how their counts are read. */
export interface CallSite {
  /** One user's call: resolves on a 2xx, rejects otherwise. */
  call(url: string): Promise<void>;
  counts(): Promise<ResilienceCounts>;
  /** The breaker's changes so far; undefined without a breaker. */
  breakerChanges(): Promise<readonly BreakerChange[] | undefined>;
}

/** This process's own ResilientCaller around each request. */
export function callerSite(caller: ResilientCaller): CallSite {
  return {
    call: (url) => caller.call(() => get(url)),
    counts: async () => caller.counts(),
    breakerChanges: async () => caller.breaker?.changes,
  };
}

/** Plain requests to the app's resilience gateway (its url is the app's entry); counts from its /_headroom/gateway. */
export function gatewaySite(gatewayUrl: string): CallSite {
  const snap = async () => (await (await fetch(`${gatewayUrl}/_headroom/gateway`, { signal: AbortSignal.timeout(5000) })).json()) as GatewaySnapshot;
  return {
    call: get,
    counts: async () => (await snap()).counts,
    breakerChanges: async () => (await snap()).breaker?.changes as readonly BreakerChange[] | undefined,
  };
}

export interface DriveResilientOptions {
  readonly load: OpenLoad;
  readonly seed: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly site: CallSite;
  /** The URL of the i-th request (its key drawn by the caller of this function). */
  readonly urlFor: (rng: Rng) => string;
  /** Upper bound on waiting for calls still out after the load ends (ms). */
  readonly drainMs: number;
  readonly signal?: AbortSignal;
}

export interface DrivenResilient {
  /** The window's counts, the simulator's definitions. */
  readonly side: ResilienceSide;
  /** Date.now() of the first arrival (the simulator's t = 0). */
  readonly startMs: number;
  /** Seconds the breaker spent open inside the window (side.openShare is it over the window's length). */
  readonly openS: number;
  /** Calls still out when the drain ended (counted neither ended nor failed). */
  readonly leftOut: number;
}

/** One answer per attempt: a 2xx is a success, anything else (or no answer) a failure, as the model fails any reason. */
async function get(url: string): Promise<void> {
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}`);
}

export async function driveResilient(o: DriveResilientOptions): Promise<DrivenResilient> {
  const profile = new RateProfile(o.load);
  const peak = Math.max(...profile.maxRate);
  if (!(peak > 0) || !Number.isFinite(peak)) throw new Error(`load: no positive finite peak rate (${peak})`);
  const arrivals = new Rng(o.seed, 0, "driver:arrivals");
  const keys = new Rng(o.seed, 0, "driver:keys");
  const startMs = Date.now();
  const w0 = startMs + o.warmupS * 1000, w1 = startMs + o.durationS * 1000;
  let at0: ResilienceCounts | undefined, at1: ResilienceCounts | undefined;
  let ended = 0, failed = 0, out = 0;
  // asked at the window's edges (a gateway's answer takes a moment; the calls go on meanwhile)
  let asked0: Promise<void> | undefined, asked1: Promise<void> | undefined;
  const snap0 = setTimeout(() => { asked0 = o.site.counts().then((c) => { at0 = c; }); }, w0 - startMs);
  const snap1 = setTimeout(() => { asked1 = o.site.counts().then((c) => { at1 = c; }); }, w1 - startMs);
  let drained: () => void = () => {};
  const send = () => {
    out++;
    o.site.call(o.urlFor(keys)).then(() => false, () => true).then((bad) => {
      out--;
      const now = Date.now();
      if (now >= w0 && now < w1) { ended++; if (bad) failed++; }
      if (out === 0) drained();
    });
  };
  try {
    let t = 0;
    for (;;) {
      t += -Math.log(arrivals.next()) / peak;
      if (t >= o.durationS) break;
      if (arrivals.next() * peak >= profile.rateAt(t)) continue;
      const wait = startMs + t * 1000 - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      if (o.signal?.aborted) break;
      send();
    }
    const rest = w1 - Date.now();
    if (rest > 0 && !o.signal?.aborted) await new Promise((r) => setTimeout(r, rest));
    await asked0;
    await asked1;
    at1 ??= await o.site.counts();
    if (out > 0) await new Promise<void>((r) => { drained = r; setTimeout(r, o.drainMs).unref(); });
  } finally {
    clearTimeout(snap0);
    clearTimeout(snap1);
  }
  const a = at0 ?? { calls: 0, retries: 0, shortCircuited: 0, breakerOpened: 0 };
  const b = at1!;
  const changes = await o.site.breakerChanges();
  let openS = 0;
  if (changes) {
    let openedAt: number | undefined;
    for (const c of changes) {
      if (c.state === "open") openedAt = c.t;
      else if (openedAt !== undefined) { openS += overlap(openedAt, c.t, w0, w1); openedAt = undefined; }
    }
    if (openedAt !== undefined) openS += overlap(openedAt, Date.now(), w0, w1);
  }
  return {
    side: {
      calls: b.calls - a.calls, retries: b.retries - a.retries, shortCircuited: b.shortCircuited - a.shortCircuited,
      ended, failed, breakerOpened: b.breakerOpened - a.breakerOpened,
      openShare: changes ? openS / ((w1 - w0) / 1000) : NaN,
    },
    startMs, openS, leftOut: out,
  };
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0)) / 1000;
}
