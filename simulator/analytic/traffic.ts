// The traffic pass of the analytic solver: walks every class's flow (and the handlers and queue
// consumers it reaches) at its arrival rate and adds up, per queueing node, the arrival rate and
// the first two moments of the service time it brings; per service, balancer, pool and queue the
// call rate. Cache and CDN hit ratios split flows into hit and miss paths; they depend on the
// rates of gets, so the walk is repeated until they settle. Per caller -> callee edge the request
// rate, named and chosen as the engine counts them (engine/edge-plan.ts): a class's top-level steps
// are a chain (each sent from the component the step before it reached, the users for the first).
import { startRowCost } from "../model/table.ts";
import { browserHitShare } from "../model/run-size.ts";
import type { Dist, Scenario, Step } from "../model/schema.ts";
import { meanOf, scvOf } from "../model/dist-moments.ts";
import { bucketShares, type KeyDist } from "./keys.ts";
import type { KeyStream } from "./hit-ratio.ts";
import { cdnHitRatio } from "../components/cdn/index.ts";
import { cacheHitRatio } from "../components/cache/index.ts";
import { bandwidthBetween, originShares } from "../model/regions.ts";
import { geoEntry } from "../components/geo/index.ts";
import { stationVisits } from "../components/station/index.ts";
import { own } from "../model/own.ts";
import { callSizes, classPayload, linkBytesPerSecond, scaleDist, type CallSizes, type ClassPayload } from "../model/payload.ts";

/** A queueing node: a station, a cache server or one database node (c servers, FCFS). */
export interface QNode {
  readonly id: string;
  readonly component: string;
  readonly part: string;
  readonly servers: number;
  lambda: number;
  /** Σ λ E[S] and Σ λ E[S²]: the mix of service times the node sees. */
  ls: number;
  ls2: number;
  /** The synchronous share (requests waiting for it), for closed-model demands. */
  syncLambda: number;
  syncLs: number;
}

export interface CallContext {
  readonly cls: number;
  /** The service whose slot runs this flow (its replicas own the database pools). */
  readonly caller: string | null;
  readonly async: boolean;
  /** Index into Traffic.origins: the region the request's users are in. */
  readonly origin: number;
  /** The sending side of the flow's requests, as the engine names it (engine/edge-plan.ts): USERS, the service, function, CDN or queue. */
  readonly sender: string;
}

/** The sender of a class's own requests in edge names ("users->api"). */
export const USERS = "users";

export function distMoments(d: Dist): { mean: number; variance: number; second: number } {
  const m = meanOf(d);
  const v = scvOf(d) * m * m;
  return { mean: m, variance: v, second: v + m * m };
}

const GET = "get";

export class Traffic {
  readonly nodes = new Map<string, QNode>();
  readonly classNames: string[];
  readonly classKeys: Array<KeyDist | undefined>;
  readonly keySpace: number;
  /** Where requests come from (one unnamed origin without regions). */
  readonly origins: Array<{ region: string | undefined; share: number }>;
  /** Call rate into each service, by class and origin: index class * origins + origin. */
  readonly serviceRate = new Map<string, Float64Array>();
  readonly balancerRate = new Map<string, number>();
  /** Queries through a database pool, keyed `db@service`, by operation. */
  readonly poolRate = new Map<string, { read: number; write: number }>();
  /** Messages handled per second (retries included) by each queue partition. */
  readonly queueRate = new Map<string, Float64Array>();
  readonly queuePublished = new Map<string, number>();
  readonly queueClass = new Map<string, number>();
  readonly cdnRate = new Map<string, number>();
  /** Per component with `bandwidth`: transfers per second on its egress link and Σ λ E[bytes], Σ λ E[bytes²]. */
  readonly linkLoad = new Map<string, { lambda: number; ls: number; ls2: number }>();
  /** Per link between regions with a `bandwidth`, keyed "from->to": the same. */
  readonly regionLinkLoad = new Map<string, { lambda: number; ls: number; ls2: number }>();
  /** Per class: its payload (sizes, pages, rows). */
  readonly payloads: ClassPayload[];
  /** Invocations of each function, by class and origin: index class * origins + origin. */
  readonly fnRate = new Map<string, Float64Array>();
  /** Server-side publishes per second to each realtime component (`call:` steps to it). */
  readonly realtimeRate = new Map<string, number>();
  /** Requests per second over each caller -> callee edge, "from->to" (retries and failures left out, as everywhere here). */
  readonly edgeRate = new Map<string, number>();
  hit = new Map<string, number>();
  private gets = new Map<string, KeyStream[]>();
  private routes = new Map<string, Record<string, number>>();

  constructor(readonly scenario: Scenario) {
    const load = scenario.load;
    this.origins = originShares(scenario);
    this.classNames = Object.keys(load.classes);
    this.classKeys = this.classNames.map((n) => {
      const k = own(load.classes, n)!.keys;
      return k ? { count: k.count, s: k.popularity === "zipf" ? (k.s ?? 1) : 0 } : undefined;
    });
    let space = 1;
    for (const k of this.classKeys) if (k) space = Math.max(space, k.count);
    for (const c of Object.values(scenario.components)) if (c.kind === "database") space = Math.max(space, c.keys);
    this.keySpace = space;
    this.payloads = this.classNames.map((n) => classPayload(own(load.classes, n)!));
  }

  /** The steady-state share of a class's requests its users' browsers answer at `classRate` (browser_cache; 0 without). */
  browserHit(cls: string, classRate: number): number {
    return browserHitShare(this.scenario, cls, classRate, Infinity);
  }

  /** Walks all classes at total rate `rate` (requests or user iterations per second); hit ratios to a fixed point. */
  run(rate: number): void {
    const classes = this.scenario.load.classes;
    const total = this.classNames.reduce((a, n) => a + own(classes, n)!.weight, 0);
    for (let iter = 0; iter < 6; iter++) {
      this.reset();
      // a paginated class walks its flow once per page; browser_cache: only the requests the users'
      // browsers do not answer reach the flow (revalidations counted as full requests)
      this.classNames.forEach((n, c) => this.origins.forEach((o, k) => this.walk(own(classes, n)!.flow, ((rate * own(classes, n)!.weight * o.share * this.payloads[c].pages) / total) * (1 - this.browserHit(n, (rate * own(classes, n)!.weight) / total)), { cls: c, caller: null, async: false, origin: k, sender: USERS }, true)));
      this.consumers();
      const before = this.hit;
      this.hit = this.hitRatios();
      let delta = 0;
      for (const [k, h] of this.hit) delta = Math.max(delta, Math.abs(h - (before.get(k) ?? 0)));
      if (iter > 0 && delta < 1e-6) break;
    }
  }

  private reset(): void {
    this.nodes.clear(); this.serviceRate.clear(); this.balancerRate.clear(); this.poolRate.clear();
    this.queueRate.clear(); this.queuePublished.clear(); this.cdnRate.clear(); this.linkLoad.clear(); this.regionLinkLoad.clear(); this.fnRate.clear(); this.realtimeRate.clear(); this.edgeRate.clear(); this.gets = new Map();
  }

  node(id: string, component: string, part: string, servers: number): QNode {
    let n = this.nodes.get(id);
    if (!n) { n = { id, component, part, servers, lambda: 0, ls: 0, ls2: 0, syncLambda: 0, syncLs: 0 }; this.nodes.set(id, n); }
    return n;
  }

  private load(n: QNode, rate: number, d: Dist, ctx: CallContext, extra = 0): void {
    const m = distMoments(d);
    // extra: a constant added to every service time (a query's row cost): E[(S+x)^2] = E[S^2] + 2xE[S] + x^2
    const mean = m.mean + extra, second = m.second + extra * (2 * m.mean + extra);
    n.lambda += rate; n.ls += rate * mean; n.ls2 += rate * second;
    if (!ctx.async) { n.syncLambda += rate; n.syncLs += rate * mean; }
  }

  /** Visits to every station per visit to `start`, routing feedback included (λ = e + λP). */
  visitsFrom(start: string): Record<string, number> {
    const known = this.routes.get(start);
    if (known) return known;
    const v = stationVisits(this.scenario.components, start);
    this.routes.set(start, v);
    return v;
  }

  /** Database nodes a query goes to, with probabilities: shard by key, then primary or a replica. */
  dbTargets(db: string, op: "read" | "write", cls: number): Array<{ id: string; part: string; p: number }> {
    const c = own(this.scenario.components, db)!;
    if (c.kind !== "database") return [];
    const shards = c.shards?.count ?? 1;
    const shares = bucketShares(this.classKeys[cls], shards, c.shards?.by ?? "hash", this.keySpace);
    const out: Array<{ id: string; part: string; p: number }> = [];
    const per = 1 + c.replicas;
    for (let s = 0; s < shards; s++) {
      if (shares[s] === 0) continue;
      const label = (k: number) => `${db}${shards > 1 ? `.shard${s}` : ""}.${k === 0 ? "primary" : `replica${k}`}`;
      const nodes = op === "write" || c.read_from === "primary" ? [0] : c.read_from === "replicas" ? range(1, per) : range(0, per);
      for (const k of nodes) out.push({ id: `db:${label(k)}`, part: label(k), p: shares[s] / nodes.length });
    }
    return out;
  }

  /** Adds `rate` requests per second to edge from -> to. */
  private sent(from: string, to: string, rate: number): void {
    const key = `${from}->${to}`;
    this.edgeRate.set(key, (this.edgeRate.get(key) ?? 0) + rate);
  }

  /** `chain`: a class's own flow, whose top-level steps are sent from the component the step before reached. */
  walk(flow: ReadonlyArray<Step>, rate: number, outer: CallContext, chain = false): void {
    if (rate <= 0) return;
    const comps = this.scenario.components;
    let prev = outer.sender;
    for (const step of flow) {
      let ctx = outer;
      if (chain) {
        ctx = { ...outer, sender: prev };
        const next = "visit" in step ? step.visit : "call" in step ? step.call : undefined;
        if (next !== undefined && own(comps, next) !== undefined) prev = next;
      }
      if ("visit" in step) {
        this.sent(ctx.sender, step.visit, rate);
        for (const [name, v] of Object.entries(this.visitsFrom(step.visit))) {
          const st = comps[name];
          if (st.kind !== "station") continue;
          for (const r of st.routing ?? []) if (r.to !== "exit") this.sent(name, r.to, rate * v * r.p);
          const n = this.node(`station:${name}`, name, name, st.servers);
          const first = name === step.visit ? 1 : 0;
          if (first && step.service) this.load(n, rate, step.service, ctx);
          const rest = v - (first && step.service ? 1 : 0);
          if (rest > 0) this.load(n, rate * rest, st.service, ctx);
        }
      } else if ("branch" in step) {
        for (const b of step.branch) this.walk(b.flow, rate * b.p, ctx);
      } else if ("parallel" in step) {
        for (const f of step.parallel) this.walk(f, rate, ctx);
      } else if ("publish" in step) {
        this.sent(ctx.sender, step.publish, rate);
        this.publish(step.publish, rate, ctx.cls);
      } else if ("call" in step) {
        this.call(step, rate, ctx);
      }
    }
  }

  /**
   * The component a call reaches: itself, or for a geo route the entry it sends this origin's
   * requests to in steady state (its own region's; failures are left out, as everywhere here).
   */
  resolve(name: string, origin: number): string {
    return geoEntry(this.scenario, name, this.origins[origin].region);
  }

  /** The sizes a call step carries (model/payload.ts): a queue consumer's calls get no class sizes. */
  sizesOf(step: Extract<Step, { call: string }>, cls: number, caller: string | null, async: boolean): CallSizes {
    return callSizes(step, own(this.scenario.components, step.call), caller === null && !async, async ? undefined : this.payloads[cls]);
  }

  /**
   * A call's transfers on the senders' links: the request (forwarded by a balancer), the response
   * back; with `from` (the calling flow's region) also the link between the regions, each way.
   */
  private transfers(name: string, sz: CallSizes, rate: number, caller: string | null, from?: string): void {
    const t = own(this.scenario.components, name);
    const backend = t?.kind === "load_balancer" ? t.backends : null;
    if (sz.request) { this.onLink(caller, rate, sz.request); if (backend) this.onLink(name, rate, sz.request); this.onRegionLink(from, t?.region, rate, sz.request); }
    if (sz.response) { if (backend) this.onLink(backend, rate, sz.response); this.onLink(name, rate, sz.response); this.onRegionLink(t?.region, from, rate, sz.response); }
  }

  /** Where a flow runs: its service's region, else its users'. */
  flowRegion(ctx: CallContext): string | undefined {
    return ctx.caller ? own(this.scenario.components, ctx.caller)?.region : this.origins[ctx.origin]?.region;
  }

  private onRegionLink(a: string | undefined, b: string | undefined, rate: number, size: Dist): void {
    if (bandwidthBetween(this.scenario, a, b) === undefined) return;
    const m = distMoments(size);
    const key = `${a}->${b}`;
    const l = this.regionLinkLoad.get(key) ?? { lambda: 0, ls: 0, ls2: 0 };
    l.lambda += rate; l.ls += rate * m.mean; l.ls2 += rate * m.second;
    this.regionLinkLoad.set(key, l);
  }

  private onLink(sender: string | null, rate: number, size: Dist): void {
    if (sender === null || linkBytesPerSecond(own(this.scenario.components, sender)) === undefined) return;
    const m = distMoments(size);
    const l = this.linkLoad.get(sender) ?? { lambda: 0, ls: 0, ls2: 0 };
    l.lambda += rate; l.ls += rate * m.mean; l.ls2 += rate * m.second;
    this.linkLoad.set(sender, l);
  }

  private call(step: Extract<Step, { call: string }>, rate: number, ctx: CallContext): void {
    const target = own(this.scenario.components, this.resolve(step.call, ctx.origin))!;
    // a geo route's request goes to the entry it chose
    if (rate > 0 && target.kind !== "station" && target.kind !== "queue") this.sent(ctx.sender, this.resolve(step.call, ctx.origin), rate);
    const sizes = this.sizesOf(step, ctx.cls, ctx.caller, ctx.async);
    // crossings between regions carry bytes on calls to services, balancers and databases (not caches, not to a CDN)
    const crosses = target.kind !== "cache" && target.kind !== "cdn";
    // a cache's get answers its value on a hit only (a miss is nil): its response at the hit rate
    const getsFromCache = target.kind === "cache" && (step.op ?? GET) === GET;
    if (getsFromCache) {
      this.transfers(step.call, { request: sizes.request, response: undefined }, rate, ctx.caller);
      this.transfers(step.call, { request: undefined, response: sizes.response }, rate * (this.hit.get(step.call) ?? 0), ctx.caller);
    } else this.transfers(this.resolve(step.call, ctx.origin), sizes, rate, ctx.caller, crosses ? this.flowRegion(ctx) : undefined);
    switch (target.kind) {
      case "cache": {
        this.load(this.node(`cache:${step.call}`, step.call, step.call, 1), rate, target.service, ctx);
        if ((step.op ?? GET) !== GET) return;
        const keys = this.classKeys[ctx.cls];
        const list = this.gets.get(step.call) ?? [];
        list.push({ count: keys?.count ?? 1, s: keys?.s ?? 0, weight: rate });
        this.gets.set(step.call, list);
        const h = this.hit.get(step.call) ?? 0;
        this.walk(step.hit ?? [], rate * h, ctx);
        this.walk(step.miss ?? [], rate * (1 - h), ctx);
        return;
      }
      case "database": {
        const op = step.op === "write" ? "write" : "read";
        for (const t of this.dbTargets(step.call, op, ctx.cls)) {
          this.load(this.node(t.id, step.call, t.part, target.max_connections), rate * t.p, op === "write" ? target.write : target.read, ctx, startRowCost(target.table, op, step.by));
        }
        if (target.pool && ctx.caller) {
          const key = `${step.call}@${ctx.caller}`;
          const r = this.poolRate.get(key) ?? { read: 0, write: 0 };
          r[op] += rate;
          this.poolRate.set(key, r);
        }
        return;
      }
      case "cdn": {
        this.cdnRate.set(step.call, (this.cdnRate.get(step.call) ?? 0) + rate);
        const h = this.hit.get(step.call) ?? 0;
        this.transfers(this.resolve(target.origin, ctx.origin), sizes, rate * (1 - h), step.call, target.region ?? this.flowRegion(ctx));
        // the origin fetch is the CDN's request
        const origin = this.resolve(target.origin, ctx.origin);
        if (rate * (1 - h) > 0) this.sent(step.call, origin, rate * (1 - h));
        this.callService(origin, rate * (1 - h), { ...ctx, sender: step.call });
        return;
      }
      case "service":
      case "load_balancer":
        this.callService(this.resolve(step.call, ctx.origin), rate, ctx);
        return;
      case "function": {
        // Every offered invocation counted (throttling is the function's own figure); its
        // handler runs outside any service replica: no database pool of a caller's.
        const rates = this.fnRate.get(step.call) ?? new Float64Array(this.classNames.length * this.origins.length);
        rates[ctx.cls * this.origins.length + ctx.origin] += rate;
        this.fnRate.set(step.call, rates);
        const handler = own(target.handlers, this.classNames[ctx.cls]);
        if (!handler) return;
        if (++this.depth > 32) throw new Error(`analytic: functions call each other in a cycle through '${step.call}'`);
        this.walk(handler, rate, { cls: ctx.cls, caller: null, async: ctx.async, origin: ctx.origin, sender: step.call });
        this.depth--;
        return;
      }
      case "realtime":
        this.realtimeRate.set(step.call, (this.realtimeRate.get(step.call) ?? 0) + rate);
        return;
      default:
        return;
    }
  }

  private depth = 0;

  callService(name: string, rate: number, ctx: CallContext): void {
    if (rate <= 0) return;
    const comps = this.scenario.components;
    let svc = name;
    const t = comps[name];
    if (t.kind === "load_balancer") {
      this.balancerRate.set(name, (this.balancerRate.get(name) ?? 0) + rate);
      svc = t.backends;
      this.sent(name, svc, rate);
      if (t.tls) {
        // TLS: the new connections' handshakes (full and resumed) on the balancer's CPUs, one node.
        const n = this.node(`tls:${name}`, name, `${name}.tls`, t.tls.cpus);
        const pNew = 1 / t.tls.requests_per_connection;
        this.load(n, rate * pNew * (1 - t.tls.resumption), t.tls.handshake, ctx);
        if (t.tls.resumed) this.load(n, rate * pNew * t.tls.resumption, t.tls.resumed, ctx);
        // every request's two passes (in and out), half its `request` time each; without it they
        // carry no work, and zero-work arrivals leave a FIFO server's wait as it is
        if (t.tls.request) this.load(n, 2 * rate, scaleDist(t.tls.request, 0.5), ctx);
      }
    }
    const sc = comps[svc];
    if (sc.kind !== "service") return;
    const rates = this.serviceRate.get(svc) ?? new Float64Array(this.classNames.length * this.origins.length);
    rates[ctx.cls * this.origins.length + ctx.origin] += rate;
    this.serviceRate.set(svc, rates);
    const handler = own(sc.handlers, this.classNames[ctx.cls]);
    if (!handler) return;
    if (++this.depth > 32) throw new Error(`analytic: services call each other in a cycle through '${svc}'`);
    this.walk(handler, rate, { cls: ctx.cls, caller: svc, async: ctx.async, origin: ctx.origin, sender: svc });
    this.depth--;
  }

  private publish(q: string, rate: number, cls: number): void {
    this.queuePublished.set(q, (this.queuePublished.get(q) ?? 0) + rate);
    if (!this.queueClass.has(q)) this.queueClass.set(q, cls);
    const c = own(this.scenario.components, q)!;
    if (c.kind !== "queue") return;
    const parts = c.partitions ?? 1;
    const shares = bucketShares(this.classKeys[cls], parts, "hash", this.keySpace);
    const per = this.queueRate.get(q) ?? new Float64Array(parts);
    const attempts = expectedAttempts(c.failure_rate, c.retries);
    for (let i = 0; i < parts; i++) per[i] += rate * shares[i] * attempts;
    this.queueRate.set(q, per);
  }

  /** Queue consumers run their handlers asynchronously, once per handling attempt. */
  private consumers(): void {
    for (const [q, per] of this.queueRate) {
      const c = own(this.scenario.components, q)!;
      if (c.kind !== "queue" || !c.handler) continue;
      const rate = per.reduce((a, b) => a + b, 0);
      this.walk(c.handler, rate, { cls: this.queueClass.get(q) ?? 0, caller: null, async: true, origin: 0, sender: q });
    }
  }

  private hitRatios(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, streams] of this.gets) {
      const c = own(this.scenario.components, name)!;
      if (c.kind !== "cache") continue;
      out.set(name, cacheHitRatio(c, streams));
    }
    for (const [name, rate] of this.cdnRate) {
      const c = own(this.scenario.components, name)!;
      if (c.kind !== "cdn") continue;
      out.set(name, cdnHitRatio(c, rate));
    }
    return out;
  }
}

/** Handlings per message when each fails with probability f and is retried up to r times. */
export function expectedAttempts(f: number, r: number): number {
  let a = 0, p = 1;
  for (let i = 0; i <= r; i++) { a += p; p *= f; }
  return a;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
