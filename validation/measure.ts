// One measured level: start the reference app from the scenario, drive it with the scenario's k6
// script at the level's rate, scrape every process's /metrics and the collector while it runs,
// inject the scenario's scheduled replica crashes through the app's faults, and stop everything
// (also on failure or abort). Returns the raw figures the comparison needs, for the window after warm-up.
import type { Scenario } from "../simulator/index.ts";
import { startAppPromise, type RunningApp } from "../reference-app/launcher.ts";
import type { WindowClassStats } from "./k6-window.ts";
import { addScrapes, sumMetrics } from "../reference-app/prom.ts";
import type { GeneratorHealth } from "./starvation.ts";
import { driveLoad, MeasureError } from "./drive-load.ts";
import type { MeasuredInterval } from "../k6/ingest/intervals.ts";
import { haproxyPid, processCpu } from "../reference-app/process-cpu.ts";
import { followFailures } from "../reference-app/fault-schedule.ts";
import { haproxyBytes, type HaproxyBytes } from "../reference-app/parts/haproxy.ts";
import { classHasPayload } from "../simulator/model/index.ts";
import type { LinkReport } from "../reference-app/parts/link-relay.ts";

/** The balancer's `tls` (its CPUs), when it terminates TLS. */
function tlsOf(s: Scenario, lb: string): { cpus: number } | undefined {
  const c = s.components[lb];
  return c?.kind === "load_balancer" && c.tls ? c.tls : undefined;
}

export { MeasureError };

export interface Measured {
  engine: string;
  requestsTotal: number;
  classes: Record<string, WindowClassStats>;
  /** With regions: each region's users' requests over the window, every class (the load's `region` tag). */
  regions?: Record<string, WindowClassStats>;
  /** arrivals the schedule held for the window and those the generator dropped (see WindowStats.arrivals) */
  arrivals?: { scheduled: number; dropped: number };
  /** per service component: mean busy share of slots over the window */
  utilization?: number;
  /**
   * With several services, each one's own figures from its replicas' /metrics over the window:
   * the time-average busy share of its slots and the requests it answered per second.
   */
  services?: Record<string, { utilization?: number; throughput: number }>;
  /** The balancer the collector reads (the one clients enter through): balancerQueue is its, and no other's. */
  balancerName?: string;
  /**
   * A CDN (with regions: the edge relay and nginx in front of each region's geo router): its
   * lookups per second (the load's requests of the classes served through it, answered in the
   * window) and its origin fetches per second (those classes' requests the services answered,
   * each replica's counter as Prometheus' increase()); validation/cdn-rows.ts compares them.
   */
  cdn?: { name: string; lookupsPerSecond: number; lookups: number; originPerSecond: number; originFetches: number };
  /** A sharded database's queries per second per shard over the window (all its servers), by shard index. */
  shards?: number[];
  cacheHitRatio?: number;
  /**
   * With several caches: each one's hit ratio and gets over the window, from its calling services'
   * replicas (their headroom_cache_hits_total and _misses_total, each replica's counter as
   * Prometheus' increase()); a cache no service calls has none. cacheHitRatio is then left out.
   */
  cacheHitRatios?: Record<string, { ratio: number; gets: number }>;
  /** the gets the hit ratio is counted over (hits + misses in the window) */
  cacheGets?: number;
  poolWaitMs?: number;
  asyncLatencyMs?: number;
  queueBacklog?: number;
  /** per partitioned queue: the mean depth of each partition over the window (collector samples) */
  partitionDepth?: Record<string, number[]>;
  balancerQueue?: number;
  /**
   * A balancer that terminates TLS (the entry's `tls`): HAProxy's CPU over the window from the
   * scheduler's accounting, per request the replicas answered in it and as the share of its CPUs
   * busy (the model's `<lb>.tls` part; calibration fits `tls.handshake` from the first).
   */
  balancerCpu?: { perRequestMs: number; utilization: number };
  /**
   * Scenarios with payloads: the entry balancer's bytes per second over the window from HAProxy's
   * counters, as the model counts a balancer's: in = from the clients + from the servers, out = to
   * the servers + to the clients (HTTP heads included, which the model does not count).
   */
  balancerBytes?: { inPerSecond: number; outPerSecond: number };
  /**
   * Scenarios with `bandwidth`: each link's figures over the window from the link relay's own
   * counters (reference-app/parts/link-relay.ts), by link (component) name; validation/link-rows.ts
   * compares them with the model's link.
   */
  links?: Record<string, LinkWindow>;
  replicationLagMs?: number;
  /** queues' consumers: mean Σ headroom_worker_busy / Σ workers of the scenario's queues over the window */
  workerUtilization?: number;
  /**
   * Per queue, its consumers' busy share over the window as the capacity search reads it: the mean
   * over its workers, but for a partitioned queue (one worker per partition) the busiest
   * partition's, which saturates first while the others idle (the simulator's rule too).
   */
  queueWorkerUtilization?: Record<string, number>;
  /** messages the queues' backlog grew by from the window's first collector sample to its last */
  backlogGrowth?: number;
  /**
   * Against a system Headroom did not start (validate --target): per component, per `metrics:` key
   * (utilization, hit_ratio, ...), the value Prometheus gave, null when the query selected no
   * series, or a string saying why it was not asked (no --prometheus). Absent for the reference app.
   */
  components?: ComponentMeasurements;
  scrapes: number;
  /**
   * Per-hop means from the services' own metrics over the window (calibration at load reads them):
   * time from arrival at a replica to its answer, per class; and per kind of outgoing call
   * (cache, database, queue) its mean time as the service sees it and its rate.
   */
  hops?: {
    serviceMs: Record<string, { meanMs: number; count: number }>;
    /** mean slot-time per request answered: Δheadroom_slots_busy_seconds / Δrequests timed at the replicas */
    holdMs?: number;
    /** buckets: the calls' histogram over the window, [upper bound ms, cumulative count] (the queue's publishes) */
    calls: Record<string, { meanMs: number; perSecond: number; buckets?: Array<[number, number]> }>;
  };
  /**
   * With several services, the same per-hop means from each service's own replicas (calibration
   * with regions reads them: each region's services call their own and other regions' stores).
   */
  hopsByService?: Record<string, NonNullable<Measured["hops"]>>;
  /** the load generator's event-loop lag, load average and CPU steal while the load ran */
  generator: GeneratorHealth;
}

/** One link over a window: the relay's counters' differences (LinkReport's cumulative fields). */
export interface LinkWindow {
  /** The window's length on the relay's clock. */
  seconds: number;
  busySeconds: number;
  messages: number;
  bodyBytes: number;
  bodySquares: number;
  headBytes: number;
  /** Seconds the relay released transfers past their moment, summed (each late release held the link that much longer). */
  lateSeconds: number;
  /** Transfers completed, and their times on the link summed (processor-sharing time, late releases apart): the realized time on the link. */
  transfers: number;
  transferSeconds: number;
  /** Messages that waited behind an earlier message of their own connection and direction, and the seconds they waited (LinkReport.behind). */
  behind: number;
  behindSeconds: number;
}

/** Each link's window between two of the relay's reports (the same links, in the same order). */
export function linkWindows(a: readonly LinkReport[], b: readonly LinkReport[]): Record<string, LinkWindow> {
  return Object.fromEntries(b.map((y, i) => {
    const x = a[i]!;
    return [y.name, { seconds: y.seconds - x.seconds, busySeconds: y.busySeconds - x.busySeconds, messages: y.messages - x.messages, bodyBytes: y.bodyBytes - x.bodyBytes, bodySquares: y.bodySquares - x.bodySquares, headBytes: y.headBytes - x.headBytes, lateSeconds: (y.meanLateMs * y.transfers - x.meanLateMs * x.transfers) / 1000, transfers: y.transfers - x.transfers, transferSeconds: (y.meanTransferMs * y.transfers - x.meanTransferMs * x.transfers) / 1000, behind: y.behind - x.behind, behindSeconds: y.behindSeconds - x.behindSeconds }];
  }));
}

export type ComponentMeasurements = Record<string, Record<string, number | null | string>>;

interface Scrape {
  t: number;
  m: Map<string, number>;
  /** HAProxy's CPU time so far (ms) when its entry balancer terminates TLS */
  lbCpuMs?: number;
  /** each worker's headroom_worker_busy in this scrape, in app.workers' order (NaN: no answer) */
  workerBusy?: number[];
  /** the entry HAProxy's byte counters (scenarios with payloads) */
  lbBytes?: HaproxyBytes;
  /** the link relay's cumulative figures (scenarios with `bandwidth`) */
  links?: LinkReport[];
  /** each service replica's answered requests of the classes served through the CDN, in app.serviceMetricsUrls' order */
  cdnOrigin?: Map<string, number>[];
}

/** Each URL's metrics summed over its series, in the URLs' order (empty for no answer). */
async function scrapeEach(urls: readonly string[]): Promise<Map<string, number>[]> {
  const texts = await Promise.all(
    urls.map(async (u) => {
      try {
        const r = await fetch(u, { signal: AbortSignal.timeout(2000) });
        return r.ok ? await r.text() : "";
      } catch {
        return ""; // a killed replica: it contributes nothing to this scrape
      }
    }),
  );
  return texts.map(sumMetrics);
}

/**
 * Per queue of the scenario with workers scraped: the mean busy share of each of its workers over
 * the scrapes, then the mean over its workers, or the busiest one's for a partitioned queue.
 */
export function queueUtilization(scenario: Scenario, workers: readonly { readonly queue: string }[], scrapes: readonly Pick<Scrape, "workerBusy">[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, c] of Object.entries(scenario.components)) {
    if (c.kind !== "queue") continue;
    const shares: number[] = [];
    workers.forEach((w, i) => {
      if (w.queue !== name) return;
      const xs = scrapes.map((s) => s.workerBusy?.[i]).filter((x): x is number => x !== undefined && Number.isFinite(x));
      if (xs.length) shares.push(Math.min(1, xs.reduce((a, b) => a + b, 0) / xs.length));
    });
    if (!shares.length) continue;
    out[name] = c.partitions !== undefined && c.partitions > 1 ? Math.max(...shares) : shares.reduce((a, b) => a + b, 0) / shares.length;
  }
  return out;
}

/**
 * A counter's increase over consecutive scrapes of each replica (scrapes[i][r]: replica r at scrape
 * i), as Prometheus' increase(): a value under the one before is a restart from 0 (a replica killed
 * and started again, as a region outage does; a killed one reads as absent, 0), so it counts whole.
 */
export function counterIncrease(scrapes: readonly (readonly Map<string, number>[])[], key: string): number {
  let sum = 0;
  for (let i = 1; i < scrapes.length; i++) {
    const a = scrapes[i - 1]!, b = scrapes[i]!;
    for (let r = 0; r < b.length; r++) {
      const x = a[r]?.get(key) ?? 0, y = b[r]!.get(key) ?? 0;
      sum += y >= x ? y - x : y;
    }
  }
  return sum;
}

const delta = (a: Scrape, b: Scrape, k: string) => (b.m.get(k) ?? 0) - (a.m.get(k) ?? 0);
const deltaOf = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>, k: string) => (b.get(k) ?? 0) - (a.get(k) ?? 0);

/** A histogram's cumulative buckets over the window, by upper bound in ms (+Inf left out). */
function bucketsOf(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>, prefix: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const k of b.keys()) {
    if (!k.startsWith(prefix)) continue;
    const le = Number(k.slice(prefix.length, -1));
    if (Number.isFinite(le)) out.push([le * 1000, deltaOf(a, b, k)]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/**
 * The per-hop means between two scrapes' summed metrics (Measured.hops): each class's time at the
 * replicas, the slot time per request, each kind of outgoing call's mean and rate (the queue's
 * publishes with their histogram). A replica restarted between the two scrapes would count wrong:
 * calibration runs the healthy system.
 */
export function hopsBetween(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>, spanS: number, classes: readonly string[]): NonNullable<Measured["hops"]> {
  const hops: NonNullable<Measured["hops"]> = { serviceMs: {}, calls: {} };
  for (const cls of classes) {
    const n = deltaOf(a, b, `headroom_http_request_duration_seconds_count{class=${cls}}`);
    if (n > 0) hops.serviceMs[cls] = { meanMs: (deltaOf(a, b, `headroom_http_request_duration_seconds_sum{class=${cls}}`) / n) * 1000, count: n };
  }
  const answered = Object.values(hops.serviceMs).reduce((x, h) => x + h.count, 0);
  const slotSeconds = deltaOf(a, b, "headroom_slots_busy_seconds");
  if (answered > 0 && slotSeconds > 0) hops.holdMs = (slotSeconds / answered) * 1000;
  for (const kind of ["cache", "database", "queue"]) {
    const n = deltaOf(a, b, `headroom_call_seconds_count{kind=${kind}}`);
    if (n > 0 && spanS > 0) hops.calls[kind] = { meanMs: (deltaOf(a, b, `headroom_call_seconds_sum{kind=${kind}}`) / n) * 1000, perSecond: n / spanS };
    if (n > 0 && spanS > 0 && kind === "queue") hops.calls[kind].buckets = bucketsOf(a, b, `headroom_call_seconds_bucket{kind=${kind},le=`);
  }
  return hops;
}

export interface MeasureOptions {
  scenario: Scenario;
  file: string;
  outDir: string;
  durationS: number;
  warmupS: number;
  signal?: AbortSignal;
  log?: (s: string) => void;
  /** bound on the generator's p99 event-loop lag (ms) beyond which the level is unreliable */
  maxLagMs?: number;
  /** each measured second of the level's load as it completes (validate --dashboard; the harness's onInterval) */
  onInterval?: (iv: MeasuredInterval) => void;
}

export async function measureLevel(o: MeasureOptions): Promise<Measured> {
  const log = o.log ?? (() => {});
  // `app up` starts a realtime component, but this harness drives the request classes only: a run
  // without the sessions of load.connections would be compared with a model that has them.
  const realtime = Object.entries(o.scenario.components).find(([, c]) => c.kind === "realtime");
  if (realtime) {
    throw new MeasureError(`${o.file}: components.${realtime[0]}: validate does not drive load.connections against the reference app yet (reference-app/realtime/realtime-app.e2e.test.ts compares a realtime component with its own driver)`);
  }
  // Several caches (a Redis each, e.g. a region's own): each one's hit ratio from the services that
  // call it (a process holds one cache connection: reference-app/plan.ts), read per service below.
  const caches = Object.entries(o.scenario.components).filter(([, c]) => c.kind === "cache").map(([n]) => n);
  let started: { app: RunningApp; stop: () => Promise<void> };
  // With regions each region's users enter through their own geo router (RunningApp.regions.originUrls;
  // the k6 script draws each request's region by the load's shares), and a class served through a
  // CDN at the edge's server of their region (RunningApp.regions.cdnUrls: the edge relay, which
  // waits the model's edge_latency, then nginx). Without regions a CDN's classes go to its edge (RunningApp.cdnUrl: the edge relay, then nginx), the others to the entry.
  try {
    started = await startAppPromise(o.scenario, { file: o.file });
  } catch (e) {
    throw new MeasureError(`${o.file}: the reference app did not start: ${(e as Error).message}`);
  }
  const { app, stop } = started;
  let cancelFaults = () => {};
  const scrapes: Scrape[] = [];
  // With several services, each one's replicas are also scraped on their own (per-service rows).
  const tiers = Object.keys(app.serviceMetricsUrls).length > 1 ? Object.entries(app.serviceMetricsUrls) : [];
  const tierScrapes: Array<{ t: number; m: Map<string, Map<string, number>>; each: Map<string, Map<string, number>[]> }> = [];
  const samples: Array<{ t: number; queued: number | null; backlog: number | null; lagS: number | null; partitions: Record<string, readonly number[]> }> = [];
  let sampling = true;
  // where each worker's /metrics sits in app.metricsUrls (its busy gauge is read per worker)
  const workerAt = app.workers.map((w) => app.metricsUrls.indexOf(`${w.url}/metrics`));
  // the classes the CDN serves (with regions: their requests enter at the edge), whose origin fetches the services count
  // (without regions, at the edge's URL: the edge relay, then nginx in front of the balancer)
  const cdnName = app.regions?.cdnUrls || app.cdnUrl ? app.plan.cdn?.name : undefined;
  const cdnClasses = cdnName ? app.plan.classes.filter((c) => c.via === "cdn").map((c) => `headroom_http_requests_total{class=${c.name}}`) : [];
  // every service's replicas (app.metricsUrls holds the entry service's and the workers' only): a miss may reach any region's API
  const originUrls = cdnClasses.length ? Object.values(app.serviceMetricsUrls).flat() : [];
  try {
    // HAProxy's process when it terminates TLS: its CPU per request is the model's TLS cost
    const lbPid = app.plan.lb?.tls && app.haproxyStatsSocket ? await haproxyPid(app.haproxyStatsSocket) : 0;
    // with payloads, the entry balancer's byte counters are the measured bytes/s
    const bytesSocket = Object.values(o.scenario.load.classes).some(classHasPayload) && app.plan.lb ? app.haproxyStatsSocket : undefined;
    log(`  app up (${app.url}); load for ${o.durationS}s`);
    const scraper = (async () => {
      while (sampling) {
        const t = Date.now();
        const each = await scrapeEach(app.metricsUrls);
        const lbBytes = bytesSocket ? await haproxyBytes(bytesSocket).catch(() => undefined) : undefined;
        const links = app.links ? await app.links.report().catch(() => undefined) : undefined;
        const cdnOrigin = originUrls.length ? (await scrapeEach(originUrls)).map((x) => new Map(cdnClasses.map((k) => [k, x.get(k) ?? 0]))) : undefined;
        scrapes.push({ t, m: addScrapes(each), ...(cdnOrigin ? { cdnOrigin } : {}), workerBusy: workerAt.map((i) => (i >= 0 ? (each[i]!.get("headroom_worker_busy") ?? NaN) : NaN)), ...(lbPid ? { lbCpuMs: processCpu(lbPid).runMs } : {}), ...(lbBytes ? { lbBytes } : {}), ...(links ? { links } : {}) });
        if (tiers.length) {
          const each = new Map(await Promise.all(tiers.map(async ([n, urls]) => [n, await scrapeEach(urls)] as const)));
          tierScrapes.push({ t, m: new Map([...each].map(([n, xs]) => [n, addScrapes(xs)])), each });
        }
        if (scrapes.length % 4 === 0) {
          try {
            const s = await app.sample();
            const q = s.queues ? Object.values(s.queues).filter((x) => x) : [];
            const lags = (s.replication ?? []).map((r) => r.replay_lag_s).filter((x): x is number => x !== null);
            samples.push({
              t,
              queued: s.lb ? s.lb.queued : null,
              backlog: q.length ? q.reduce((a, x) => a + x!.depth, 0) : null,
              lagS: lags.length ? lags.reduce((a, b) => a + b, 0) / lags.length : null,
              partitions: Object.fromEntries(Object.entries(s.queues ?? {}).flatMap(([n, x]) => (x?.partitions ? [[n, x.partitions]] : []))),
            });
          } catch {
            // the collector could not read a part this time; the next sample will
          }
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 250 - (Date.now() - t))));
      }
    })();
    if ((o.scenario.failures ?? []).some((f) => !("crash" in f) && !("region" in f))) throw new MeasureError(`${o.file}: failures: only 'crash' of the service and region outages can be injected in the reference app`);
    // the scheduled faults are timed from the load's t = 0 as the window counts it: the run's first
    // sample (from the generator's launch they landed 1-2 s early: its bundling and VU start-up)
    let loadEnded = false;
    const { run, generator, requestsTotal, win } = await driveLoad({
      ...o,
      target: app.url,
      ...(app.regions ? { regionTargets: app.regions.originUrls } : {}),
      ...(app.regions?.cdnUrls ? { cdnTargets: app.regions.cdnUrls } : {}),
      ...(!app.regions && app.cdnUrl ? { cdnTarget: app.cdnUrl } : {}),
      onFirstSample: (t0) => {
        if (loadEnded) return;
        log(`  load's first sample at ${new Date(t0).toISOString()}: scheduled failures timed from it`);
        cancelFaults = followFailures(app, o.scenario, t0, (line) => log(`  ${line}`));
      },
      caFile: app.caFile,
      onLoadEnd: async () => {
        sampling = false;
        loadEnded = true;
        cancelFaults();
        await scraper;
      },
    });
    const from = win.firstMs + o.warmupS * 1000;
    const inWin = scrapes.filter((s) => s.t >= from && s.t <= win.firstMs + o.durationS * 1000);
    if (inWin.length < 2) throw new MeasureError(`${o.file}: fewer than 2 metric scrapes in the measurement window`);
    const a = inWin[0];
    const b = inWin[inWin.length - 1];
    const spanS = (b.t - a.t) / 1000;
    const hops = hopsBetween(a.m, b.m, spanS, Object.keys(win.classes));
    const answered = Object.values(hops.serviceMs).reduce((x, h) => x + h.count, 0);
    const lbTls = app.plan.lb ? tlsOf(o.scenario, app.plan.lb.name) : undefined;
    const balancerCpu = lbTls && a.lbCpuMs !== undefined && b.lbCpuMs !== undefined && answered > 0 && spanS > 0
      ? { perRequestMs: (b.lbCpuMs - a.lbCpuMs) / answered, utilization: (b.lbCpuMs - a.lbCpuMs) / 1000 / spanS / lbTls.cpus }
      : undefined;
    const lbA = a.lbBytes, lbB = b.lbBytes;
    const d = (k: keyof HaproxyBytes) => (lbB && lbA ? lbB[k] - lbA[k] : 0);
    const balancerBytes = lbA && lbB && spanS > 0 ? { inPerSecond: (d("feIn") + d("beOut")) / spanS, outPerSecond: (d("feOut") + d("beIn")) / spanS } : undefined;
    // the links over the window: the relay's first and last reports in it (their own clock's span)
    const withLinks = inWin.filter((s) => s.links);
    const links = withLinks.length >= 2 ? linkWindows(withLinks[0]!.links!, withLinks[withLinks.length - 1]!.links!) : undefined;
    const cdnWin = inWin.filter((s) => s.cdnOrigin);
    const cdn = cdnName && cdnWin.length >= 2 && spanS > 0
      ? (() => {
          const lookups = app.plan.classes.filter((c) => c.via === "cdn").reduce((x, c) => x + (win.classes[c.name]?.requests ?? 0), 0);
          const originFetches = cdnClasses.reduce((x, k) => x + counterIncrease(cdnWin.map((s) => s.cdnOrigin!), k), 0);
          const cdnSpan = (cdnWin[cdnWin.length - 1]!.t - cdnWin[0]!.t) / 1000;
          return { name: cdnName, lookups, lookupsPerSecond: lookups / win.windowS, originFetches, originPerSecond: originFetches / cdnSpan };
        })()
      : undefined;
    const m: Measured = { ...(cdn ? { cdn } : {}), engine: run.engine, requestsTotal, classes: win.classes, ...(win.regions ? { regions: win.regions } : {}), arrivals: win.arrivals, scrapes: inWin.length, hops, generator, ...(balancerCpu ? { balancerCpu } : {}), ...(balancerBytes ? { balancerBytes } : {}), ...(links ? { links } : {}) };
    const busy = inWin.map((s) => (s.m.get("headroom_slots_total") ? (s.m.get("headroom_slots_busy") ?? 0) / s.m.get("headroom_slots_total")! : NaN)).filter(Number.isFinite);
    if (busy.length) m.utilization = busy.reduce((x, y) => x + y, 0) / busy.length;
    // A partitioned queue runs one worker per partition (reference-app/plan.ts).
    const workers = Object.values(o.scenario.components).reduce((x, c) => x + (c.kind === "queue" ? (c.partitions ?? c.workers) : 0), 0);
    if (workers > 0) {
      const wb = inWin.map((s) => s.m.get("headroom_worker_busy")).filter((x): x is number => x !== undefined);
      if (wb.length) m.workerUtilization = Math.min(1, wb.reduce((x, y) => x + y, 0) / wb.length / workers);
      m.queueWorkerUtilization = queueUtilization(o.scenario, app.workers, inWin);
    }
    const tw = tierScrapes.filter((s) => s.t >= from && s.t <= win.firstMs + o.durationS * 1000);
    if (tw.length >= 2) {
      const first = tw[0]!, last = tw[tw.length - 1]!;
      const span = (last.t - first.t) / 1000;
      if (caches.length > 1) {
        for (const cache of caches) {
          const callers = app.plan.services.filter((p) => p.calls.includes(cache)).map((p) => p.name);
          const inc = (k: string) => callers.reduce((x, n) => x + counterIncrease(tw.map((s) => s.each.get(n) ?? []), k), 0);
          const hits = inc("headroom_cache_hits_total"), gets = hits + inc("headroom_cache_misses_total");
          if (gets > 0) (m.cacheHitRatios ??= {})[cache] = { ratio: hits / gets, gets };
        }
      }
      if (span > 0) m.hopsByService = Object.fromEntries(tiers.map(([n]) => [n, hopsBetween(first.m.get(n) ?? new Map(), last.m.get(n) ?? new Map(), span, Object.keys(win.classes))]));
      m.services = Object.fromEntries(tiers.map(([n]) => {
        const at = (s: (typeof tw)[number], k: string) => s.m.get(n)?.get(k) ?? 0;
        const shares = tw.map((s) => (at(s, "headroom_slots_total") ? at(s, "headroom_slots_busy") / at(s, "headroom_slots_total") : NaN)).filter(Number.isFinite);
        return [n, {
          utilization: shares.length ? shares.reduce((x, y) => x + y, 0) / shares.length : undefined,
          throughput: span > 0 ? counterIncrease(tw.map((x) => x.each.get(n) ?? []), "headroom_http_requests_total") / span : 0,
        }];
      }));
    }
    const sharded = o.scenario.components && Object.values(o.scenario.components).find((c) => c.kind === "database" && c.shards && c.shards.count > 1);
    if (sharded && sharded.kind === "database" && spanS > 0) {
      // every server of shard i is labelled s<i>.primary / s<i>.replica<j> (reference-app/service/db.ts)
      const servers = (i: number) => [`s${i}.primary`, ...Array.from({ length: sharded.replicas }, (_, j) => `s${i}.replica${j + 1}`)];
      m.shards = Array.from({ length: sharded.shards!.count }, (_, i) => servers(i).reduce((x, sv) => x + delta(a, b, `headroom_db_queries_total{server=${sv}}`), 0) / spanS);
      // several services: every one's queries (app.metricsUrls holds the entry service's only), each replica's counter as increase()
      if (tw.length >= 2) {
        const span = (tw[tw.length - 1]!.t - tw[0]!.t) / 1000;
        const inc = (k: string) => tiers.reduce((x, [n]) => x + counterIncrease(tw.map((s) => s.each.get(n) ?? []), k), 0);
        if (span > 0) m.shards = Array.from({ length: sharded.shards!.count }, (_, i) => servers(i).reduce((x, sv) => x + inc(`headroom_db_queries_total{server=${sv}}`), 0) / span);
      }
    }
    const hits = delta(a, b, "headroom_cache_hits_total");
    const misses = delta(a, b, "headroom_cache_misses_total");
    if (hits + misses > 0 && caches.length <= 1) {
      m.cacheHitRatio = hits / (hits + misses);
      m.cacheGets = hits + misses;
    }
    const pwc = delta(a, b, "headroom_db_pool_wait_seconds_count");
    if (pwc > 0) m.poolWaitMs = (delta(a, b, "headroom_db_pool_wait_seconds_sum") / pwc) * 1000;
    const alc = delta(a, b, "headroom_async_latency_seconds_count");
    if (alc > 0) m.asyncLatencyMs = (delta(a, b, "headroom_async_latency_seconds_sum") / alc) * 1000;
    const sw = samples.filter((s) => s.t >= from);
    const avg = (xs: Array<number | null>) => {
      const v = xs.filter((x): x is number => x !== null);
      return v.length ? v.reduce((p, q) => p + q, 0) / v.length : undefined;
    };
    m.queueBacklog = avg(sw.map((s) => s.backlog));
    for (const name of Object.keys(sw[0]?.partitions ?? {})) {
      const per = sw.map((s) => s.partitions[name]).filter((x): x is readonly number[] => x !== undefined);
      if (per.length) (m.partitionDepth ??= {})[name] = per[0]!.map((_, i) => per.reduce((a, d) => a + (d[i] ?? 0), 0) / per.length);
    }
    const depths = sw.map((s) => s.backlog).filter((x): x is number => x !== null);
    if (depths.length >= 2) m.backlogGrowth = depths[depths.length - 1] - depths[0];
    m.balancerQueue = avg(sw.map((s) => s.queued));
    m.balancerName = app.plan.lb?.name;
    const lag = avg(sw.map((s) => s.lagS));
    if (lag !== undefined) m.replicationLagMs = lag * 1000;
    return m;
  } finally {
    sampling = false;
    cancelFaults();
    await stop();
  }
}
