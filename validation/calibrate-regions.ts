// --calibrate with regions: each region runs the same software (HAProxy, the Node service, the
// Redis and PostgreSQL clients, the relays), so the per-hop costs the YAML does not state are fitted
// once and shared: one balancer overhead for every balancer a geo route reaches, one call_overhead
// for every service, one excess over each service's YAML overhead, one broker confirm. What differs
// between regions is what the model already draws: the crossings (a west service's query to an
// east database takes the round trip across), which are taken off each service's measured calls
// before the fit, so a crossing is never charged twice. Each service's own figures come from its
// replicas (Measured.hopsByService); the class latencies from the load generator.
// A crossing's own cost is not shared: each pair of regions the YAML gives a latency for gets its
// own, fitted last from what each region's users pay over the first region's (the reference app's
// relay on every crossing is one more TCP hop and event loop the model has not got): the pair's
// one-way latency is the YAML's shifted by it (constant, normal, uniform, empirical; a pair drawn
// from another family keeps the YAML's), and the stores' calls take the shifted crossing off.
// Trade-off: the crossing's fit takes all of a region's users' difference over the first region's
// to be its crossings' (a cache slower in one region would be charged to its crossings); with more
// pairs than regions less one, every pair gets one cost. Services the geo routes do not
// reach (an inner tier) keep their YAML costs: their excess is inside their callers' measured time,
// so it is folded into the shared service overhead. A CDN's classes (their requests answered at the
// edge) are left out of the balancer and service fits; once those are fitted, the rest of such a
// class's mean latency (the edge relay's hop, nginx) is its users' call to the CDN, half each way.
import { simulate, meanOf, type Dist, type Scenario, type SimResult } from "../simulator/index.ts";
import { latencyBetween } from "../simulator/model/index.ts";
import { wakeMoments } from "../simulator/analytic/index.ts";
import { Scalar, type Document, type Node } from "yaml";
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

/** The pairs of regions the YAML gives a latency for, under the region it is given under (regions.<a>.latency.<b>). */
export function crossingPairs(s: Scenario): Array<{ a: string; b: string; dist: Dist }> {
  const out: Array<{ a: string; b: string; dist: Dist }> = [];
  for (const [a, r] of Object.entries(s.regions ?? {})) for (const [b, dist] of Object.entries((r as { latency?: Record<string, Dist> }).latency ?? {})) out.push({ a, b, dist });
  return out;
}

/** A latency `by` seconds longer, same spread; undefined for a family a shift leaves (exponential, lognormal, ...). */
export function shiftDist(d: Dist, by: number): Dist | undefined {
  switch (d.dist) {
    case "constant": return { dist: "constant", value: d.value + by };
    case "normal": return { ...d, mean: d.mean + by };
    case "uniform": return { ...d, min: d.min + by, max: d.max + by };
    case "empirical": return { ...d, samples: d.samples.map((x) => x + by) as unknown as typeof d.samples };
    default: return undefined;
  }
}

/** A distribution shiftDist makes, as the YAML writes it (durations in ms). */
export function distNode(doc: Document, d: Dist): Node {
  const t = (x: number) => `${Number((x * 1000).toFixed(3))}ms`;
  switch (d.dist) {
    case "constant": return new Scalar(t(d.value));
    case "normal": return doc.createNode({ dist: "normal", mean: t(d.mean), sd: t(d.sd) }, { flow: true });
    case "uniform": return doc.createNode({ dist: "uniform", min: t(d.min), max: t(d.max) }, { flow: true });
    case "empirical": return doc.createNode({ dist: "empirical", samples: d.samples.map(t), ...(d.at ? { at: d.at.map((x) => `${Number(x.toFixed(3))}s`), window: `${d.window}s` } : {}) }, { flow: true });
    default: throw new Error(`calibration writes no ${d.dist} distribution`);
  }
}

/**
 * Least squares for a small system: the x minimizing |J x - e| (normal equations, Gaussian
 * elimination with partial pivoting); undefined when JᵀJ is singular.
 */
export function leastSquares(J: readonly (readonly number[])[], e: readonly number[]): number[] | undefined {
  const n = J[0]?.length ?? 0;
  const A = Array.from({ length: n }, (_, i) => [...Array.from({ length: n }, (_, j) => J.reduce((a, row) => a + row[i]! * row[j]!, 0)), J.reduce((a, row, k) => a + row[i]! * e[k]!, 0)]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    if (!(Math.abs(A[piv]![c]!) > 1e-12)) return undefined;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / A[c]![c]!;
      const row = A[r]!, top = A[c]!;
      for (let k = c; k <= n; k++) row[k] = row[k]! - f * top[k]!;
    }
  }
  return A.map((row, i) => row[n]! / row[i]!);
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
  // each pair's crossing: its own cost per leg (ms), fitted last in each pass
  const pairs = crossingPairs(scenario).filter((x) => shiftDist(x.dist, 0) !== undefined);
  const crossMs = pairs.map(() => 0);
  let crossFitted = false, crossHow = "";
  const crossings = (): CalibratedParameter[] => (crossFitted ? pairs.map((x, i) => ({
    parameter: `regions.${x.a}.latency.${x.b}`, valueMs: ms(x.dist) + crossMs[i]!, dist: shiftDist(x.dist, crossMs[i]! / 1000)!,
    how: `the YAML's ${x.dist.dist} latency (mean ${ms(x.dist).toFixed(3)} ms) + ${crossMs[i]!.toFixed(3)} ms each way: the crossing's own cost (the relay's hop on every crossing), fitted so that ${crossHow}`,
  })) : []);
  // the stores' and the queues' calls take the crossing as the model draws it, its own cost included
  const crossed = () => f.apply(scenario, crossings());
  let publish = confirmNetOfCrossings(scenario, byService);
  let lbMs = 0, costMs = 0, excessPerCall = 0, extraMs = 0;
  const edgeMs: Record<string, number> = Object.fromEntries(p.direct.map((c) => [c, ms((scenario.load.classes[c].flow[0] as { network?: Dist }).network)]));
  // a CDN's classes: the edge's own cost (the edge relay's hop, nginx), each way on the users' call to the CDN
  const cdnFitted = p.cdnClasses.filter((c) => m.classes[c] && m.classes[c].requests > 0);
  const cdnEdgeMs: Record<string, number> = Object.fromEntries(cdnFitted.map((c) => [c, ms((scenario.load.classes[c].flow[0] as { network?: Dist }).network)]));
  const shared = `shared by ${p.entries.length} services in ${Object.keys(scenario.regions ?? {}).length} regions`;
  const confirms = (): CalibratedParameter[] => {
    const pub = publish;
    return pub ? p.queues.map((q) => {
      const wake = (scenario.components[q] as { confirm_wake?: { cost: number; idle: number } }).confirm_wake;
      const wakeMs = wake ? wakeMoments(wake, pub.perSecond).mean * 1000 : 0;
      return { parameter: `components.${q}.confirm`, valueMs: Math.max(0, pub.meanMs - costMs * 2 - wakeMs), how: `mean time from publish to confirm less each publisher's round trip across regions (${pub.meanMs.toFixed(3)} ms, rate-weighted) less the fitted call_overhead of its two legs${wake ? ` and confirm_wake's mean (${wakeMs.toFixed(3)} ms)` : ""}` };
    }) : [];
  };
  const params = (): CalibratedParameter[] => [
    ...p.lbs.map((lb) => ({ parameter: `components.${lb}.overhead`, valueMs: lbMs, how: `one overhead for every balancer a geo route reaches (${p.lbs.join(", ")}): mean client latency - mean time at the replicas - the model's other time at the balancers (request-weighted over ${p.viaLb.join(", ")})` })),
    ...p.direct.filter((c) => m.classes[c] && serviceMs[c]).map((c) => ({ parameter: `load.classes.${c}.flow.0.network`, valueMs: edgeMs[c], how: `half of the class's mean client latency - its mean time at the regions' replicas: the client's side of the call to its region, each way` })),
    ...cdnFitted.map((c) => ({ parameter: `load.classes.${c}.flow.0.network`, valueMs: cdnEdgeMs[c], how: `half of the class's mean client latency (${m.classes[c].latencyMs.mean.toFixed(3)} ms) less the model's with the other fitted costs: the edge's own cost (the edge relay's hop and nginx), each way on the call to the CDN` })),
    ...callers.map((sv) => ({ parameter: `components.${sv}.call_overhead`, valueMs: costMs, how: `half the mean excess of cache and database calls over the model's response, its link's time and the round trip across regions (${excessPerCall.toFixed(3)} ms per call, call-weighted over every service): the client side of a call, each way, ${shared}` })),
    ...confirms(),
    ...p.entries.map((sv) => {
      const yaml = ms(comp(scenario, sv).overhead as Dist | undefined);
      return { parameter: `components.${sv}.overhead`, valueMs: Math.max(0, yaml + extraMs), how: `YAML overhead ${yaml.toFixed(3)} ms + the mean excess of the regions' replicas' time over the model's (${extraMs.toFixed(3)} ms, per class, request-weighted), ${shared}` };
    }),
    ...crossings(),
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
  // Each region's users' mean over the first region's users', model less measured: one equation per
  // region; one unknown per pair (its own cost per leg), the pairs' effects on the differences by a
  // finite step of the model (a pair no request crosses moves nothing and is not fitted).
  const measuredRegions = Object.keys(scenario.regions ?? {}).filter((g) => (m.regions?.[g]?.requests ?? 0) > 0 && Number.isFinite(m.regions![g]!.latencyMs.mean));
  const fitCrossings = (): void => {
    if (pairs.length === 0 || measuredRegions.length < 2) return;
    const [ref, ...others] = measuredRegions as [string, ...string[]];
    const over = (g: string) => m.regions![g]!.latencyMs.mean - m.regions![ref]!.latencyMs.mean;
    const resid = (r: SimResult) => others.map((g) => {
      const a = r.regions?.[g], b = r.regions?.[ref];
      return a && b ? a.latencyMs.mean.mean - b.latencyMs.mean.mean - over(g) : NaN;
    });
    // the model with the pair's latencies written in while they are fitted (shifted by 0 at first)
    const was = crossFitted;
    crossFitted = true;
    const base = resid(sim());
    if (base.some((x) => !Number.isFinite(x))) return void (crossFitted = was);
    const STEP_MS = 1;
    const cols = pairs.map((_, i) => {
      crossMs[i]! += STEP_MS;
      const e = resid(sim());
      crossMs[i]! -= STEP_MS;
      return e.map((x, k) => (x - base[k]!) / STEP_MS);
    });
    const used = pairs.map((_, i) => i).filter((i) => cols[i]!.some((x) => Math.abs(x) > 0.05));
    if (used.length === 0) return void (crossFitted = was);
    // more pairs crossed than equations: one cost for all of them
    const one = used.length > others.length;
    const J = others.map((_, k) => (one ? [used.reduce((a, i) => a + cols[i]![k]!, 0)] : used.map((i) => cols[i]![k]!)));
    const x = leastSquares(J, base.map((v) => -v));
    if (!x) return void (crossFitted = was);
    used.forEach((i, j) => (crossMs[i] = Math.max(0, crossMs[i]! + x[one ? 0 : j]!)));
    crossHow = `${others.map((g) => `${g}'s users' mean over ${ref}'s is the measured ${over(g).toFixed(3)} ms`).join(", ")}${one ? ` (one cost for the ${used.length} pairs crossed: more than the regions' differences)` : ""}`;
  };
  for (let pass = 0; pass < 2; pass++) {
    let r = sim();
    if (p.viaLb.length) {
      const d = weighted((cls) => (p.viaLb.includes(cls) ? m.classes[cls].latencyMs.mean - serviceMs[cls].meanMs - lbOther(r, cls) - serviceLink(r, cls) : undefined));
      if (d !== undefined) lbMs = Math.max(0, d);
    }
    for (const c of p.direct) if (m.classes[c] && serviceMs[c]) edgeMs[c] = Math.max(0, (m.classes[c].latencyMs.mean - serviceMs[c].meanMs) / 2);
    const withCrossings = crossed();
    publish = confirmNetOfCrossings(withCrossings, byService);
    const kinds = (["cache", "database"] as const).map((k) => ({ e: callExcess(withCrossings, byService, k, (n) => f.storeCall(r, n)), w: Object.values(byService).reduce((a, h) => a + (h.calls[k]?.perSecond ?? 0), 0) })).filter((x) => x.e !== undefined && x.w > 0);
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
    fitCrossings();
    // last, the CDN's classes: their misses cross the balancers and services just fitted
    if (cdnFitted.length) {
      r = sim();
      for (const c of cdnFitted) if (r.classes[c]) cdnEdgeMs[c] = Math.max(0, cdnEdgeMs[c] + (m.classes[c].latencyMs.mean - r.classes[c].latencyMs.mean.mean) / 2);
    }
  }
  return params();
}
