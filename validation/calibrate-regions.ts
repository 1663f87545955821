// --calibrate with regions: each region runs the same software (HAProxy, the Node service, the
// Redis and PostgreSQL clients, the relays), so the per-hop costs the YAML does not state are fitted
// once and shared: one balancer overhead for every balancer a geo route reaches, one call_overhead
// for every service, one excess over each service's YAML overhead, one broker confirm. What differs
// between regions is what the model already draws: the crossings (a west service's query to an
// east database takes the round trip across), which are taken off each service's measured calls
// before the fit, so a crossing is never charged twice. Each service's own figures come from its
// replicas (Measured.hopsByService); the class latencies from the load generator.
// Trade-off: a shared cost is a mean over the regions' requests: a region whose hops cost more on
// this machine (one more relay on the way) is fitted at the mean. Services the geo routes do not
// reach (an inner tier) keep their YAML costs: their excess is inside their callers' measured time,
// so it is folded into the shared service overhead. A CDN's classes (their requests answered at the
// edge) are left out of the balancer and service fits; once those are fitted, the rest of such a
// class's mean latency (the edge relay's hop, nginx) is its users' call to the CDN, half each way.
import { simulate, meanOf, type Dist, type Scenario, type SimResult } from "../simulator/index.ts";
import { latencyBetween } from "../simulator/model/index.ts";
import { wakeMoments } from "../simulator/analytic/index.ts";
import type { CalibratedParameter } from "./report.ts";
import type { Measured } from "./measure.ts";
import { MeasureError } from "./measure.ts";
import { LevelError, withRate } from "./levels.ts";

type Hops = NonNullable<Measured["hops"]>;

/** The parts a regional fit shares its costs over. */
export interface RegionalParts {
  /** every balancer a geo route reaches */
  lbs: string[];
  /** the services the geo routes reach (through their balancers or directly) */
  entries: string[];
  /** every service (an inner tier keeps its YAML costs but for call_overhead) */
  services: string[];
  queues: string[];
  /** classes whose first call is a geo route to balancers, and to services directly */
  viaLb: string[];
  direct: string[];
  /** classes whose first call is a CDN */
  cdnClasses: string[];
}

const ms = (d: Dist | undefined) => (d ? meanOf(d) * 1000 : 0);
const comp = (s: Scenario, n: string) => s.components[n] as unknown as Record<string, unknown> & { kind: string; region?: string };

/** Every name a service's handlers call or publish to (miss branches and nested steps included). */
export function calledBy(s: Scenario, service: string): Set<string> {
  const out = new Set<string>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object") {
      for (const [k, v] of Object.entries(x)) {
        if ((k === "call" || k === "publish") && typeof v === "string") out.add(v);
        else walk(v);
      }
    }
  };
  const c = comp(s, service);
  walk(c.handlers);
  walk(c.flow);
  return out;
}

/** The balancers and services a regional scenario's geo routes reach, and how each class enters. */
export function regionalParts(s: Scenario): RegionalParts {
  const of = (kind: string) => Object.entries(s.components).filter(([, x]) => x.kind === kind).map(([n]) => n);
  const geo = s.geo ?? {};
  const lbs = new Set<string>(), entries = new Set<string>();
  for (const targets of Object.values(geo)) {
    for (const t of targets) {
      const c = s.components[t];
      if (c?.kind === "load_balancer") {
        lbs.add(t);
        entries.add(c.backends);
      } else entries.add(t); // the parser lets a geo route reach balancers and services only
    }
  }
  if (entries.size === 0) throw new LevelError(`scenario '${s.name}': calibration with regions needs a geo route to the regions' balancers or services`);
  const viaLb: string[] = [], direct: string[] = [], cdnClasses: string[] = [];
  for (const [cls, c] of Object.entries(s.load.classes)) {
    const first = (c.flow[0] as { call?: string } | undefined)?.call;
    if (first === undefined) continue;
    if (s.components[first]?.kind === "cdn") cdnClasses.push(cls);
    else if (geo[first]) (geo[first].every((t) => s.components[t]?.kind === "load_balancer") ? viaLb : direct).push(cls);
  }
  if (viaLb.length && direct.length) throw new LevelError(`scenario '${s.name}': calibration with regions takes geo routes to balancers or to services, not both (classes ${viaLb.join(", ")} and ${direct.join(", ")})`);
  return { lbs: [...lbs], entries: [...entries], services: of("service"), queues: of("queue"), viaLb, direct, cdnClasses };
}

/** Round trip between two components' regions, ms (0 within a region or without regions). */
export function crossingMs(s: Scenario, a: string, b: string): number {
  const d = latencyBetween(s, comp(s, a)?.region, comp(s, b)?.region);
  return d ? 2 * meanOf(d) * 1000 : 0;
}

/** Several services' per-class times at their replicas as one: count-weighted means. */
export function mergeServiceMs(byService: Record<string, Hops>, services: readonly string[]): Hops["serviceMs"] {
  const out: Hops["serviceMs"] = {};
  for (const sv of services) {
    for (const [cls, h] of Object.entries(byService[sv]?.serviceMs ?? {})) {
      const o = out[cls] ?? { meanMs: 0, count: 0 };
      const count = o.count + h.count;
      out[cls] = { meanMs: count > 0 ? (o.meanMs * o.count + h.meanMs * h.count) / count : 0, count };
    }
  }
  return out;
}

/**
 * The mean excess per call of one kind over the model's (the store's response, its link's time
 * per call, and the round trip across regions when the store is in another region than the
 * caller), weighted by each service's measured call rate; undefined without such calls.
 */
export function callExcess(s: Scenario, byService: Record<string, Hops>, kind: "cache" | "database", modelMs: (store: string) => number | undefined): number | undefined {
  let sum = 0, w = 0;
  for (const [sv, h] of Object.entries(byService)) {
    const c = h.calls[kind];
    if (!c || !(c.perSecond > 0)) continue;
    const stores = [...calledBy(s, sv)].filter((n) => s.components[n]?.kind === kind);
    const models = stores.map((n) => { const m = modelMs(n); return m === undefined ? undefined : m + crossingMs(s, sv, n); }).filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (!models.length) continue;
    const model = models.reduce((a, b) => a + b, 0) / models.length;
    sum += (c.meanMs - model) * c.perSecond;
    w += c.perSecond;
  }
  return w > 0 ? sum / w : undefined;
}

/** The measured publish-to-confirm time, less each publisher's crossing to its queues, rate-weighted; and the publish rate. */
export function confirmNetOfCrossings(s: Scenario, byService: Record<string, Hops>): { meanMs: number; perSecond: number } | undefined {
  let sum = 0, w = 0;
  for (const [sv, h] of Object.entries(byService)) {
    const c = h.calls.queue;
    if (!c || !(c.perSecond > 0)) continue;
    const queues = [...calledBy(s, sv)].filter((n) => s.components[n]?.kind === "queue");
    const cross = queues.length ? queues.reduce((a, q) => a + crossingMs(s, sv, q), 0) / queues.length : 0;
    sum += (c.meanMs - cross) * c.perSecond;
    w += c.perSecond;
  }
  return w > 0 ? { meanMs: sum / w, perSecond: w } : undefined;
}

type Apply = (s: Scenario, p: readonly CalibratedParameter[]) => Scenario;
type StoreCall = (r: SimResult, name: string) => number | undefined;

/**
 * One regional fit: the shared parameters that make the model's per-hop means those measured at
 * `rate`, written once per component they apply to. `apply`, `storeCall` and `healthy` are
 * calibrate.ts's (passed in, so the two files do not import each other).
 */
export function fitRegionalHops(scenario: Scenario, m: Measured, rate: number, o: { durationS: number; warmupS: number }, f: { apply: Apply; storeCall: StoreCall; healthy: (s: Scenario) => Scenario }): CalibratedParameter[] {
  const p = regionalParts(scenario);
  // one service in all: the app scrapes it alone, its figures are the run's
  const byService = m.hopsByService ?? (p.services.length === 1 && m.hops ? { [p.services[0]!]: m.hops } : {});
  const serviceMs = mergeServiceMs(byService, p.entries);
  const fitted = [...p.viaLb, ...p.direct].filter((c) => m.classes[c] && serviceMs[c]);
  if (fitted.length === 0) throw new MeasureError(`scenario '${scenario.name}': the calibration run read no per-class times from the regions' services (${p.entries.join(", ")})`);
  const callers = p.services.filter((sv) => [...calledBy(scenario, sv)].some((n) => ["cache", "database"].includes(scenario.components[n]?.kind ?? "")));
  const publish = confirmNetOfCrossings(scenario, byService);
  let lbMs = 0, costMs = 0, excessPerCall = 0, extraMs = 0;
  const edgeMs: Record<string, number> = Object.fromEntries(p.direct.map((c) => [c, ms((scenario.load.classes[c].flow[0] as { network?: Dist }).network)]));
  // a CDN's classes: the edge's own cost (the edge relay's hop, nginx), each way on the users' call to the CDN
  const cdnFitted = p.cdnClasses.filter((c) => m.classes[c] && m.classes[c].requests > 0);
  const cdnEdgeMs: Record<string, number> = Object.fromEntries(cdnFitted.map((c) => [c, ms((scenario.load.classes[c].flow[0] as { network?: Dist }).network)]));
  const shared = `shared by ${p.entries.length} services in ${Object.keys(scenario.regions ?? {}).length} regions`;
  const params = (): CalibratedParameter[] => [
    ...p.lbs.map((lb) => ({ parameter: `components.${lb}.overhead`, valueMs: lbMs, how: `one overhead for every balancer a geo route reaches (${p.lbs.join(", ")}): mean client latency - mean time at the replicas - the model's other time at the balancers (request-weighted over ${p.viaLb.join(", ")})` })),
    ...p.direct.filter((c) => m.classes[c] && serviceMs[c]).map((c) => ({ parameter: `load.classes.${c}.flow.0.network`, valueMs: edgeMs[c], how: `half of the class's mean client latency - its mean time at the regions' replicas: the client's side of the call to its region, each way` })),
    ...cdnFitted.map((c) => ({ parameter: `load.classes.${c}.flow.0.network`, valueMs: cdnEdgeMs[c], how: `half of the class's mean client latency (${m.classes[c].latencyMs.mean.toFixed(3)} ms) less the model's with the other fitted costs: the edge's own cost (the edge relay's hop and nginx), each way on the call to the CDN` })),
    ...callers.map((sv) => ({ parameter: `components.${sv}.call_overhead`, valueMs: costMs, how: `half the mean excess of cache and database calls over the model's response, its link's time and the round trip across regions (${excessPerCall.toFixed(3)} ms per call, call-weighted over every service): the client side of a call, each way, ${shared}` })),
    ...(publish ? p.queues.map((q) => {
      const wake = (scenario.components[q] as { confirm_wake?: { cost: number; idle: number } }).confirm_wake;
      const wakeMs = wake ? wakeMoments(wake, publish.perSecond).mean * 1000 : 0;
      return { parameter: `components.${q}.confirm`, valueMs: Math.max(0, publish.meanMs - costMs * 2 - wakeMs), how: `mean time from publish to confirm less each publisher's round trip across regions (${publish.meanMs.toFixed(3)} ms, rate-weighted) less the fitted call_overhead of its two legs${wake ? ` and confirm_wake's mean (${wakeMs.toFixed(3)} ms)` : ""}` };
    }) : []),
    ...p.entries.map((sv) => {
      const yaml = ms(comp(scenario, sv).overhead as Dist | undefined);
      return { parameter: `components.${sv}.overhead`, valueMs: Math.max(0, yaml + extraMs), how: `YAML overhead ${yaml.toFixed(3)} ms + the mean excess of the regions' replicas' time over the model's (${extraMs.toFixed(3)} ms, per class, request-weighted), ${shared}` };
    }),
  ];
  const sim = (): SimResult => simulate(f.healthy(withRate(f.apply(scenario, params()), rate)), { duration: o.durationS, warmup: o.warmupS, hops: true });
  // the model's time at the balancers for a class, but the overhead being fitted (each request passes one)
  const lbOther = (r: SimResult, cls: string): number => {
    const h = r.classes[cls]?.hopsMs?.components ?? {};
    return p.lbs.reduce((a, lb) => a + (h[lb] ? h[lb].waitMs.mean + h[lb].serviceMs.mean + (h[lb].linkMs?.mean ?? 0) : 0), 0) - (p.viaLb.includes(cls) ? lbMs : 0);
  };
  const serviceLink = (r: SimResult, cls: string) => p.entries.reduce((a, sv) => a + (r.classes[cls]?.hopsMs?.components[sv]?.linkMs?.mean ?? 0), 0);
  const weighted = (g: (cls: string) => number | undefined): number | undefined => {
    let sum = 0, w = 0;
    for (const cls of fitted) {
      const v = g(cls);
      if (v === undefined || !Number.isFinite(v)) continue;
      sum += v * serviceMs[cls].count;
      w += serviceMs[cls].count;
    }
    return w > 0 ? sum / w : undefined;
  };
  for (let pass = 0; pass < 2; pass++) {
    let r = sim();
    if (p.viaLb.length) {
      const d = weighted((cls) => (p.viaLb.includes(cls) ? m.classes[cls].latencyMs.mean - serviceMs[cls].meanMs - lbOther(r, cls) - serviceLink(r, cls) : undefined));
      if (d !== undefined) lbMs = Math.max(0, d);
    }
    for (const c of p.direct) if (m.classes[c] && serviceMs[c]) edgeMs[c] = Math.max(0, (m.classes[c].latencyMs.mean - serviceMs[c].meanMs) / 2);
    const kinds = (["cache", "database"] as const).map((k) => ({ e: callExcess(scenario, byService, k, (n) => f.storeCall(r, n)), w: Object.values(byService).reduce((a, h) => a + (h.calls[k]?.perSecond ?? 0), 0) })).filter((x) => x.e !== undefined && x.w > 0);
    const w = kinds.reduce((a, x) => a + x.w, 0);
    excessPerCall = w > 0 ? kinds.reduce((a, x) => a + x.e! * x.w, 0) / w : 0;
    costMs = Math.max(0, excessPerCall / 2);
    r = sim();
    const d = weighted((cls) => {
      const c = r.classes[cls];
      const outside = (p.viaLb.includes(cls) ? lbMs + lbOther(r, cls) : 2 * (edgeMs[cls] ?? 0)) + serviceLink(r, cls);
      return c ? serviceMs[cls].meanMs - (c.latencyMs.mean.mean - outside) : undefined;
    });
    if (d !== undefined) extraMs += d;
    // last, the CDN's classes: their misses cross the balancers and services just fitted
    if (cdnFitted.length) {
      r = sim();
      for (const c of cdnFitted) if (r.classes[c]) cdnEdgeMs[c] = Math.max(0, cdnEdgeMs[c] + (m.classes[c].latencyMs.mean - r.classes[c].latencyMs.mean.mean) / 2);
    }
  }
  return params();
}
