// The response-time pass of the analytic solver: given the traffic, the mean and variance of every
// wait and of every flow's duration. Queueing nodes are solved one by one (Jackson decomposition:
// each node is treated as if its arrivals were Poisson). Service slots are held across downstream
// calls, so a slot pool is a c-server station whose "service" is the whole handler (the method of
// surrogates of layered queueing models, Woodside et al. 1995; Rolia and Sevcik 1995): its holding
// time comes from the downstream waits, computed first. Database pools likewise hold a connection
// for the query's wait and service. Times add as independent; branches mix; a parallel fan-out
// takes its slowest branch by mean (a lower bound on the mean of the maximum).
import { readsScan, startRowCost } from "../model/table.ts";
import type { Dist, Scenario, Step } from "../model/schema.ts";
import { ZERO, mix, seq, solveStation, type Moments, type StationSolution } from "./station.ts";
import { distMoments, type Traffic } from "./traffic.ts";
import { bandwidthBetween, latencyBetween } from "../model/regions.ts";
import { own } from "../model/own.ts";
import { linkBytesPerSecond, scaleDist, type CallSizes } from "../model/payload.ts";
import { functionAnalytic, type FunctionAnalytic } from "../components/function/index.ts";

/** A function's invocation slots solved: the group and its analytic figures (components/function/analytic.ts). */
export interface FunctionSolution extends GroupSolution {
  readonly fn: FunctionAnalytic;
  readonly cold: Moments;
}

export interface GroupSolution extends StationSolution {
  readonly lambda: number;
  readonly servers: number;
  readonly holding: Moments;
}

/**
 * A confirm's wake-up (confirm_wake) over Poisson publishes at `rate`: W = cost (1 - e^(-G/idle)),
 * G ~ Exp(rate), so E[e^(-G/idle)] = r/(1+r) and E[e^(-2G/idle)] = r/(r+2) with r = rate x idle.
 */
export function wakeMoments(w: { readonly cost: number; readonly idle: number }, rate: number): Moments {
  const r = rate * w.idle;
  const m1 = 1 / (1 + r);
  const m2 = 1 - (2 * r) / (1 + r) + r / (r + 2);
  return { mean: w.cost * m1, variance: w.cost * w.cost * Math.max(0, m2 - m1 * m1) };
}

export class Times {
  private readonly nodeMemo = new Map<string, StationSolution>();
  private readonly handlerMemo = new Map<string, Moments>();
  private readonly slotMemo = new Map<string, GroupSolution>();
  private readonly poolMemo = new Map<string, GroupSolution>();
  private readonly fnMemo = new Map<string, FunctionSolution>();
  private readonly busy = new Set<string>();

  /**
   * @param waitOverride per-node mean waits (the closed model takes them from MVA)
   * @param zeroWait every wait is 0: the latency of an empty system
   */
  constructor(readonly scenario: Scenario, readonly traffic: Traffic, readonly waitOverride?: Map<string, number>, readonly zeroWait = false) {}

  node(id: string): StationSolution {
    const known = this.nodeMemo.get(id);
    if (known) return known;
    const n = this.traffic.nodes.get(id);
    let sol: StationSolution;
    if (!n || n.lambda <= 0) sol = { utilization: 0, waitProbability: 0, wait: ZERO, stable: true };
    else {
      const es = n.ls / n.lambda, es2 = n.ls2 / n.lambda;
      const scv = es > 0 ? Math.max(0, es2 / (es * es) - 1) : 0;
      sol = solveStation(n.servers, n.lambda, es, scv);
      const w = this.waitOverride?.get(id);
      if (w !== undefined) {
        const p = Math.min(1, Math.max(sol.utilization, 1e-9));
        sol = { ...sol, wait: { mean: w, variance: Math.max(0, (2 * w * w) / p - w * w) }, stable: true };
      }
    }
    if (this.zeroWait) sol = { ...sol, wait: ZERO };
    this.nodeMemo.set(id, sol);
    return sol;
  }

  /** How a service's slots are reached: one central queue (at the balancer, or least-connections) or per replica. */
  slotMode(svc: string): { pooled: boolean; servers: number; scvArrival: number; balancer: string | null } {
    const comps = this.scenario.components;
    const sc = comps[svc];
    if (sc.kind !== "service") return { pooled: false, servers: 1, scvArrival: 1, balancer: null };
    const R = sc.replicas;
    for (const [name, c] of Object.entries(comps)) {
      if (c.kind !== "load_balancer" || c.backends !== svc || !this.traffic.balancerRate.get(name)) continue;
      if (c.maxconn !== undefined && c.maxconn <= sc.concurrency) return { pooled: true, servers: R * c.maxconn, scvArrival: 1, balancer: name };
      if (c.algorithm === "least_connections" || c.algorithm === "power_of_two") return { pooled: true, servers: R * sc.concurrency, scvArrival: 1, balancer: name };
      return { pooled: false, servers: sc.concurrency, scvArrival: c.algorithm === "round_robin" ? 1 / R : 1, balancer: name };
    }
    // Without a balancer callers take the replicas in turn: every R-th of a Poisson stream, Erlang-R gaps.
    return { pooled: false, servers: sc.concurrency, scvArrival: 1 / R, balancer: null };
  }

  slots(svc: string): GroupSolution {
    const known = this.slotMemo.get(svc);
    if (known) return known;
    const sc = own(this.scenario.components, svc)!;
    const rates = this.traffic.serviceRate.get(svc);
    const lambda = rates ? rates.reduce((a, b) => a + b, 0) : 0;
    const parts: Array<{ p: number; m: Moments }> = [];
    const nO = this.traffic.origins.length;
    if (rates && lambda > 0) rates.forEach((r, i) => { if (r > 0) parts.push({ p: r / lambda, m: this.handler(svc, Math.floor(i / nO), i % nO) }); });
    const holding = parts.length ? mix(parts) : ZERO;
    const mode = this.slotMode(svc);
    const replicas = sc.kind === "service" ? sc.replicas : 1;
    const perLambda = mode.pooled ? lambda : lambda / replicas;
    const sol = this.group(mode.servers, perLambda, holding, mode.scvArrival);
    const out = { ...sol, lambda, servers: mode.pooled ? mode.servers : mode.servers * replicas, holding };
    this.slotMemo.set(svc, out);
    return out;
  }

  pool(db: string, svc: string): GroupSolution {
    const key = `${db}@${svc}`;
    const known = this.poolMemo.get(key);
    if (known) return known;
    const c = own(this.scenario.components, db)!, sc = own(this.scenario.components, svc)!;
    const r = this.traffic.poolRate.get(key) ?? { read: 0, write: 0 };
    const lambda = r.read + r.write;
    const replicas = sc.kind === "service" ? sc.replicas : 1;
    const size = c.kind === "database" && c.pool ? c.pool.size : 1;
    const holding = lambda > 0 ? mix([{ p: r.read / lambda, m: this.query(db, "read", null) }, { p: r.write / lambda, m: this.query(db, "write", null) }]) : ZERO;
    const sol = this.group(size, lambda / replicas, holding, 1);
    const out = { ...sol, lambda, servers: size * replicas, holding };
    this.poolMemo.set(key, out);
    return out;
  }

  private group(c: number, lambda: number, holding: Moments, scvArrival: number): StationSolution {
    const scv = holding.mean > 0 ? holding.variance / (holding.mean * holding.mean) : 0;
    const sol = solveStation(c, lambda, holding.mean, scv, scvArrival);
    return this.zeroWait ? { ...sol, wait: ZERO } : sol;
  }

  /** A query's time at the database nodes: the class's shard mix (or, for cls null, the nodes' traffic mix). */
  query(db: string, op: "read" | "write", cls: number | null, by?: string): Moments {
    const c = own(this.scenario.components, db)!;
    if (c.kind !== "database") return ZERO;
    const base = distMoments(op === "write" ? c.write : c.read);
    // A table's row cost at its starting size (model/table.ts): a constant shift of the service time.
    // cls null (a pool's holding time): the slowest read, a scan when some read scans.
    const extra = startRowCost(c.table, op, cls === null ? null : by, c.table !== undefined && readsScan(this.scenario, db, c.table.indexes));
    const service = { mean: base.mean + extra, variance: base.variance };
    let targets: Array<{ id: string; p: number }>;
    if (cls !== null) targets = this.traffic.dbTargets(db, op, cls);
    else {
      const all = new Map<string, number>();
      this.traffic.classNames.forEach((_, k) => { for (const t of this.traffic.dbTargets(db, op, k)) all.set(t.id, (all.get(t.id) ?? 0) + (this.traffic.nodes.get(t.id)?.lambda ?? 0)); });
      const sum = [...all.values()].reduce((a, b) => a + b, 0);
      targets = [...all].map(([id, w]) => ({ id, p: sum > 0 ? w / sum : 1 / all.size }));
    }
    // Synchronous replication: the write also waits for the replicas' apply (a lag draw), holding its connection.
    const sync = op === "write" && c.replication === "synchronous" && c.replication_lag ? distMoments(c.replication_lag) : ZERO;
    return mix(targets.map((t) => ({ p: t.p, m: seq(this.node(t.id).wait, service, sync) })));
  }

  /** A class's handler inside one slot of `svc`, downstream calls included, for users of `origin`. */
  handler(svc: string, cls: number, origin = 0): Moments {
    const key = `${svc}|${cls}|${origin}`;
    const known = this.handlerMemo.get(key);
    if (known) return known;
    if (this.busy.has(key)) throw new Error(`analytic: service '${svc}' calls itself`);
    this.busy.add(key);
    const sc = own(this.scenario.components, svc)!;
    let m = ZERO;
    if (sc.kind === "service") {
      const flow = own(sc.handlers, this.traffic.classNames[cls]);
      if (flow) m = this.flow(flow, cls, svc, sc.network, origin, sc.region);
      else if (sc.service) m = distMoments(sc.service);
      if (sc.overhead) m = seq(distMoments(sc.overhead), m);
    }
    this.busy.delete(key);
    this.handlerMemo.set(key, m);
    return m;
  }

  /**
   * A call into a service or through a balancer (or a geo route's entry) from region `from`:
   * the crossing there and back (a pure delay), balancer overhead, a slot wait, the handler.
   */
  call(name: string, cls: number, origin = 0, from?: string): Moments {
    const t = own(this.scenario.components, this.traffic.resolve(name, origin))!;
    let svc = this.traffic.resolve(name, origin);
    let overhead = ZERO;
    let inner = ZERO;
    let tls = ZERO;
    if (t.kind === "load_balancer") {
      svc = t.backends;
      if (t.overhead) overhead = distMoments(t.overhead);
      inner = this.crossing(t.region, own(this.scenario.components, svc)!.region);
      if (t.tls) {
        // A new connection (1 / requests_per_connection of the calls) waits for a TLS CPU and handshakes.
        const q = t.tls.resumption;
        const hs = mix([{ p: 1 - q, m: distMoments(t.tls.handshake) }, { p: q, m: distMoments(t.tls.resumed ?? t.tls.handshake) }]);
        const pNew = 1 / t.tls.requests_per_connection;
        const node = this.node(`tls:${this.traffic.resolve(name, origin)}`);
        const half = t.tls.request ? distMoments(scaleDist(t.tls.request, 0.5)) : ZERO;
        // Then every request passes the same CPUs twice, in and out, each time behind the work
        // there. Out, and in on a kept-alive connection, it comes at a random moment and waits the
        // node's wait; in right after its own handshake, it waits for the work that arrived during
        // that handshake's stay: ρ E[wait + handshake] on one CPU (FIFO M/G/1: the work a departure
        // leaves behind), here a mixture with that mean.
        const afterHandshake = mix([{ p: node.utilization, m: seq(node.wait, hs) }, { p: 1 - node.utilization, m: ZERO }]);
        const passIn = mix([{ p: pNew, m: seq(node.wait, hs, afterHandshake) }, { p: 1 - pNew, m: node.wait }]);
        tls = seq(passIn, half, node.wait, half);
      }
    }
    return seq(this.crossing(from, t.region), tls, overhead, inner, this.slots(svc).wait, this.handler(svc, cls, origin));
  }

  /**
   * A transfer of `size` bytes on the egress link of `sender` (none: no time): M/G/1 processor
   * sharing, whose mean for a job of size x is x / (C (1 - ρ)) whatever the size distribution; the
   * variance is the size's scaled alike (an approximation: PS spreads sojourns more).
   */
  transfer(sender: string | null, size: Dist): Moments {
    const cap = sender === null ? undefined : linkBytesPerSecond(own(this.scenario.components, sender));
    if (cap === undefined) return ZERO;
    const load = this.traffic.linkLoad.get(sender!);
    const rho = this.zeroWait || !load ? 0 : load.ls / cap;
    if (rho >= 1) return { mean: Infinity, variance: Infinity };
    const m = distMoments(size);
    const k = 1 / (cap * (1 - rho));
    return { mean: m.mean * k, variance: m.variance * k * k };
  }

  /** A transfer over the link from region a to b (none: no time), M/G/1-PS as transfer(). */
  regionTransfer(a: string | undefined, b: string | undefined, size: Dist): Moments {
    const bits = bandwidthBetween(this.scenario, a, b);
    if (bits === undefined) return ZERO;
    const cap = bits / 8;
    const load = this.traffic.regionLinkLoad.get(`${a}->${b}`);
    const rho = this.zeroWait || !load ? 0 : load.ls / cap;
    if (rho >= 1) return { mean: Infinity, variance: Infinity };
    const m = distMoments(size);
    const k = 1 / (cap * (1 - rho));
    return { mean: m.mean * k, variance: m.variance * k * k };
  }

  /**
   * A call's transfers (model/payload.ts): the request (and a balancer's forward), the response (and
   * the balancer's); with `from` (the calling flow's region) the link between the regions each way.
   */
  transfers(name: string, sz: CallSizes, caller: string | null, from?: string): Moments {
    const t = own(this.scenario.components, name);
    const backend = t?.kind === "load_balancer" ? t.backends : null;
    const parts: Moments[] = [];
    if (sz.request) { parts.push(this.transfer(caller, sz.request)); if (backend) parts.push(this.transfer(name, sz.request)); parts.push(this.regionTransfer(from, t?.region, sz.request)); }
    if (sz.response) { if (backend) parts.push(this.transfer(backend, sz.response)); parts.push(this.transfer(name, sz.response)); parts.push(this.regionTransfer(t?.region, from, sz.response)); }
    return parts.length ? seq(...parts) : ZERO;
  }

  /** A function's handler (or service time) for a class, downstream calls included. */
  fnHandler(name: string, cls: number, origin = 0): Moments {
    const key = `fn:${name}|${cls}|${origin}`;
    const known = this.handlerMemo.get(key);
    if (known) return known;
    if (this.busy.has(key)) throw new Error(`analytic: function '${name}' calls itself`);
    this.busy.add(key);
    const c = own(this.scenario.components, name)!;
    let m = ZERO;
    if (c.kind === "function") {
      const flow = own(c.handlers, this.traffic.classNames[cls]);
      if (flow) m = this.flow(flow, cls, null, c.network, origin, c.region);
      else if (c.service) m = distMoments(c.service);
      // the platform's own time per invocation, in the slot before the handler (the simulator's order)
      if (c.overhead) m = seq(distMoments(c.overhead), m);
    }
    this.busy.delete(key);
    this.handlerMemo.set(key, m);
    return m;
  }

  /**
   * A function's invocation slots: the cold-start share at its invocation rate, the holding time
   * (handler plus the cold starts' share), and the wait for a slot when invocations queue (a
   * rejecting function does not wait: the excess is throttled).
   */
  fnSlots(name: string): FunctionSolution {
    const known = this.fnMemo.get(name);
    if (known) return known;
    const c = own(this.scenario.components, name)!;
    if (c.kind !== "function") throw new Error(`analytic: '${name}' is not a function`);
    const rates = this.traffic.fnRate.get(name);
    const lambda = rates ? rates.reduce((a, b) => a + b, 0) : 0;
    const nO = this.traffic.origins.length;
    const parts: Array<{ p: number; m: Moments }> = [];
    if (rates && lambda > 0) rates.forEach((r, i) => { if (r > 0) parts.push({ p: r / lambda, m: this.fnHandler(name, Math.floor(i / nO), i % nO) }); });
    const handler = parts.length ? mix(parts) : ZERO;
    const fn = functionAnalytic(c, lambda, handler.mean);
    const cold = distMoments(c.cold_start);
    const holding = mix([{ p: fn.coldStartShare, m: seq(cold, handler) }, { p: 1 - fn.coldStartShare, m: handler }]);
    const servers = c.max_instances * c.concurrency;
    const sol = c.on_throttle === "queue"
      ? this.group(servers, lambda, holding, 1)
      : { utilization: Math.min(1, fn.busySlots / servers), waitProbability: 0, wait: ZERO, stable: true };
    const out: FunctionSolution = { ...sol, lambda: fn.admitted, servers, holding, fn, cold };
    this.fnMemo.set(name, out);
    return out;
  }

  /** A call to a function from region `from`: the crossing, the wait for a slot, a cold start at its share, the handler. */
  fnCall(name: string, cls: number, origin = 0, from?: string): Moments {
    const c = own(this.scenario.components, name)!;
    const g = this.fnSlots(name);
    const h = this.fnHandler(name, cls, origin);
    const p = g.fn.coldStartShare;
    return seq(this.crossing(from, c.region), g.wait, mix([{ p, m: seq(g.cold, h) }, { p: 1 - p, m: h }]));
  }

  /** One-way latency between two regions taken there and back: twice its mean, twice its variance. */
  crossing(a: string | undefined, b: string | undefined): Moments {
    const d = latencyBetween(this.scenario, a, b);
    if (!d) return ZERO;
    const m = distMoments(d);
    return { mean: 2 * m.mean, variance: 2 * m.variance };
  }

  /** `region` is where the flow runs (a service's, a queue's, or the users' for a class flow). */
  flow(flow: ReadonlyArray<Step>, cls: number, caller: string | null, network: Dist | undefined, origin = 0, region?: string): Moments {
    const comps = this.scenario.components;
    // an edge's latency one way, there and back: two independent draws
    const edge = (d: Dist | undefined): Moments => {
      if (!d) return ZERO;
      const m = distMoments(d);
      return { mean: 2 * m.mean, variance: 2 * m.variance };
    };
    const parts: Moments[] = [];
    const cross = (name: string) => this.crossing(region, comps[name]?.region);
    // the calling service's call_overhead: the client side of each call, each way, beside network
    const from = caller === null ? undefined : own(comps, caller);
    const cost = edge(from?.kind === "service" ? from.call_overhead : undefined);
    for (const step of flow) {
      if ("visit" in step) {
        parts.push(cross(step.visit));
        for (const [name, v] of Object.entries(this.traffic.visitsFrom(step.visit))) {
          const st = comps[name];
          if (st.kind !== "station") continue;
          const w = this.node(`station:${name}`).wait;
          const first = name === step.visit && step.service ? 1 : 0;
          if (first) parts.push(seq(w, distMoments(step.service!)));
          const s = distMoments(st.service);
          const rest = v - first;
          if (rest > 0) parts.push({ mean: rest * (w.mean + s.mean), variance: rest * (w.variance + s.variance) });
        }
      } else if ("branch" in step) {
        parts.push(mix(step.branch.map((b) => ({ p: b.p, m: this.flow(b.flow, cls, caller, network, origin, region) }))));
      } else if ("parallel" in step) {
        let slowest = ZERO;
        for (const f of step.parallel) { const m = this.flow(f, cls, caller, network, origin, region); if (m.mean > slowest.mean) slowest = m; }
        parts.push(slowest);
      } else if ("service" in step) {
        parts.push(distMoments(step.service));
      } else if ("publish" in step) {
        parts.push(edge(step.network ?? network), cost, cross(step.publish));
        const q = comps[step.publish];
        if (q?.kind === "queue" && q.confirm) parts.push(distMoments(q.confirm));
        if (q?.kind === "queue" && q.confirm_wake) parts.push(wakeMoments(q.confirm_wake, this.traffic.queuePublished.get(step.publish) ?? 0));
      } else if ("call" in step) {
        parts.push(edge(step.network ?? network), cost);
        const target = comps[step.call];
        const sz = this.traffic.sizesOf(step, cls, caller, false);
        const crosses = target === undefined || (target.kind !== "cache" && target.kind !== "cdn");
        // a cache's get answers its value on a hit only (a miss is nil): its response is on the hit branch
        const getsFromCache = target?.kind === "cache" && (step.op ?? "get") === "get";
        const sent = getsFromCache ? { request: sz.request, response: undefined } : sz;
        if (sent.request || sent.response) parts.push(this.transfers(this.traffic.resolve(step.call, origin), sent, caller, crosses ? region : undefined));
        if (target === undefined) {
          parts.push(this.call(step.call, cls, origin, region)); // a geo route
        } else if (target.kind === "cache") {
          parts.push(cross(step.call));
          parts.push(seq(this.node(`cache:${step.call}`).wait, distMoments(target.service)));
          if (getsFromCache) {
            const h = this.traffic.hit.get(step.call) ?? 0;
            const value = sz.response ? this.transfers(step.call, { request: undefined, response: sz.response }, caller) : ZERO;
            parts.push(mix([{ p: h, m: seq(value, this.flow(step.hit ?? [], cls, caller, network, origin, region)) }, { p: 1 - h, m: this.flow(step.miss ?? [], cls, caller, network, origin, region) }]));
          }
        } else if (target.kind === "database") {
          parts.push(cross(step.call));
          if (target.pool && caller) parts.push(this.pool(step.call, caller).wait);
          parts.push(this.query(step.call, step.op === "write" ? "write" : "read", cls, step.by));
        } else if (target.kind === "cdn") {
          const h = this.traffic.hit.get(step.call) ?? 0;
          // A CDN without a region is at the edge, next to its caller.
          const at = target.region ?? region;
          parts.push(this.crossing(region, at), distMoments(target.edge_latency));
          const fetch = sz.request || sz.response ? this.transfers(this.traffic.resolve(target.origin, origin), sz, step.call, at) : ZERO;
          parts.push(mix([{ p: h, m: ZERO }, { p: 1 - h, m: seq(this.call(target.origin, cls, origin, at), fetch) }]));
        } else if (target.kind === "service" || target.kind === "load_balancer") {
          parts.push(this.call(step.call, cls, origin, region));
        } else if (target.kind === "function") {
          parts.push(this.fnCall(step.call, cls, origin, region));
        }
      }
    }
    return seq(...parts);
  }
}
