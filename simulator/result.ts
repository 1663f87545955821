// The simulator's result: a versioned JSON format (schema "headroom.result/v3") that the CLI writes
// with --json and the dashboard reads unchanged. v3 counts the requests on every caller -> callee
// edge (`edges`; v2 had that section only where payloads were modelled, with bytes and sized
// transfers alone). v2 embeds the scenario's YAML (scenario.yaml), so a result file opens with its
// own model, and bills per-request prices on what a CDN answers (cost.byComponent.*.requestsPerSecond);
// v1 files lack both. Times are milliseconds, rates per second,
// utilizations fractions; every estimate carries its 95% confidence half-width over replications.
import type { Scenario } from "./model/schema.ts";
import type { Program } from "./engine/program.ts";
import { DROP_REASONS, REASONS, type ReplicationResult, type Series } from "./engine/simulation.ts";
import { Histogram } from "./engine/histogram.ts";
import { HOP_KINDS } from "./engine/hop-ledger.ts";
import { estimate, latencyMs, type Estimate } from "./engine/stats.ts";
import type { ReportSpec } from "./engine/report-plan.ts";
import { KINDS } from "./components/index.ts";
import { failedOver } from "./components/geo/index.ts";
import { componentPayload, linkUtilization, regionLinksResult, type ComponentBytes, type LinkResult } from "./payload-result.ts";
import { edgesResult, type EdgeResult } from "./edge-result.ts";
import type { TableResult } from "./engine/tables.ts";
import type { RealtimeResultSection } from "./components/realtime/index.ts";
import type { BreakerResult } from "./components/service/index.ts";

export { instancesOf } from "./engine/report-plan.ts";
export type { BreakerResult } from "./components/service/index.ts";
export type { ComponentBytes, LinkResult } from "./payload-result.ts";
export { payloadEdges, type EdgeResult } from "./edge-result.ts";

export const RESULT_SCHEMA = "headroom.result/v3";

export interface LatencyEstimates {
  readonly mean: Estimate;
  readonly p50: Estimate;
  readonly p90: Estimate;
  readonly p95: Estimate;
  readonly p99: Estimate;
  readonly p999: Estimate;
  readonly max: Estimate;
}

export interface ClassResult {
  readonly throughput: Estimate;
  readonly latencyMs: LatencyEstimates;
  readonly errorRate: Estimate;
  /** Requests in the statistics window, summed over replications; dropped = refused at admission, failed = timed out. */
  readonly counts: { arrived: number; completed: number; dropped: number; failed: number; byReason: Record<string, number> };
  /** A class with browser_cache: how its users' requests were answered. */
  readonly browserCache?: BrowserCacheResult;
  /** Only from simulate(..., { hops: true }) (the dashboard asks for it; the CLI's output has none). */
  readonly hopsMs?: HopBreakdown;
}

/**
 * A class's browser caches, over the requests that arrived in the window: the share served fresh
 * by the browser (never reaching the origin, latency 0), revalidated with the origin (a 304, the
 * `<class>/revalidate` handlers) and fetched in full (first visit, or stale without an ETag); and
 * the requests per second that reached the origin.
 */
export interface BrowserCacheResult {
  readonly hitRatio: Estimate;
  readonly revalidatedRatio: Estimate;
  readonly fetchedRatio: Estimate;
  readonly originRequestsPerSecond: Estimate;
}

function browserCacheResult(per: ReadonlyArray<ReplicationResult["classes"][number]>, reps: ReadonlyArray<ReplicationResult>): BrowserCacheResult {
  const share = (i: number) => estimate(per.map((x) => {
    const n = x.browser[0] + x.browser[1] + x.browser[2];
    return n > 0 ? x.browser[i] / n : NaN;
  }));
  return {
    hitRatio: share(0), revalidatedRatio: share(1), fetchedRatio: share(2),
    originRequestsPerSecond: estimate(per.map((x, i) => (x.browser[1] + x.browser[2]) / reps[i].window)),
  };
}

/**
 * A class's mean latency broken down by hop (engine HopTimes over its completed requests, in ms):
 * per component on its path the mean time waiting for a unit, being served and sending on its
 * egress link (`bandwidth`), and the mean time on network hops (links between regions included).
 * They add up to the mean latency, except for a fan-out's branches (each counted)
 * and a queue's publish confirm (not in it).
 */
export interface HopBreakdown {
  /** linkMs: on the component's egress link (`bandwidth`), only for components whose link the class's requests crossed. */
  readonly components: Record<string, { readonly waitMs: Estimate; readonly serviceMs: Estimate; readonly linkMs?: Estimate }>;
  readonly networkMs: Estimate;
}

/** Requests by the region their users are in (scenarios with `regions:`). */
export interface RegionResult {
  /** Share of requests from this region, as the load's `regions:` gives it. */
  readonly share: number;
  readonly throughput: Estimate;
  readonly latencyMs: LatencyEstimates;
  readonly errorRate: Estimate;
  /** Counts in the statistics window, summed over replications; failedOver = completed by another region's entry than its own. */
  readonly counts: { arrived: number; completed: number; dropped: number; failed: number; failedOver: number; byReason: Record<string, number> };
}

export interface PartResult {
  readonly units: number | null;
  readonly throughput: Estimate;
  readonly utilization: Estimate;
  readonly queueLength: Estimate;
}

export interface ComponentResult {
  readonly kind: string;
  /** Units of its main resource summed (servers, slots, connections, workers); null when unbounded. */
  readonly servers: number | null;
  readonly throughput: Estimate;
  readonly utilization: Estimate;
  readonly queueLength: Estimate;
  readonly maxQueue: number;
  /** Share of requests that had to wait for a unit. */
  readonly waitProbability: Estimate;
  /** Share of arrivals refused because the waiting room was full. */
  readonly blockingProbability: Estimate;
  readonly waitMs: LatencyEstimates;
  readonly responseMs: LatencyEstimates;
  readonly drops: Record<string, number>;
  /** Per replica, shard node, partition or pool, when the component has several. */
  readonly parts: Record<string, PartResult>;
  readonly hitRatio?: Estimate;
  /** A realtime component: connections, delivery, reconnects, memory (components/realtime/result.ts). */
  readonly realtime?: RealtimeResultSection;
  readonly staleReadRatio?: Estimate;
  readonly replicationLagMs?: LatencyEstimates;
  readonly poolWaitMs?: LatencyEstimates;
  /** Databases a failover strikes: acknowledged writes lost (asynchronous replication), per replication. */
  readonly lostWrites?: Estimate;
  /** Database with a `table:`: rows, growth, read time and when a read crosses the SLO (engine/tables.ts). */
  readonly table?: TableResult;
  readonly reads?: number;
  readonly writes?: number;
  readonly queue?: {
    readonly published: number; readonly processed: number; readonly deadLettered: number; readonly droppedHead: number;
    readonly rejected: number; readonly retries: number; readonly asyncLatencyMs: LatencyEstimates; readonly backlog: Estimate;
  };
  /** Services: how callers fared with retries and the circuit breaker (counts in the window). */
  readonly resilience?: { readonly retries: number; readonly retryBudgetDenied: number; readonly shortCircuited: number; readonly breakerOpened: number };
  /** Services with a `circuit_breaker`: the time its breaker spent in each state (see BreakerResult). */
  readonly breaker?: BreakerResult;
  /** Balancers with a rate limit: requests refused by the token bucket. */
  readonly rateLimited?: number;
  /** Services: time-average of instances billed (booting, serving, draining); functions: instances alive. */
  readonly instances?: Estimate;
  /** Functions (components/function/result.ts): invocations, cold starts, throttles, instances, GB-seconds, cold and warm times. */
  readonly function?: {
    readonly invocations: number; readonly coldStarts: number; readonly coldStartShare: Estimate; readonly throttled: number; readonly timeouts: number;
    readonly instances: Estimate; readonly activeInstances: Estimate; readonly peakInstances: number; readonly gbSecondsPerSecond: Estimate;
    readonly coldLatencyMs: LatencyEstimates; readonly warmLatencyMs: LatencyEstimates;
    /** Instance starts that ended in the window: their time start to ready, and starts in progress (time-average, peak). */
    readonly boots: { readonly completed: number; readonly timeMs: LatencyEstimates; readonly inProgress: Estimate; readonly peakInProgress: number };
  };
  readonly balancer?: { readonly queueLength: Estimate; readonly maxQueue: number; readonly queueWaitMs: LatencyEstimates; readonly timeouts: number };
  readonly timeouts?: number;
  /** Scenarios with payloads: bytes per second received and sent, rows read (payload-result.ts). */
  readonly bytes?: ComponentBytes;
  /** A component with `bandwidth`: its egress link (processor sharing). */
  readonly link?: LinkResult<LatencyEstimates>;
}

export interface SeriesResult {
  readonly intervalS: number;
  readonly t: number[];
  readonly offered: number[];
  readonly inFlight: number[];
  readonly classes: Record<string, { throughput: number[]; errors: number[]; p50Ms: number[]; p95Ms: number[]; p99Ms: number[] }>;
  /** hitRatio (hits / lookups in the interval, null without lookups) and lookups per second: caches and CDNs only */
  /** breakerOpenShare: the share of each interval a service's circuit breaker was open (services with one) */
  readonly components: Record<string, { utilization: number[]; queueLength: number[]; throughput: number[]; instances: number[]; hitRatio?: number[]; lookups?: number[]; activeInstances?: number[]; connections?: number[]; reconnects?: number[]; breakerOpenShare?: number[] }>;
  /** Cost per hour at each interval's instance counts and request rates; only when some component has a price. */
  readonly costPerHour?: number[];
}

export interface SloCheck {
  readonly metric: string;
  readonly class: string | null;
  readonly limit: number;
  readonly value: number;
  readonly pass: boolean;
}

export interface SimResult {
  readonly schema: typeof RESULT_SCHEMA;
  /** yaml: the scenario's text the run was made from (the CLI's file, the dashboard's editor); null when the caller had none */
  readonly scenario: { readonly name: string; readonly description: string | null; readonly yaml: string | null };
  readonly run: {
    readonly seed: number;
    readonly replications: number;
    readonly durationS: number;
    readonly warmupS: number;
    readonly events: number;
  };
  readonly classes: Record<string, ClassResult>;
  /** Per origin region; absent without `regions:`. */
  readonly regions?: Record<string, RegionResult>;
  readonly components: Record<string, ComponentResult>;
  /** Requests per second on every caller -> callee edge ("users" for the load), with bytes where payloads are modelled (edge-result.ts). */
  readonly edges?: Record<string, EdgeResult>;
  /** Scenarios with `bandwidth` between regions that calls crossed with sizes: each link, each way ("us->eu"). */
  readonly regionLinks?: Record<string, LinkResult<LatencyEstimates>>;
  readonly inFlight: Estimate;
  /** Whole run, all replications: arrived = completed + dropped + failed + inFlightAtEnd. */
  readonly accounting: {
    arrived: number; completed: number; dropped: number; failed: number; inFlightAtEnd: number; byReason: Record<string, number>;
    messages: { published: number; processed: number; deadLettered: number; droppedHead: number; inQueueAtEnd: number };
  };
  readonly bottleneck: string | null;
  /** From the components' `cost` prices at the simulated load; null when no component has a price. */
  readonly cost: {
    readonly perHour: number; readonly perMonth: number; readonly perMillionRequests: number | null;
    /** instances billed by the hour (a CDN: 0) and requests per second billed by the million */
    readonly byComponent: Record<string, { instances: number; requestsPerSecond: number; perHour: number }>;
  } | null;
  readonly slo: { readonly pass: boolean; readonly checks: SloCheck[] } | null;
  readonly series: SeriesResult | null;
}

function latency(hists: Histogram[]): LatencyEstimates {
  return latencyMs(hists) as unknown as LatencyEstimates;
}

function byReason(ended: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 1; i < REASONS.length; i++) if (ended[i] > 0) out[REASONS[i]] = ended[i];
  return out;
}

type RunMeta = { seed: number; duration: number; warmup: number; interval: number };

/**
 * The result of a Program's replications. The Program carries what the result needs of the
 * scenario (Program.report); the four-argument form, with the Scenario first, is kept for callers
 * written before, and that argument is not read.
 */
export function buildResult(p: Program, reps: ReplicationResult[], meta: RunMeta): SimResult;
export function buildResult(scenario: unknown, p: Program, reps: ReplicationResult[], meta: RunMeta): SimResult;
export function buildResult(...args: [Program, ReplicationResult[], RunMeta] | [unknown, Program, ReplicationResult[], RunMeta]): SimResult {
  const [p, reps, meta] = (args.length === 4 ? args.slice(1) : args) as [Program, ReplicationResult[], RunMeta];
  return resultOf(p, reps, meta);
}

function resultOf(p: Program, reps: ReplicationResult[], meta: RunMeta): SimResult {
  const report = p.report;
  const classes: Record<string, ClassResult> = {};
  p.classNames.forEach((name, c) => {
    const per = reps.map((r) => r.classes[c]);
    const ended = new Float64Array(REASONS.length);
    for (const x of per) for (let i = 0; i < ended.length; i++) ended[i] += x.ended[i];
    let dropped = 0, failed = 0;
    for (let i = 1; i < ended.length; i++) (DROP_REASONS.has(i) ? (dropped += ended[i]) : (failed += ended[i]));
    classes[name] = {
      throughput: estimate(reps.map((r) => r.classes[c].completed / r.window)),
      latencyMs: latency(per.map((x) => x.latency)),
      errorRate: estimate(per.map((x) => {
        let bad = 0;
        for (let i = 1; i < x.ended.length; i++) bad += x.ended[i];
        return x.completed + bad > 0 ? bad / (x.completed + bad) : 0;
      })),
      counts: { arrived: per.reduce((a, x) => a + x.arrived, 0), completed: per.reduce((a, x) => a + x.completed, 0), dropped, failed, byReason: byReason(ended) },
      ...(reps[0].hops ? { hopsMs: hopsOf(p, reps, c) } : {}),
    };
    if (p.browser[c] !== null) (classes[name] as { browserCache?: BrowserCacheResult }).browserCache = browserCacheResult(per, reps);
  });

  let regions: Record<string, RegionResult> | undefined;
  if (p.regions.length > 0) {
    regions = {};
    const shares = report.originShares;
    shares.forEach((o, k) => {
      const per = reps.map((r) => r.origins[k]);
      const ended = new Float64Array(REASONS.length);
      for (const x of per) for (let i = 0; i < ended.length; i++) ended[i] += x.ended[i];
      let dropped = 0, failed = 0;
      for (let i = 1; i < ended.length; i++) (DROP_REASONS.has(i) ? (dropped += ended[i]) : (failed += ended[i]));
      regions![o.region!] = {
        share: o.share,
        throughput: estimate(reps.map((r) => r.origins[k].completed / r.window)),
        latencyMs: latency(per.map((x) => x.latency)),
        errorRate: estimate(per.map((x) => {
          let bad = 0;
          for (let i = 1; i < x.ended.length; i++) bad += x.ended[i];
          return x.completed + bad > 0 ? bad / (x.completed + bad) : 0;
        })),
        counts: {
          arrived: per.reduce((a, x) => a + x.arrived, 0), completed: per.reduce((a, x) => a + x.completed, 0), dropped, failed,
          failedOver: failedOver(per), byReason: byReason(ended),
        },
      };
    });
  }

  const components: Record<string, ComponentResult> = {};
  p.components.forEach((comp, ci) => {
    const main = comp.resources.filter((r) => p.resources[r].main);
    const unitsOf = (rs: number[]) => rs.reduce((a, r) => a + p.resources[r].units, 0);
    const units = unitsOf(main);
    const bounded = units < 1e8;
    const sumOver = (rs: number[], f: (st: ReplicationResult["resources"][0]) => number) => reps.map((rep) => rs.reduce((a, r) => a + f(rep.resources[r]), 0));
    const part = (rs: number[]): PartResult => {
      const u = unitsOf(rs);
      return {
        units: u < 1e8 ? u : null,
        throughput: estimate(sumOver(rs, (st) => st.completions).map((x, i) => x / reps[i].window)),
        utilization: u < 1e8 ? estimate(sumOver(rs, (st) => st.busyArea).map((x, i) => x / (reps[i].window * u))) : estimate([]),
        queueLength: estimate(sumOver(rs, (st) => st.queueArea).map((x, i) => x / reps[i].window)),
      };
    };
    const whole = part(main);
    const waits = reps.map((rep) => Histogram.ofParts(main.map((r) => rep.resources[r].wait)));
    const arrivals = sumOver(main, (st) => st.arrivals);
    const dropsN = sumOver(main, (st) => st.dropped);
    const waited = sumOver(main, (st) => st.waited);
    const drops: Record<string, number> = {};
    const dropTotal = dropsN.reduce((a, b) => a + b, 0);
    const timeoutTotal = sumOver(comp.resources, (st) => st.timedOut).reduce((a, b) => a + b, 0);
    if (dropTotal > 0) drops[comp.kind === "service" ? "backlog_full" : comp.kind === "queue" ? "queue_full" : comp.kind === "function" ? "throttled" : "buffer_full"] = dropTotal;
    if (timeoutTotal > 0) drops[comp.kind === "database" ? "pool_timeout" : "queue_timeout"] = timeoutTotal;
    const parts: Record<string, PartResult> = {};
    if (comp.resources.length > 1) for (const r of comp.resources) parts[p.resources[r].name] = part([r]);
    const res: Record<string, unknown> = {
      kind: comp.kind,
      servers: bounded ? units : null,
      throughput: whole.throughput,
      utilization: whole.utilization,
      queueLength: whole.queueLength,
      maxQueue: reps.reduce((m, rep) => Math.max(m, ...main.map((r) => rep.resources[r].maxQueue)), 0),
      waitProbability: estimate(waits.map((h, i) => (h.count > 0 ? waited[i] / h.count : NaN))),
      blockingProbability: estimate(arrivals.map((a, i) => (a > 0 ? dropsN[i] / a : NaN))),
      waitMs: latency(waits),
      responseMs: latency(reps.map((rep) => Histogram.ofParts(main.map((r) => rep.resources[r].response)))),
      drops,
      parts,
    };
    // A kind in its own folder adds its section (or overrides the common figures, in place).
    if (comp.kind === "station") Object.assign(res, KINDS.station.result({ reps, component: ci, common: res, program: p }));
    if (comp.kind === "cdn") Object.assign(res, KINDS.cdn.result({ reps, component: ci, common: res, program: p }));
    if (comp.kind === "cache") Object.assign(res, KINDS.cache.result({ reps, component: ci, common: res, program: p }));
    if (comp.kind === "function") Object.assign(res, KINDS.function.result({ reps, component: ci, common: res, program: p }));
    if (comp.kind === "realtime") Object.assign(res, KINDS.realtime.result({ reps, component: ci, common: res, program: p }));
    if (comp.kind === "database") Object.assign(res, KINDS.database.result({ reps, component: ci, common: res, program: p }));
    if (comp.kind === "queue") Object.assign(res, KINDS.queue.result({ reps, component: ci, common: res, program: p }));
    if (comp.kind === "load_balancer") Object.assign(res, KINDS.load_balancer.result({ reps, component: ci, common: res, program: p }));
    if (comp.kind === "service") Object.assign(res, KINDS.service.result({ reps, component: ci, common: res, program: p }));
    Object.assign(res, componentPayload(p, reps, ci, latency));
    components[comp.name] = res as unknown as ComponentResult;
  });
  const edges = edgesResult(p, reps);
  const regionLinks = regionLinksResult(p, reps, latency);

  let bottleneck: string | null = null;
  let top = -1;
  // A balancer's connection slots mirror its backends' load, so it is never named the bottleneck.
  for (const [name, c] of Object.entries(components)) {
    if (c.kind !== "load_balancer" && c.servers !== null && c.utilization.mean > top) { top = c.utilization.mean; bottleneck = name; }
    // a component's egress link competes too (a balancer's included: its bandwidth is its own)
    const lu = linkUtilization(c);
    if (lu !== undefined && lu > top) { top = lu; bottleneck = name; }
    // and a balancer's TLS CPUs, which its handshakes and requests queue for
    const tls = c.kind === "load_balancer" ? (c.parts as Record<string, PartResult> | undefined)?.[`${name}.tls`]?.utilization.mean : undefined;
    if (tls !== undefined && tls > top) { top = tls; bottleneck = name; }
  }

  const ended = new Float64Array(REASONS.length);
  const accounting = {
    arrived: 0, completed: 0, dropped: 0, failed: 0, inFlightAtEnd: 0, byReason: {} as Record<string, number>,
    messages: { published: 0, processed: 0, deadLettered: 0, droppedHead: 0, inQueueAtEnd: 0 },
  };
  for (const r of reps) {
    accounting.arrived += r.totals.arrived;
    accounting.completed += r.totals.completed;
    accounting.inFlightAtEnd += r.totals.inFlight;
    for (let i = 1; i < ended.length; i++) ended[i] += r.totals.ended[i];
    accounting.messages.published += r.messages.published;
    accounting.messages.processed += r.messages.processed;
    accounting.messages.deadLettered += r.messages.deadLettered;
    accounting.messages.droppedHead += r.messages.droppedHead;
    accounting.messages.inQueueAtEnd += r.messages.inQueue;
  }
  for (let i = 1; i < ended.length; i++) (DROP_REASONS.has(i) ? (accounting.dropped += ended[i]) : (accounting.failed += ended[i]));
  accounting.byReason = byReason(ended);

  const series = reps[0].series ? seriesResultOf(p, reps[0].series, reps[0].realtime, meta) : null;

  return {
    schema: RESULT_SCHEMA,
    scenario: { name: report.name, description: report.description, yaml: null },
    run: { seed: meta.seed, replications: reps.length, durationS: meta.duration, warmupS: meta.warmup, events: reps.reduce((a, r) => a + r.events, 0) },
    classes,
    ...(regions ? { regions } : {}),
    components,
    ...(edges ? { edges } : {}),
    ...(regionLinks ? { regionLinks } : {}),
    inFlight: estimate(reps.map((r) => r.inFlightArea / r.window)),
    accounting,
    bottleneck,
    cost: costOf(report, components, classes),
    slo: checkSlo(report, classes),
    series,
  };
}

/** Class c's hop times per completed request, in ms, each an estimate over the replications; only
 * the components where the class spent time. The engine's totals hold only the completed requests'
 * time (engine/hop-ledger.ts), so dividing by their count gives their mean by hop. */
function hopsOf(p: Program, reps: ReplicationResult[], c: number): HopBreakdown {
  const n = p.components.length;
  const perRequest = (r: ReplicationResult, v: number) => (r.classes[c].completed > 0 ? (v / r.classes[c].completed) * 1000 : 0);
  const components: Record<string, { waitMs: Estimate; serviceMs: Estimate; linkMs?: Estimate }> = {};
  p.components.forEach((comp, k) => {
    const at = (c * n + k) * HOP_KINDS;
    const linked = reps.some((r) => r.hops!.time[at + 2] > 0);
    if (!linked && !reps.some((r) => r.hops!.time[at] > 0 || r.hops!.time[at + 1] > 0)) return;
    components[comp.name] = {
      waitMs: estimate(reps.map((r) => perRequest(r, r.hops!.time[at]))),
      serviceMs: estimate(reps.map((r) => perRequest(r, r.hops!.time[at + 1]))),
      ...(linked ? { linkMs: estimate(reps.map((r) => perRequest(r, r.hops!.time[at + 2]))) } : {}),
    };
  });
  return { components, networkMs: estimate(reps.map((r) => perRequest(r, r.hops!.network[c]))) };
}

/**
 * A replication's per-interval series in the result's form (names, milliseconds, a CDN's lookups
 * as its throughput, hit ratios, cost per hour). Also for a series still being recorded (the
 * dashboard streams a replication's intervals as they complete): then without `realtime` (a
 * realtime component's figures are known at the run's end), its components' throughput is their
 * resources' completions.
 */
export function seriesResultOf(p: Program, first: Series, realtime: ReplicationResult["realtime"], meta: RunMeta): SeriesResult {
  const components: SeriesResult["components"] = Object.fromEntries(p.components.map((comp, c) => {
    const x = first.components[c];
    // A CDN's throughput is its lookups (it has no resource whose completions the engine counts).
    const throughput = comp.kind === "cdn" && x.lookups ? x.lookups.map((n) => n / meta.interval) : x.throughput;
    const out: SeriesResult["components"][string] = { utilization: x.utilization, queueLength: x.queue, throughput, instances: x.instances };
    // A realtime component: its connections at each interval's end and reconnects per second.
    const rt = comp.kind === "realtime" ? realtime?.find((st) => st.component === c) : undefined;
    if (rt) {
      const n = first.t.length;
      out.throughput = Array.from(rt.ivDelivered.subarray(0, n), (d) => d / meta.interval);
      out.connections = Array.from(rt.ivConnections.subarray(0, n));
      out.reconnects = Array.from(rt.ivReconnects.subarray(0, n), (k) => k / meta.interval);
    }
    if (x.hits && x.lookups) {
      const lookups = x.lookups;
      out.hitRatio = x.hits.map((h, i) => (lookups[i] > 0 ? h / lookups[i] : NaN));
      out.lookups = lookups.map((n) => n / meta.interval);
    }
    if (x.active) out.activeInstances = x.active;
    if (x.breakerOpen) out.breakerOpenShare = x.breakerOpen;
    return [comp.name, out];
  }));
  return {
    intervalS: meta.interval,
    t: first.t,
    offered: first.offered,
    inFlight: first.inFlight,
    classes: Object.fromEntries(p.classNames.map((n, c) => {
      const x = first.classes[c];
      const ms = (a: number[]) => a.map((v) => v * 1000);
      return [n, { throughput: x.throughput, errors: x.errors, p50Ms: ms(x.p50), p95Ms: ms(x.p95), p99Ms: ms(x.p99) }];
    })),
    components,
    ...costSeries(p.report, first.t, components),
  };
}

/** The result with the scenario text it was simulated from embedded (schema v2's scenario.yaml). */
export function withScenarioText(result: SimResult, yaml: string): SimResult {
  return { ...result, scenario: { ...result.scenario, yaml } };
}

const HOURS_PER_MONTH = 730;

/** Per interval, what costOf charges for the whole window: instances (an auto-scaled pool's count
 * at the interval's end) times the hourly price plus the interval's request rate times the
 * per-million price. */
function costSeries(report: ReportSpec, t: number[], components: SeriesResult["components"]): { costPerHour?: number[] } {
  const priced = Object.entries(components).map(([name, x]) => ({ price: report.prices.get(name), x })).filter((e) => e.price !== undefined);
  if (priced.length === 0) return {};
  return {
    costPerHour: t.map((_, i) => priced.reduce((sum, { price, x }) => {
      const instances = price!.kind === "service" ? x.instances[i] : price!.instances;
      const fn = (x.activeInstances?.[i] ?? 0) * (price!.activeInstanceHour ?? 0) + (price!.fixedHour ?? 0);
      return sum + instances * price!.instanceHour + ((x.throughput[i] * 3600) / 1e6) * price!.millionRequests + fn;
    }, 0)),
  };
}

function costOf(report: ReportSpec, components: Record<string, ComponentResult>, classes: Record<string, ClassResult>): SimResult["cost"] {
  const priced = [...report.prices];
  if (priced.length === 0) return null;
  const byComponent: Record<string, { instances: number; requestsPerSecond: number; perHour: number }> = {};
  let perHour = 0;
  for (const [name, c] of priced) {
    // An auto-scaled pool bills its time-average instance count.
    const instances = components[name]?.instances?.mean ?? c.instances;
    const requestsPerHour = (components[name]?.throughput.mean ?? 0) * 3600;
    // A function bills its instances' active time (GB-seconds) and its provisioned ones.
    const fn = (components[name]?.function?.activeInstances.mean ?? 0) * (c.activeInstanceHour ?? 0) + (c.fixedHour ?? 0);
    const h = instances * c.instanceHour + (requestsPerHour / 1e6) * c.millionRequests + fn;
    byComponent[name] = { instances, requestsPerSecond: requestsPerHour / 3600, perHour: h };
    perHour += h;
  }
  const throughput = Object.values(classes).reduce((a, c) => a + c.throughput.mean, 0);
  return {
    perHour,
    perMonth: perHour * HOURS_PER_MONTH,
    perMillionRequests: throughput > 0 ? perHour / ((throughput * 3600) / 1e6) : null,
    byComponent,
  };
}

function checkSlo(report: ReportSpec, classes: Record<string, ClassResult>): SimResult["slo"] {
  if (!report.slo) return null;
  const figures: Record<string, SloClassFigures> = {};
  for (const [name, c] of Object.entries(classes)) {
    const latencyMs: Record<string, number> = {};
    for (const k of Object.keys(c.latencyMs)) latencyMs[k] = c.latencyMs[k as keyof LatencyEstimates].mean;
    figures[name] = { latencyMs, ended: c.counts.completed + c.counts.dropped + c.counts.failed, bad: c.counts.dropped + c.counts.failed };
  }
  const checks = sloChecks(report.slo, figures);
  return { pass: checks.every((c) => c.pass), checks };
}

/** One class's figures an SLO is checked against: a simulation's or a measurement's alike. */
export interface SloClassFigures {
  /** latency in ms by the SLO's keys (mean, p50, p90, p95, p99, p999); a missing one fails its check */
  readonly latencyMs: Readonly<Record<string, number>>;
  /** requests that ended (completed, dropped or failed) and the dropped or failed among them */
  readonly ended: number;
  readonly bad: number;
}

/** The SLO's checks: every latency limit on every class, then the error rate over all classes. */
export function sloChecks(slo: NonNullable<Scenario["slo"]>, classes: Record<string, SloClassFigures>): SloCheck[] {
  const checks: SloCheck[] = [];
  for (const [name, c] of Object.entries(classes)) {
    for (const [k, limit] of Object.entries(slo.latency ?? {})) {
      if (limit === undefined) continue;
      const value = c.latencyMs[k] ?? NaN;
      checks.push({ metric: `${k}_ms`, class: name, limit: limit * 1000, value, pass: value <= limit * 1000 });
    }
  }
  if (slo.error_rate !== undefined) {
    let ended = 0, failed = 0;
    for (const c of Object.values(classes)) {
      ended += c.ended;
      failed += c.bad;
    }
    const value = ended > 0 ? failed / ended : 0;
    checks.push({ metric: "error_rate", class: null, limit: slo.error_rate, value, pass: value <= slo.error_rate });
  }
  return checks;
}
