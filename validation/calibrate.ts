// --calibrate: the per-hop costs the YAML does not state, measured at moderate load with the model
// in the loop, never by an idle probe (which read 0.42-0.66 ms one day and 0.9-2.3 ms the next, and
// over-charged every call under load). A run of the reference app at each of CALIBRATION_LEVELS of
// the predicted saturation (0.35 and 0.65: some costs move with the load, and each level is
// predicted with the values at its own rate between the two fits, calibration-at.ts); the
// services' own metrics give per-hop means over each run's window:
//   - a balancer terminating TLS: HAProxy's CPU per request (the scheduler's accounting), less
//     tls.request, per connection -> components.<lb>.tls.handshake (the capacity at load);
//   - the balancer: client latency (its connection set-up included) minus the time from arrival at
//     a replica to its answer, per class, less the model's other time at the balancer (its queue
//     wait; with TLS the handshakes, passes and their waits) -> components.<lb>.overhead;
//   - without a balancer, the same difference per class, halved, is the class's edge to the
//     service, each way -> load.classes.<class>.flow.0.network (the client's HTTP stack, loopback and
//     the generator's own time, which the replica's clock never sees);
//   - outgoing calls (Redis commands, queries after the pool): their mean minus the model's
//     response of that cache or database at this load (with a `bandwidth`, its answers' time on its
//     link per call too), call-weighted over both kinds, in two legs
//     -> components.<service>.call_overhead (the client side of a call, which the app does not
//     inject: a calibrated copy can start the app too, and the value can be written into the YAML;
//     on a linked store, the link relay's own hop: docs/reference-app.md "The relay's own hop");
//   - publishes: until the broker's confirm, less the call_overhead the model already draws on
//     a publish's two legs and, with the queue's confirm_wake, the wake-up the model adds at the
//     measured publish rate (cost / (1 + rate x idle)) -> components.<queue>.confirm;
//   - inside the slot: the replica's time minus the model's service-side time with the above
//     applied -> components.<service>.overhead (the YAML's plus that excess: framework work and
//     timer overshoot of the injected waits). Reading it from the slot time per request instead
//     (headroom_slots_busy_seconds, reported beside it) was tried and measured worse: 54 of 72
//     calibrated rows against 62 (VALIDATION.md), so it is shown, not used.
// Each unknown has its own observations, so the weighted least-squares fit is each group's
// weighted mean residual; two passes let queueing follow the overheads. A class's transfers on a
// link are taken off its latency as the run realized them (the relay's own sum, realizedLinkScale),
// not as the model expects them. Trade-off: the residuals are means, so the calibrated costs are
// constants (their spread stays in the injected times), but for the broker's confirm, whose spread
// is read off the publishes' histogram (spreadOf), and the balancer's overhead, a lognormal whose
// cv is fitted to the classes' measured quantiles once the means are (overhead-spread.ts).
// Several runs in a row (--calibrate-runs) show the fit's stability; their median is used.
// Trade-off of the second rate: a second calibration run per scenario (its --duration again).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDocument, Scalar } from "yaml";
import { simulate, meanOf, type Dist, type Scenario, type SimResult } from "../simulator/index.ts";
import { wakeMoments } from "../simulator/analytic/index.ts";
import type { CalibratedParameter } from "./report.ts";
import { MeasureError, measureLevel, type Measured } from "./measure.ts";
import { LevelError, predictSaturation, withRate } from "./levels.ts";
import { measureTrusted, describeHealth } from "./starvation.ts";
import { distNode, fitRegionalHops, regionalParts } from "./calibrate-regions.ts";
import { fitSpread } from "./overhead-spread.ts";

/** Offered load of the (lower) calibration run, as a share of the predicted saturation rate. */
export const CALIBRATION_LEVEL = 0.35;

/**
 * The two calibration rates, as shares of the predicted saturation: each level is predicted with
 * the costs at its own rate between the two fits (calibration-at.ts), as some move with the load
 * (partitioned-queue's broker confirm quickens with the publish rate).
 */
export const CALIBRATION_LEVELS = [CALIBRATION_LEVEL, 0.65] as const;

interface Parts {
  lb?: string;
  service: string;
  queues: string[];
  caches: string[];
  databases: string[];
}

function parts(s: Scenario): Parts {
  const c = Object.entries(s.components);
  const of = (kind: string) => c.filter(([, x]) => x.kind === kind).map(([n]) => n);
  const service = of("service")[0];
  if (!service) throw new LevelError(`scenario '${s.name}': calibration needs a service`);
  return { lb: of("load_balancer")[0], service, queues: of("queue"), caches: of("cache"), databases: of("database") };
}

export const healthy = (s: Scenario): Scenario => (s.failures ? ({ ...s, failures: undefined } as Scenario) : s);

/** Calibration measures a service's hops; without one there is nothing to measure. */
export function calibratable(s: Scenario): boolean {
  return Object.values(s.components).some((c) => c.kind === "service");
}

const ms = (d: Dist | undefined) => (d ? meanOf(d) * 1000 : 0);
const field = (s: Scenario, comp: string, f: string) => (s.components[comp] as unknown as Record<string, Dist | undefined>)[f];

/** A timed empirical's `at` and `window` (seconds), when the parameter has its samples' times. */
const timed = (p: CalibratedParameter) => (p.atS && p.windowS !== undefined ? { at: p.atS, window: p.windowS } : {});
const timedYaml = (p: CalibratedParameter) => (p.atS && p.windowS !== undefined ? { at: p.atS.map((x) => `${Number(x.toFixed(3))}s`), window: `${p.windowS}s` } : {});

export function applyCalibration(s: Scenario, params: readonly CalibratedParameter[]): Scenario {
  const components = { ...s.components } as Record<string, any>;
  const classes = { ...s.load.classes } as Record<string, any>;
  let regions = s.regions as Record<string, any> | undefined;
  for (const p of params) {
    const value = p.dist ?? (p.samplesMs ? { dist: "empirical", samples: p.samplesMs.map((x) => x / 1000), ...timed(p) }
      : p.cv && p.valueMs > 0 ? { dist: "lognormal", mean: p.valueMs / 1000, cv: p.cv }
      : { dist: "constant", value: p.valueMs / 1000 });
    const path = p.parameter.split(".");
    if (path[0] === "regions") {
      // regions.<a>.latency.<b>: a crossing's latency (calibrate-regions.ts shifts the YAML's by its own cost)
      regions = { ...regions, [path[1]]: { ...regions?.[path[1]], latency: { ...regions?.[path[1]]?.latency, [path[3]]: value } } };
    } else if (path[0] === "load") {
      // load.classes.<class>.flow.0.network: the class's first step, the call to the service
      const cls = classes[path[2]];
      classes[path[2]] = { ...cls, flow: cls.flow.map((step: object, i: number) => (i === 0 ? { ...step, network: value } : step)) };
    } else if (path.length === 4) {
      // components.<lb>.tls.handshake: a field of a component's sub-object
      components[path[1]] = { ...components[path[1]], [path[2]]: { ...components[path[1]][path[2]], [path[3]]: value } };
    } else components[path[1]] = { ...components[path[1]], [path[2]]: value };
  }
  return { ...s, load: { ...s.load, classes }, components, ...(regions ? { regions } : {}) } as Scenario;
}

/** Quantiles taken from a histogram, and the fewest observations they are taken from. */
const SPREAD_QUANTILES = 40;
const SPREAD_MIN_COUNT = 200;

/**
 * A measured time's spread as SPREAD_QUANTILES quantiles read off its cumulative histogram
 * (linear inside a bucket; past the last finite bound, that bound), shifted so their mean is
 * `meanMs` (the fit subtracts network legs from the mean; the shape stays the measured one) and
 * never below 0. Undefined without enough observations. A broker's confirm waits on its own work
 * and disk, so it varies (partitioned-queue: mean 2.2 ms, p95 6 ms): a constant confirm put every
 * publish at the mean and missed the measured p95 by 2x.
 */
export function spreadOf(buckets: ReadonlyArray<readonly [number, number]> | undefined, meanMs: number): number[] | undefined {
  if (!buckets || buckets.length === 0) return undefined;
  const n = buckets[buckets.length - 1][1];
  if (!(n >= SPREAD_MIN_COUNT)) return undefined;
  const q: number[] = [];
  for (let j = 0; j < SPREAD_QUANTILES; j++) {
    const target = ((j + 0.5) / SPREAD_QUANTILES) * n;
    let i = buckets.findIndex(([, c]) => c >= target);
    if (i < 0) i = buckets.length - 1;
    const [hi, cHi] = buckets[i];
    const [lo, cLo] = i > 0 ? buckets[i - 1] : [0, 0];
    q.push(cHi > cLo && target <= cHi ? lo + ((hi - lo) * (target - cLo)) / (cHi - cLo) : hi);
  }
  const shift = meanMs - q.reduce((x, y) => x + y, 0) / q.length;
  const out = q.map((x) => Math.max(0, x + shift));
  // clamping at 0 raised the mean: take the excess back from the values above 0, in proportion
  const excess = out.reduce((x, y) => x + y, 0) / out.length - meanMs;
  const positive = out.reduce((x, y) => x + y, 0);
  return excess > 1e-12 && positive > 0 ? out.map((x) => x * (1 - (excess * out.length) / positive)) : out;
}

/** Classes whose flow starts with a direct call to the service (no balancer in front): their edge is calibrated. */
function directClasses(s: Scenario, service: string): string[] {
  return Object.entries(s.load.classes).filter(([, c]) => {
    const first = c.flow[0] as { call?: string } | undefined;
    return first?.call === service;
  }).map(([n]) => n);
}

/** Request-weighted mean over classes of f(class), over the classes both sides have. */
function overClasses(m: Measured, f: (cls: string, measuredServiceMs: number) => number | undefined): number | undefined {
  let sum = 0, w = 0;
  for (const [cls, h] of Object.entries(m.hops?.serviceMs ?? {})) {
    const v = f(cls, h.meanMs);
    if (v === undefined || !Number.isFinite(v)) continue;
    sum += v * h.count;
    w += h.count;
  }
  return w > 0 ? sum / w : undefined;
}

/**
 * A balancer terminating TLS: its handshake's CPU time from HAProxy's own CPU per request at load
 * (Measured.balancerCpu, the scheduler's accounting), less the YAML's per-request `tls.request`,
 * times the requests a connection carries. Measured alone, one request at a time, the same cost
 * read 6.1-6.4 ms, and HAProxy then served 180 handshakes/s (5.5 ms each) at saturation: the
 * capacity is the cost at load. Only without resumption (a CPU total cannot say how it splits
 * between full and resumed handshakes).
 */
function tlsHandshakeFit(scenario: Scenario, lb: string | undefined, m: Measured): CalibratedParameter | undefined {
  const c = lb ? scenario.components[lb] : undefined;
  if (!c || c.kind !== "load_balancer" || !c.tls || c.tls.resumption > 0 || !m.balancerCpu) return undefined;
  const requestMs = c.tls.request ? meanOf(c.tls.request) * 1000 : 0;
  const valueMs = Math.max(0, (m.balancerCpu.perRequestMs - requestMs) * c.tls.requests_per_connection);
  return {
    parameter: `components.${lb}.tls.handshake`, valueMs,
    how: `HAProxy's CPU per request at load (${m.balancerCpu.perRequestMs.toFixed(3)} ms, the scheduler's accounting)${requestMs ? ` - tls.request (${requestMs.toFixed(3)} ms)` : ""}, x ${c.tls.requests_per_connection} requests a connection`,
  };
}

/**
 * The model's mean time of one call to a cache or database, ms: its response, and with a
 * `bandwidth` its answers' time on its link per call (Little: transfers in flight over calls per
 * second; a cache's misses send none). The services' call timers run until the answer is in,
 * so the measured call has the real transfer in it (and the link relay's own hop): without this
 * term the fit put the transfer into call_overhead, and the model charged it twice (cache-link.yaml:
 * 17 ms a call).
 */
export function storeCallMs(r: SimResult, name: string): number | undefined {
  const c = r.components[name];
  if (!c) return undefined;
  const link = c.link && c.throughput.mean > 0 ? (c.link.transfersInFlight.mean / c.throughput.mean) * 1000 : 0;
  return c.responseMs.mean.mean + link;
}

/**
 * A link's time per request as the measured run realized it over the model's at the same rate
 * (1 without the relay's figures). The transfers a class's measured latency holds are the run's
 * own: its sizes and its arrivals, whose time on a processor-sharing link at 35-40% busy varies by
 * about 10% from one 5 s batch to the next; and the app's sizes are a seeded sequence, the same
 * draws in every run (bandwidth-link.yaml's api-1: the first 1,000-1,400 blobs average 51.4-52.3 kB
 * for the model's 50 kB, so every run's link is 3-4% busier and slower than the model's). Taking
 * the model's expected time off it instead put the difference into
 * the balancer's overhead, weighted by the sized classes' share of the requests: a mean fit
 * whose "real system" drew other random numbers than the model's (seed 7 against 19) was 0.75 ms
 * off a 2.5 ms overhead (overhead-spread.test.ts). The relay's sum of its transfers' times (and
 * their late releases) per second, over the clients' requests per second, against the model's
 * transfers in flight over its throughput at that component: the class's model time on the link
 * times this ratio is its realized one. The relay's sum includes the HTTP heads (requests, empty
 * answers and every answer's own head), which the model does not count: their share is taken off
 * by bytes (under processor sharing a transfer's mean time is proportional to its size, E[T | x] =
 * x / (C (1 - rho))), about 0.5% on bandwidth-link.yaml. Late releases stay in: the clients wait them.
 */
export function realizedLinkScale(r: SimResult, m: Pick<Measured, "links" | "classes">, component: string): number {
  const w = m.links?.[component];
  const model = r.components[component];
  const rate = Object.values(m.classes).reduce((x, c) => x + c.throughput, 0);
  if (!w || !model?.link || !(w.seconds > 0) || !(rate > 0) || !(model.throughput.mean > 0) || !Number.isFinite(w.transferSeconds)) return 1;
  const modelMs = (model.link.transfersInFlight.mean / model.throughput.mean) * 1000;
  const bodyShare = w.bodyBytes > 0 ? w.bodyBytes / (w.bodyBytes + w.headBytes) : 1;
  const measuredMs = (((w.transferSeconds * bodyShare + w.lateSeconds) / w.seconds) / rate) * 1000;
  return modelMs > 0 ? measuredMs / modelMs : 1;
}

/** One fit: the parameters that make the model's per-hop means those measured at `rate`. */
export function fitHops(scenario: Scenario, m: Measured, rate: number, o: { durationS: number; warmupS: number }): CalibratedParameter[] {
  // with regions: the same software in every region, its costs fitted once and shared (calibrate-regions.ts)
  if (Object.keys(scenario.regions ?? {}).length > 0) return fitRegionalHops(scenario, m, rate, o, { apply: applyCalibration, storeCall: storeCallMs, healthy });
  const p = parts(scenario);
  const hops = m.hops;
  if (!hops || Object.keys(hops.serviceMs).length === 0) {
    throw new MeasureError(`scenario '${scenario.name}': the calibration run read no per-class times from the services' metrics`);
  }
  const yamlOverhead = ms(field(scenario, p.service, "overhead"));
  const callKinds = (["cache", "database"] as const).filter((k) => hops.calls[k]);
  const confirmMs = hops.calls.queue?.meanMs;
  let lbMs = p.lb ? ms(field(scenario, p.lb, "overhead")) : 0;
  // its spread: a lognormal's cv (0: the constant), fitted once the means are (overhead-spread.ts)
  let lbCv = 0;
  let lbSpread = "";
  // the client side of each call, each way: what the measured calls take beyond the model's response
  let costMs = 0;
  let overheadMs = yamlOverhead;
  let excessPerCall = 0;
  // without a balancer: each direct class's edge to the service, one way (the YAML's, then fitted)
  const direct = p.lb ? [] : directClasses(scenario, p.service).filter((c) => m.classes[c] && hops.serviceMs[c]);
  const yamlEdge = (cls: string) => ms((scenario.load.classes[cls].flow[0] as { network?: Dist }).network);
  const edgeMs: Record<string, number> = Object.fromEntries(direct.map((c) => [c, yamlEdge(c)]));
  const handshake = tlsHandshakeFit(scenario, p.lb, m);
  const params = (): CalibratedParameter[] => [
    ...(handshake ? [handshake] : []),
    ...(p.lb ? [{ parameter: `components.${p.lb}.overhead`, valueMs: lbMs, ...(lbCv > 0 ? { cv: lbCv } : {}), how: `mean client latency (its connection set-up included) - mean time at the replica (per class, request-weighted) - the model's other time at the balancer (its queue wait; with TLS, the handshakes and passes through its CPUs and their waits; with links, its and the service's transfers)${lbSpread}` }] : []),
    ...direct.map((c) => ({ parameter: `load.classes.${c}.flow.0.network`, valueMs: edgeMs[c], how: `half of the class's mean client latency - its mean time at the replica (${(m.classes[c].latencyMs.mean - hops.serviceMs[c].meanMs).toFixed(3)} ms): no balancer, so the client's side of the call to ${p.service}, each way` })),
    ...(callKinds.length ? [{ parameter: `components.${p.service}.call_overhead`, valueMs: costMs, how: `half the mean excess of ${callKinds.join(" and ")} calls over the model's response and its link's time per call, if any (${excessPerCall.toFixed(3)} ms per call, call-weighted): the client side of a call, each way` }] : []),
    // the model draws the service's call_overhead on a publish's two legs too, so the fitted cost
    // per call is already charged there: the confirm is what the publish took beyond it (charging
    // both made queue-offload's create_order 20% slow)
    // With confirm_wake the model adds a wake-up that depends on the publish rate: the confirm fitted
    // here is the rest, less the wake's mean at the measured rate (all the service's publishes: the
    // app's metric does not tell queues apart)
    ...(confirmMs !== undefined ? p.queues.map((q) => {
      const wake = (scenario.components[q] as { confirm_wake?: { cost: number; idle: number } }).confirm_wake;
      const wakeMs = wake ? wakeMoments(wake, hops.calls.queue?.perSecond ?? 0).mean * 1000 : 0;
      const valueMs = Math.max(0, confirmMs - costMs * 2 - wakeMs);
      const samplesMs = spreadOf(hops.calls.queue?.buckets, valueMs);
      return { parameter: `components.${q}.confirm`, valueMs, how: `mean time from publish to the broker's confirm (${confirmMs.toFixed(3)} ms) less the fitted call_overhead of its two legs${wake ? ` and confirm_wake's mean at ${(hops.calls.queue?.perSecond ?? 0).toFixed(1)} publishes/s (${wakeMs.toFixed(3)} ms)` : ""}${samplesMs ? `; its spread from the publishes' histogram, ${samplesMs.length} quantiles` : ""}`, ...(samplesMs ? { samplesMs } : {}) };
    }) : []),
    { parameter: `components.${p.service}.overhead`, valueMs: overheadMs, how: `YAML overhead ${yamlOverhead.toFixed(3)} ms + mean time at the replica - the model's (per class, request-weighted)${hops.holdMs !== undefined ? `; slot time per request ${hops.holdMs.toFixed(3)} ms` : ""}` },
  ];
  const sim = (): SimResult => simulate(healthy(withRate(applyCalibration(scenario, params()), rate)), { duration: o.durationS, warmup: o.warmupS, hops: true });
  const linkScale = (r: SimResult, component: string) => realizedLinkScale(r, m, component);
  // the model's time at the balancer for a class, but the overhead being fitted: its queue wait,
  // with TLS its handshakes, its passes through the CPUs and their waits, and with a `bandwidth`
  // its transfers on its link (the hop breakdown). The measured client latency has the real
  // transfers in it: left in, the overhead would carry them and the model would charge them twice.
  // `realized`: the link's time as the run realized it (linkScale), for what is taken off the
  // measured latency; without it the model's own, for the model's side of the same sum
  const lbOther = (r: SimResult, cls: string, realized = false): number | undefined => {
    const hops = p.lb ? r.classes[cls]?.hopsMs : undefined;
    if (!hops) return undefined;
    // a balancer with no time at all (no overhead yet, no waits, no link) is not in the breakdown:
    // 0, not unknown (which left a YAML without an overhead uncalibrated, at 0)
    const h = hops.components[p.lb!];
    return (h ? h.waitMs.mean + h.serviceMs.mean + (h.linkMs?.mean ?? 0) * (realized ? linkScale(r, p.lb!) : 1) : 0) - lbMs;
  };
  // the service's answers on its own link: after the replica's clock stops, so outside its time
  const serviceLink = (r: SimResult, cls: string, realized = false) => (r.classes[cls]?.hopsMs?.components[p.service]?.linkMs?.mean ?? 0) * (realized ? linkScale(r, p.service) : 1);
  for (let pass = 0; pass < 2; pass++) {
    let r = sim();
    if (p.lb) {
      const d = overClasses(m, (cls, serviceMs) => {
        const other = lbOther(r, cls, true);
        return m.classes[cls] && other !== undefined ? m.classes[cls].latencyMs.mean - serviceMs - other - serviceLink(r, cls, true) : undefined;
      });
      if (d !== undefined) lbMs = Math.max(0, d);
    }
    for (const c of direct) edgeMs[c] = Math.max(0, (m.classes[c].latencyMs.mean - hops.serviceMs[c].meanMs) / 2);
    let sum = 0, w = 0;
    for (const k of callKinds) {
      const names = k === "cache" ? p.caches : p.databases;
      for (const name of names) {
        const model = storeCallMs(r, name);
        if (model === undefined || !Number.isFinite(model)) continue;
        sum += (hops.calls[k]!.meanMs - model) * hops.calls[k]!.perSecond;
        w += hops.calls[k]!.perSecond;
      }
    }
    excessPerCall = w > 0 ? sum / w : 0;
    costMs = Math.max(0, excessPerCall / 2);
    r = sim();
    const d = overClasses(m, (cls, serviceMs) => {
      const c = r.classes[cls];
      // the model's time at the replica: its class latency less what it draws before and after it
      const outside = (p.lb ? lbMs + (lbOther(r, cls) ?? 0) : 2 * (edgeMs[cls] ?? 0)) + serviceLink(r, cls);
      return c ? serviceMs - (c.latencyMs.mean.mean - outside) : undefined;
    });
    if (d !== undefined) overheadMs = Math.max(0, overheadMs + d);
  }
  if (p.lb && lbMs > 0) {
    const f = fitSpread((cv) => {
      lbCv = cv;
      return sim();
    }, m.classes);
    lbCv = f.cv;
    lbSpread = `; spread: ${f.cv > 0 ? `lognormal, cv ${f.cv}` : "none (a constant)"}, the cv whose model p50/p95/p99 come nearest the measured ones (squared log ratios, request-weighted: ${f.miss.toFixed(4)}, the constant's ${f.missConstant.toFixed(4)})`;
  }
  return params();
}

export interface CalibrateOptions {
  scenario: Scenario;
  file: string;
  outDir: string;
  durationS: number;
  warmupS: number;
  /** calibration runs in a row at each rate (their median is used; their spread is reported) */
  runs?: number;
  /**
   * the calibration's offered rates, req/s: one (every level gets its fit) or two (each level the
   * values at its rate between them, calibration-at.ts); default CALIBRATION_LEVELS of the predicted saturation
   */
  rates?: number[];
  maxLagMs?: number;
  signal?: AbortSignal;
  log?: (s: string) => void;
}

export interface Calibration {
  /** the parameters fitted at `rate` (the lower rate with two) */
  parameters: CalibratedParameter[];
  /** the offered rate of the calibration runs (the lower one with two) */
  rate: number;
  /** each run's parameters, when there were several */
  runs: CalibratedParameter[][];
  /** with two rates: the fit at the upper one (calibrationAt gives each level's values between them) */
  upper?: { rate: number; parameters: CalibratedParameter[]; runs: CalibratedParameter[][] };
}

/** The calibration rates (req/s) for a scenario: the given ones, else CALIBRATION_LEVELS of its predicted saturation. */
export function calibrationRates(scenario: Scenario, given?: readonly number[]): number[] {
  if (given?.length) return [...given].sort((a, b) => a - b);
  const sat = predictSaturation(scenario).rate;
  const rates = [...new Set(CALIBRATION_LEVELS.map((l) => Math.max(1, Math.round(l * sat))))];
  return rates;
}

export async function calibrate(o: CalibrateOptions): Promise<Calibration> {
  const log = o.log ?? (() => {});
  // the parts checked before anything starts (a clear error, not a run that cannot be fitted)
  if (Object.keys(o.scenario.regions ?? {}).length > 0) regionalParts(o.scenario);
  else parts(o.scenario);
  const rates = calibrationRates(o.scenario, o.rates);
  if (rates.length > 2) throw new MeasureError(`${o.file}: calibration takes one or two rates, got ${rates.length}`);
  const fits: Array<{ rate: number; parameters: CalibratedParameter[]; runs: CalibratedParameter[][] }> = [];
  for (const [k, rate] of rates.entries()) {
    const why = o.rates?.length ? "--calibrate-rate" : `${CALIBRATION_LEVELS[k]} of predicted saturation`;
    fits.push(await calibrateAt(o, rate, why, rates.length > 1 ? join(o.outDir, `rate-${rate}`) : o.outDir, log));
  }
  const [lower, upper] = fits as [typeof fits[0], typeof fits[0] | undefined];
  return { parameters: lower.parameters, rate: lower.rate, runs: lower.runs, ...(upper ? { upper } : {}) };
}

/** The fit at one rate: `runs` runs in a row, the median of each parameter. */
async function calibrateAt(o: CalibrateOptions, rate: number, why: string, outDir: string, log: (s: string) => void): Promise<{ rate: number; parameters: CalibratedParameter[]; runs: CalibratedParameter[][] }> {
  const runs: CalibratedParameter[][] = [];
  for (let i = 0; i < Math.max(1, o.runs ?? 1); i++) {
    if (o.signal?.aborted) break;
    log(`calibration${(o.runs ?? 1) > 1 ? ` run ${i + 1}/${o.runs}` : ""}: ${rate} req/s (${why}) for ${o.durationS}s`);
    // without the scenario's scheduled failures: calibration measures the healthy system
    const t = await measureTrusted((attempt) => measureLevel({
      scenario: healthy(withRate(o.scenario, rate)), file: o.file, outDir: join(outDir, `run-${i + 1}${attempt > 1 ? "-retry" : ""}`),
      durationS: o.durationS, warmupS: o.warmupS, maxLagMs: o.maxLagMs, signal: o.signal, log,
    }), log);
    if (!t.reliable) throw new MeasureError(`${o.file}: the calibration run at ${rate} req/s was unreliable twice (${describeHealth(t.measured.generator)}): no calibration from a starved generator`);
    const fit = fitHops(o.scenario, t.measured, rate, o);
    log(`  ${fit.map((p) => `${p.parameter} ${p.valueMs.toFixed(3)} ms`).join(", ")}`);
    runs.push(fit);
  }
  if (runs.length === 0) throw new MeasureError(`${o.file}: calibration interrupted`);
  const parameters = runs[0].map((p, j) => {
    const values = runs.map((r) => r[j].valueMs).sort((a, b) => a - b);
    const median = values[Math.floor((values.length - 1) / 2)];
    const spread = values[values.length - 1] - values[0];
    // a measured spread is the median run's
    const at = runs.find((r) => r[j].valueMs === median)?.[j];
    return runs.length === 1 ? p : { ...p, valueMs: median, how: `${p.how}; median of ${runs.length} runs (${values.map((v) => v.toFixed(3)).join(", ")} ms: spread ${spread.toFixed(3)} ms)`, samplesMs: at?.samplesMs, cv: at?.cv, dist: at?.dist };
  });
  return { parameters, rate, runs: runs.length > 1 ? runs : [] };
}

/**
 * The scenario file with the calibrated values written in (comments and layout kept), each with a
 * comment saying what it replaced: what a user reads to see exactly what calibration added.
 */
export function calibratedYaml(text: string, c: Calibration, comment: (was: string, p: CalibratedParameter) => string = (was, p) => ` calibrated at ${c.rate} req/s (${was})${upperNote(c, p)}`): string {
  const doc = parseDocument(text);
  for (const p of c.parameters) {
    const path = p.parameter.split(".");
    const before = doc.getIn(path, true) as { toJSON?: () => unknown } | undefined;
    const was = before === undefined ? "not set" : `was ${JSON.stringify(before?.toJSON ? before.toJSON() : before)}`;
    const node = p.dist ? distNode(doc, p.dist) : p.samplesMs ? doc.createNode({ dist: "empirical", samples: p.samplesMs.map((x) => `${Number(x.toFixed(3))}ms`), ...timedYaml(p) }, { flow: true })
      : p.cv && p.valueMs > 0 ? doc.createNode({ dist: "lognormal", mean: `${Number(p.valueMs.toFixed(3))}ms`, cv: p.cv }, { flow: true })
      : new Scalar(`${Number(p.valueMs.toFixed(3))}ms`);
    node.comment = comment(was, p);
    doc.setIn(path, node);
    // a commented value inside a flow collection (`flow: [{ call: api }]`) reads better in block style
    for (let i = 1; i < path.length; i++) {
      const parent = doc.getIn(path.slice(0, i), true) as { flow?: boolean } | undefined;
      if (parent && typeof parent === "object" && parent.flow) parent.flow = false;
    }
  }
  // one line per value (no folding of long strings at 80 columns)
  return doc.toString({ lineWidth: 0 });
}

/** With two calibration rates: the parameter's value at the upper one, which validate's levels move towards. */
function upperNote(c: Pick<Calibration, "upper">, p: CalibratedParameter): string {
  const u = c.upper?.parameters.find((x) => x.parameter === p.parameter);
  return u && c.upper ? `; ${Number(u.valueMs.toFixed(3))}ms at ${c.upper.rate} req/s: validate predicts each level with the value at its rate between the two` : "";
}

export async function writeCalibratedYaml(text: string, c: Calibration, path: string): Promise<void> {
  await writeFile(path, `# ${path}: headroom validate --calibrate wrote the measured per-hop costs into a copy of the scenario\n${calibratedYaml(text, c)}`);
}
