// The analytic estimate of a scenario at a steady load: per component utilization, throughput and
// mean response time, per class mean latency (and p95/p99 from a gamma fit of its mean and
// variance). Open loads: Jackson decomposition (traffic.ts, times.ts). Closed loads: exact MVA with
// Seidmann's multi-server approximation over the queueing nodes (mva.ts); slots and pools, which
// MVA cannot hold across calls, are then solved as open groups at the MVA throughput. What it
// leaves out is listed in `notes`: finite buffers, backlogs and timeouts (queues are unbounded),
// the ramp of staged loads (the peak is taken as steady), failures and autoscaling.
import type { Scenario } from "../model/schema.ts";
import { instancesOf } from "../result.ts";
import { peakRate } from "../model/traffic.ts";
import { meanOf } from "../model/dist-moments.ts";
import { ZERO, mix, quantileOf, seq, type Moments } from "./station.ts";
import { distMoments, Traffic } from "./traffic.ts";
import { Times } from "./times.ts";
import { mva, type MvaStation } from "./mva.ts";
import { own } from "../model/own.ts";
import { cdnAnalytic } from "../components/cdn/index.ts";
import { balancerAnalytic } from "../components/load-balancer/index.ts";
import { databaseAnalytic } from "../components/database/index.ts";
import { queueAnalytic } from "../components/queue/index.ts";
import { linkBytesPerSecond } from "../model/payload.ts";
import { bandwidthBetween } from "../model/regions.ts";
import { GB } from "../components/function/index.ts";
import { realtimeAnalytic } from "../components/realtime/index.ts";
import { stationAnalytic } from "../components/station/index.ts";
import { serviceAnalytic } from "../components/service/index.ts";

export const ANALYTIC_SCHEMA = "headroom.analytic/v1";

export interface AnalyticClass {
  readonly throughput: number;
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p90: number; readonly p95: number; readonly p99: number; readonly p999: number };
}

export interface AnalyticComponent {
  readonly kind: string;
  /** Units of its main resource (servers, slots, connections, workers); null when unbounded. */
  readonly servers: number | null;
  readonly throughput: number;
  /** Busy share of its units; for nodes with several parts, the average (as the simulator reports it). */
  readonly utilization: number | null;
  /** The busiest part's utilization (a hot shard, a busy partition); equals utilization otherwise. */
  readonly peakUtilization: number | null;
  readonly waitMs: number;
  /** Wait plus service (or slot holding time) per request. */
  readonly responseMs: number;
  readonly hitRatio?: number;
  readonly poolWaitMs?: number;
  /** Functions: share of invocations starting cold, share refused (429; 0 when they queue), instances active. */
  readonly coldStartShare?: number;
  readonly throttled?: number;
  readonly activeInstances?: number;
  readonly parts?: Record<string, { utilization: number; throughput: number }>;
  /** A component with `bandwidth`: its egress link as an M/G/1-PS server (utilization = offered bits / capacity). */
  readonly link?: { readonly utilization: number; readonly transfersPerSecond: number; readonly bitsPerSecond: number };
  /** A realtime component: connections held (M/G/c/c), their blocking, messages in, recipients per message. */
  readonly realtime?: { readonly connections: number; readonly blocking: number; readonly messagesInPerSecond: number; readonly recipientsPerMessage: number; readonly sendUtilization: number; readonly backboneUtilization: number };
}

export interface AnalyticResult {
  readonly schema: typeof ANALYTIC_SCHEMA;
  readonly scenario: string;
  readonly model: "open" | "closed";
  /** Arrival rate per second (open) or users (closed) the estimate is for. */
  readonly load: number;
  readonly throughput: number;
  /** False when some component is offered more work than it can do: latencies are then Infinity. */
  readonly stable: boolean;
  readonly classes: Record<string, AnalyticClass>;
  readonly components: Record<string, AnalyticComponent>;
  /** The component with the highest peak utilization (balancers excluded: they mirror their backends). */
  readonly bottleneck: string | null;
  /** Its busiest part (a shard node, a pool, a partition), or the component itself. */
  readonly bottleneckPart: string | null;
  /** Links between regions with a `bandwidth` that sized calls cross ("from->to"), as M/G/1-PS servers. */
  readonly regionLinks?: Record<string, { readonly utilization: number; readonly transfersPerSecond: number; readonly bitsPerSecond: number }>;
  /** Requests per second over every caller -> callee edge ("from->to", "users" for the classes' own
   * calls), named as a simulation's `edges` (result.ts); the expected rates of the flows, without
   * retries, refusals or failovers, and with the model's hit ratios. */
  readonly edges: Record<string, { readonly requestsPerSecond: number }>;
  readonly costPerHour: number | null;
  readonly notes: string[];
}

export interface AnalyticOptions {
  /** Total arrival rate per second for an open load (default: its peak rate). */
  readonly rate?: number;
  /** Users for a closed load (default: its users, or the peak of its stages). */
  readonly users?: number;
}

/** The nominal level of a scenario's load: peak rate per second (open) or peak users (closed). */
export function nominalLoad(s: Scenario): number {
  const load = s.load;
  if (load.model === "open") return peakRate(s) ?? 0;
  if (load.users !== undefined) return load.users;
  return Math.max(load.start_users, ...(load.stages ?? []).map((st) => st.target));
}

export function solveAnalytic(s: Scenario, o: AnalyticOptions = {}): AnalyticResult {
  if (s.load.model === "open") {
    const rate = o.rate ?? nominalLoad(s);
    const traffic = new Traffic(s);
    traffic.run(rate);
    return assemble(s, "open", rate, rate, traffic, new Times(s, traffic));
  }
  return solveClosed(s, o.users ?? nominalLoad(s));
}

function solveClosed(s: Scenario, users: number): AnalyticResult {
  const load = s.load;
  if (load.model !== "closed") throw new Error("closed load expected");
  const think = meanOf(load.think);
  // Demands per user iteration: the traffic of one iteration per second.
  const unit = new Traffic(s);
  unit.run(1);
  const empty = new Times(s, unit, undefined, true);
  const zeroLoad = classMix(s, unit, (c) => pages(unit, c, originMix(unit, (k, region) => empty.flow(own(s.load.classes, unit.classNames[c])!.flow, c, null, undefined, k, region)))).mean;
  const nodes = [...unit.nodes.values()].filter((n) => n.syncLambda > 0);
  const syncDemand = nodes.reduce((a, n) => a + n.syncLs, 0);
  const delay = think + Math.max(0, zeroLoad - syncDemand);
  // Queue consumers load the same nodes in the background; their share of each node is taken out
  // of its capacity (a reduced-capacity approximation), iterated with the throughput.
  let X = 0;
  let sol = mva(nodes.map((n) => ({ demand: n.syncLs, servers: n.servers })), users, delay);
  let stations: MvaStation[] = [];
  for (let iter = 0; iter < 8; iter++) {
    X = sol.throughput;
    stations = nodes.map((n) => {
      const background = Math.min(0.999, (X * (n.ls - n.syncLs)) / n.servers);
      return { demand: n.syncLs / (1 - background), servers: n.servers };
    });
    sol = mva(stations, users, delay);
    if (Math.abs(sol.throughput - X) < 1e-9 * Math.max(1, X)) break;
  }
  X = sol.throughput;
  const waits = new Map<string, number>();
  nodes.forEach((n, k) => waits.set(n.id, Math.max(0, (sol.residence[k] - n.syncLs) / n.syncLambda)));
  const traffic = new Traffic(s);
  traffic.run(X);
  const r = assemble(s, "closed", users, X, traffic, new Times(s, traffic, waits));
  return { ...r, notes: [...r.notes, "closed load: exact MVA over the queueing nodes with Seidmann's multi-server approximation; service slots and pools solved as open groups at the MVA throughput"] };
}

/** A class's time mixed over where its users are (their region is where its flow starts). */
function originMix(t: Traffic, f: (origin: number, region: string | undefined) => Moments): Moments {
  return t.origins.length === 1 ? f(0, t.origins[0].region) : mix(t.origins.map((o, k) => ({ p: o.share, m: f(k, o.region) })));
}

/** A paginated class's user walks its flow once per page, one page after another. */
function pages(t: Traffic, c: number, m: Moments): Moments {
  const n = t.payloads[c].pages;
  return n === 1 ? m : { mean: m.mean * n, variance: m.variance * n };
}

function classMix(s: Scenario, t: Traffic, f: (c: number) => Moments): Moments {
  const total = t.classNames.reduce((a, n) => a + own(s.load.classes, n)!.weight, 0);
  return mix(t.classNames.map((n, c) => ({ p: own(s.load.classes, n)!.weight / total, m: f(c) })));
}

function assemble(s: Scenario, model: "open" | "closed", load: number, rate: number, traffic: Traffic, times: Times): AnalyticResult {
  const comps = s.components;
  const total = traffic.classNames.reduce((a, n) => a + own(s.load.classes, n)!.weight, 0);
  const notes: string[] = [
    "open networks by Jackson decomposition (every node treated as fed by Poisson arrivals); M/M/c by Erlang C, general service times by Allen-Cunneen (exact Pollaczek-Khinchine for one server)",
    "service slots held across downstream calls: a c-server group whose service time is the whole handler (method of surrogates); balancer maxconn at or below the slots, or least connections, as one central queue",
    "p95/p99 from a gamma fit of each class's latency mean and variance (Wilson-Hilferty)",
    "not modeled: finite buffers, backlogs, timeouts and their errors (queues unbounded); staged loads taken at their peak as steady",
  ];
  const dynamics = new Set<string>();
  for (const c of Object.values(comps) as Array<Record<string, unknown>>) {
    if (c.autoscaling) dynamics.add("auto-scaling (the configured replicas are used)");
    if (c.retries && c.kind === "service") dynamics.add("client retries");
    if (c.circuit_breaker) dynamics.add("circuit breakers");
    if (c.rate_limit) dynamics.add("rate limits");
  }
  if ((s as { failures?: unknown[] }).failures?.length) dynamics.add("failures");
  if (dynamics.size > 0) notes.push(`ignored by the analytic model: ${[...dynamics].join(", ")}`);
  if (Object.values(comps).some((c) => c.kind === "function")) {
    notes.push("functions: invocation slots as Erlang B (reject) or C (queue); cold-start share from the busy slots as a birth-death chain, a level not reached within idle_timeout (exact for one instance, e^{-lambda T}); active instances = busy slots / concurrency");
  }
  if (s.regions) notes.push("regions: each crossing between regions adds its latency there and back as a pure delay; geo routes send every request to its users' own region");
  let stable = true;
  const out: Record<string, AnalyticComponent> = {};
  for (const [name, c] of Object.entries(comps)) {
    switch (c.kind) {
      case "station": {
        const sol = times.node(`station:${name}`);
        stable &&= sol.stable;
        out[name] = stationAnalytic(c, traffic.nodes.get(`station:${name}`), sol);
        break;
      }
      case "cache": {
        const id = `${c.kind}:${name}`;
        const n = traffic.nodes.get(id);
        const sol = times.node(id);
        const es = n && n.lambda > 0 ? n.ls / n.lambda : distMoments(c.service).mean;
        stable &&= sol.stable;
        out[name] = {
          kind: c.kind, servers: 1, throughput: n?.lambda ?? 0, utilization: sol.utilization, peakUtilization: sol.utilization,
          waitMs: sol.wait.mean * 1000, responseMs: (sol.wait.mean + es) * 1000, hitRatio: traffic.hit.get(name) ?? 0,
        };
        break;
      }
      case "database": {
        const db = databaseAnalytic(c, name, traffic, times);
        stable &&= db.stable;
        out[name] = db.entry;
        break;
      }
      case "service": {
        const g = times.slots(name);
        stable &&= g.stable;
        out[name] = serviceAnalytic(c, g);
        break;
      }
      case "load_balancer": {
        const lambda = traffic.balancerRate.get(name) ?? 0;
        const g = times.slots(c.backends);
        const frontsSlots = times.slotMode(c.backends).balancer === name;
        // TLS: the handshakes' CPUs, a part of their own (as in the simulation's result)
        const tlsNode = traffic.nodes.get(`tls:${name}`);
        const tls = tlsNode ? times.node(tlsNode.id) : undefined;
        if (tls) stable &&= tls.stable;
        out[name] = balancerAnalytic(c, comps[c.backends], lambda, g, frontsSlots, tlsNode && tls ? { part: tlsNode.part, lambda: tlsNode.lambda, utilization: tls.utilization } : undefined);
        break;
      }
      case "queue": {
        const cls = traffic.queueClass.get(name) ?? 0;
        const handler = c.handler ? times.flow(c.handler, cls, null, undefined, 0, c.region) : { mean: 0, variance: 0 };
        const q = queueAnalytic(c, name, traffic.queueRate.get(name), seq(distMoments(c.service), handler));
        stable &&= q.stable;
        out[name] = q.entry;
        break;
      }
      case "cdn":
        out[name] = cdnAnalytic(c, traffic.cdnRate.get(name) ?? 0, traffic.hit.get(name) ?? 0);
        break;
      case "function": {
        const g = times.fnSlots(name);
        // A rejecting function is a loss system, never unstable; offered more slot-time than it has
        // slots, it is saturated all the same (most of the excess refused).
        stable &&= c.on_throttle === "queue" ? g.stable : g.fn.offered * g.holding.mean < g.servers;
        out[name] = {
          kind: c.kind, servers: g.servers, throughput: g.fn.admitted, utilization: g.utilization, peakUtilization: g.utilization,
          waitMs: g.wait.mean * 1000, responseMs: (g.wait.mean + g.holding.mean) * 1000,
          coldStartShare: g.fn.coldStartShare, throttled: c.on_throttle === "reject" ? g.fn.throttled : 0, activeInstances: g.fn.activeInstances,
        };
        break;
      }
      case "realtime": {
        // Session rates grow with the load, as scaleLoad scales them (the bracket solves at other loads).
        const conn = own(s.load.connections, name);
        const nominal = nominalLoad(s);
        const f = nominal > 0 ? load / nominal : 1;
        const rt = realtimeAnalytic(c, conn && { ...conn, rate: conn.rate * f }, traffic.realtimeRate.get(name) ?? 0);
        // Saturated send queues or backbone grow without bound; connections refused beyond 1% are a limit too.
        stable &&= rt.realtime.sendUtilization < 1 && rt.realtime.backboneUtilization < 1 && rt.realtime.blocking < 0.01;
        out[name] = rt;
        break;
      }
    }
  }
  // Egress links: processor-sharing servers, stable below utilization 1.
  for (const [name, l] of traffic.linkLoad) {
    const cap = linkBytesPerSecond(own(comps, name));
    if (cap === undefined || !out[name]) continue;
    const u = l.ls / cap;
    stable &&= u < 1;
    out[name] = { ...out[name], link: { utilization: u, transfersPerSecond: l.lambda, bitsPerSecond: l.ls * 8 } };
  }
  let regionLinks: Record<string, { utilization: number; transfersPerSecond: number; bitsPerSecond: number }> | undefined;
  for (const [key, l] of traffic.regionLinkLoad) {
    const [a, b] = key.split("->");
    const bits = bandwidthBetween(s, a, b);
    if (bits === undefined) continue;
    const u = (l.ls * 8) / bits;
    stable &&= u < 1;
    (regionLinks ??= {})[key] = { utilization: u, transfersPerSecond: l.lambda, bitsPerSecond: l.ls * 8 };
  }
  if (traffic.linkLoad.size > 0 || regionLinks) notes.push("egress links (bandwidth) as M/G/1 processor sharing: a transfer of x bytes takes x / (C (1 - rho)) on average (insensitive to the size distribution); store and forward, link after link");
  const classes: Record<string, AnalyticClass> = {};
  traffic.classNames.forEach((n, c) => {
    const flow = stable ? pages(traffic, c, originMix(traffic, (k, region) => times.flow(own(s.load.classes, n)!.flow, c, null, undefined, k, region))) : { mean: Infinity, variance: Infinity };
    // browser_cache: the browser's answers take no time
    const h = stable ? traffic.browserHit(n, (rate * own(s.load.classes, n)!.weight) / total) : 0;
    const m = h > 0 ? mix([{ p: h, m: ZERO }, { p: 1 - h, m: flow }]) : flow;
    classes[n] = {
      throughput: (rate * own(s.load.classes, n)!.weight) / total,
      latencyMs: {
        mean: m.mean * 1000, p50: quantileOf(m, 0.5) * 1000, p90: quantileOf(m, 0.9) * 1000,
        p95: quantileOf(m, 0.95) * 1000, p99: quantileOf(m, 0.99) * 1000, p999: quantileOf(m, 0.999) * 1000,
      },
    };
  });
  let bottleneck: string | null = null, top = -1;
  let linkTop = false;
  for (const [n, c] of Object.entries(out)) {
    if (c.kind !== "load_balancer" && c.peakUtilization !== null && c.peakUtilization > top) { top = c.peakUtilization; bottleneck = n; linkTop = false; }
    if (c.link && c.link.utilization > top) { top = c.link.utilization; bottleneck = n; linkTop = true; }
    // a balancer's connections are not a bottleneck of their own, but its TLS CPUs are
    const tlsTop = c.kind === "load_balancer" && c.parts ? Math.max(...Object.values(c.parts).map((x) => x.utilization)) : -1;
    if (tlsTop > top) { top = tlsTop; bottleneck = n; linkTop = false; }
  }
  let bottleneckPart = bottleneck;
  const bp = bottleneck ? out[bottleneck].parts : undefined;
  if (linkTop) bottleneckPart = `${bottleneck}.link`;
  else if (bp) bottleneckPart = Object.entries(bp).reduce((a, b) => (b[1].utilization > a[1].utilization ? b : a))[0];
  return {
    schema: ANALYTIC_SCHEMA, scenario: s.name, model, load, throughput: rate, stable, classes, components: out,
    bottleneck, bottleneckPart, ...(regionLinks ? { regionLinks } : {}), edges: edgesOf(traffic), costPerHour: costPerHour(s, out), notes,
  };
}

function edgesOf(t: Traffic): Record<string, { requestsPerSecond: number }> {
  const out: Record<string, { requestsPerSecond: number }> = {};
  for (const [name, rate] of t.edgeRate) out[name] = { requestsPerSecond: rate };
  return out;
}

/** Cost per hour from the components' prices at the estimated throughputs (as result.ts costs a simulation). */
export function costPerHour(s: Scenario, comps: Record<string, { throughput: number }>): number | null {
  let sum = 0, priced = false;
  for (const [name, c] of Object.entries(s.components)) {
    if (!c.cost) continue;
    priced = true;
    if (c.kind === "function") {
      // invocations by the million, active instances by the GB-second, provisioned ones kept warm
      const gb = c.memory / GB;
      const active = (comps[name] as { activeInstances?: number } | undefined)?.activeInstances ?? 0;
      sum += ((comps[name]?.throughput ?? 0) * 3600 / 1e6) * (c.cost.million_requests ?? 0) + active * gb * 3600 * (c.cost.gb_second ?? 0) + c.provisioned * gb * 3600 * (c.cost.provisioned_gb_second ?? 0);
      continue;
    }
    sum += instancesOf(c) * (c.cost.instance_hour ?? 0) + ((comps[name]?.throughput ?? 0) * 3600 / 1e6) * (c.cost.million_requests ?? 0);
  }
  return priced ? sum : null;
}
