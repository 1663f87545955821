// Compiles a scenario into what the event loop steps through: a table of resources (anything with
// units that requests wait for: station servers, service slots, load-balancer connections,
// connection pools, database servers, cache servers, queue workers) and flat instruction arrays.
// Every request class, every service handler and every queue consumer becomes a run of
// instructions; a request (or message) is a task with a program counter. Nothing is allocated per
// request: the loop reads these arrays.
import type { Dist, Scenario, Step } from "../model/schema.ts";
import { Sampler } from "./distributions.ts";
import { KeySampler } from "./zipf.ts";
import { bandwidthBetween, geoOrder, latencyBetween, originShares, regionNames } from "../model/regions.ts";
import { own } from "../model/own.ts";
import { compileLoad, type LoadPlan } from "./load-plan.ts";
import { KINDS } from "../components/index.ts";
import type { CdnSpec } from "../components/cdn/index.ts";
import type { CacheSpec } from "../components/cache/index.ts";
import type { FunctionSpec } from "../components/function/index.ts";
import { compileBalancerTls, emitBalancerCall, emitBalancerStub, type BalancerSpec, type BalancerTls } from "../components/load-balancer/index.ts";
import type { DatabaseSpec } from "../components/database/index.ts";
import type { QueueSpec } from "../components/queue/index.ts";
import { connectRealtime, type RealtimeSpec } from "../components/realtime/index.ts";
import { compileGeo, emitGeoCall, type GeoSpec } from "../components/geo/index.ts";
import { emitVisit, stationRouting, type StationSpec } from "../components/station/index.ts";
import type { ServiceSpec } from "../components/service/index.ts";
import { UnsupportedError, type CompileContext, type FlowContext } from "../components/kind.ts";
import { compileFaults, type FaultSpec } from "./fault-plan.ts";
import { compileReport, type ReportSpec } from "./report-plan.ts";
import { PayloadBuilder, REQUEST, RESPONSE, USERS, type PayloadProgram } from "./payload-plan.ts";
import { callSizes, classPayload, type CallSizes } from "../model/payload.ts";
import { EdgeBuilder, type EdgeProgram } from "./edge-plan.ts";

import {
  OP_ACQUIRE, OP_BRANCH, OP_CACHE, OP_CALL, OP_CDN, OP_DB, OP_DELAY, OP_END, OP_FN_CALL, OP_JUMP, OP_PARALLEL, OP_PUBLISH,
  OP_ROWS, OP_RT_PUBLISH, OP_SLOT, OP_VISIT,
} from "./codes.ts";



export interface ResourceSpec {
  readonly name: string;
  readonly component: number;
  readonly units: number;
  readonly mode: number;
  /** Waiting places; -1 for unbounded. */
  readonly buffer: number;
  /** Longest wait before the request gives up, seconds; Infinity for none. */
  readonly timeout: number;
  /** Default service-time sampler index (service mode), -1 otherwise. */
  readonly sampler: number;
  /** Counted in its component's utilization, queue and throughput. */
  readonly main: boolean;
}

export interface ComponentSpec {
  readonly name: string;
  readonly kind: string;
  /** Resources of this component, in order (replicas, shards and nodes, pools). */
  readonly resources: number[];
}

export type { BalancerSpec } from "../components/load-balancer/index.ts";

export type { ServiceSpec } from "../components/service/index.ts";

export type { CacheSpec } from "../components/cache/index.ts";

export type { DatabaseSpec } from "../components/database/index.ts";

/** A class's browser cache: each user's browser keeps each key's response `maxAge` seconds. */
export interface BrowserSpec {
  readonly maxAge: number;
  /** Stale responses are revalidated (If-None-Match, a 304) rather than fetched anew. */
  readonly etag: boolean;
  /** Users (the closed load's most, or the open load's population) and keys of the class: the state is users x keys. */
  readonly users: number;
  readonly keys: number;
}

export type { QueueSpec } from "../components/queue/index.ts";
export type { CdnSpec } from "../components/cdn/index.ts";
export type { FunctionSpec } from "../components/function/index.ts";

export type { GeoSpec } from "../components/geo/index.ts";

export interface Program {
  readonly resources: ResourceSpec[];
  readonly components: ComponentSpec[];
  /** Stations (components/station): their resource and routing. */
  readonly stations: StationSpec[];
  readonly balancers: BalancerSpec[];
  readonly services: ServiceSpec[];
  readonly caches: CacheSpec[];
  readonly databases: DatabaseSpec[];
  readonly queues: QueueSpec[];
  readonly cdns: CdnSpec[];
  /** Serverless functions (components/function). */
  readonly functions: FunctionSpec[];
  /** Realtime (WebSocket) components, with the load's connections to each (components/realtime). */
  readonly realtimes: RealtimeSpec[];
  /** Global service replica index of each slot resource (-1 for other resources). */
  readonly replicaOf: Int32Array;
  readonly classNames: string[];
  readonly classCum: Float64Array;
  /** Entry pc per class and origin: classEntry[class * origins + origin]. */
  readonly classEntry: Int32Array;
  /** Region names ([] without regions) and each component's region index (-1: none, e.g. a CDN). */
  readonly regions: string[];
  readonly componentRegion: Int32Array;
  /** Where requests come from: origins (1 without regions), cumulative shares, region of each. */
  readonly origins: number;
  readonly originCum: Float64Array;
  readonly originRegion: Int32Array;
  readonly geos: GeoSpec[];
  /** Per class: its browser cache (browser_cache), null without. */
  readonly browser: Array<BrowserSpec | null>;
  /** Entry pc of a class's revalidation per origin (revalidateEntry[class * origins + origin]); -1 without an ETag. */
  readonly revalidateEntry: Int32Array;
  /** Key sampler per class (undefined when the class has no keys). */
  readonly classKeys: Array<KeySampler | undefined>;
  /** The largest key count: the size of key-indexed state (cache index, last-write times). */
  readonly keySpace: number;
  readonly op: Int32Array;
  readonly argA: Int32Array;
  readonly argB: Int32Array;
  readonly argC: Int32Array;
  readonly samplers: Sampler[];
  /** The simulation's clock for the samplers (clock[0] = now, set by the engine at each event): a timed empirical draws near it. */
  readonly clock: Float64Array;
  readonly tables: Int32Array[];
  readonly tableCum: Float64Array[];
  /**
   * Random-stream names of the instructions that draw (OP_DELAY and OP_BRANCH carry an index here
   * in argB): one stream per decision point, named by where it sits (class or called service, step
   * path, purpose) and not by a global count, so editing one part of a scenario leaves the numbers
   * drawn everywhere else unchanged (common random numbers).
   */
  readonly streams: string[];
  /** The load: rate profile or user schedule and think times (load-plan.ts). */
  readonly load: LoadPlan;
  /** The scenario's failures, in file order, with their targets resolved (fault-plan.ts). */
  readonly faults: FaultSpec[];
  /** What the result reports beyond the run's counters: name, origin shares, prices, SLO (report-plan.ts). */
  readonly report: ReportSpec;
  /** Payload edges, bandwidth links and transfers (payload-plan.ts); empty without sizes. */
  readonly payload: PayloadProgram;
  /** Every caller -> callee edge and the instructions that send requests over it (edge-plan.ts). */
  readonly edges: EdgeProgram;
}

/** Thrown by compile() for a model the engine cannot run yet (components/kind.ts). */
export { UnsupportedError };

class Builder {
  readonly op: number[] = [];
  readonly a: number[] = [];
  readonly b: number[] = [];
  readonly c: number[] = [];
  readonly samplers: Sampler[] = [];
  readonly clock = new Float64Array(1);
  readonly tables: Int32Array[] = [];
  readonly tableCum: Float64Array[] = [];
  readonly streams: string[] = [];
  private readonly streamIdx = new Map<string, number>();

  /** The index of the random stream of a decision point, by its name (made unique if repeated). */
  stream(name: string): number {
    let n = name;
    for (let i = 2; this.streamIdx.has(n); i++) n = `${name}~${i}`;
    this.streamIdx.set(n, this.streams.length);
    this.streams.push(n);
    return this.streams.length - 1;
  }

  /** A delay instruction drawing from sampler s with the random stream named `name`. */
  delay(s: number, name: string): number {
    return this.emit(OP_DELAY, s, this.stream(name));
  }

  emit(o: number, a = 0, b = 0, c = 0): number {
    this.op.push(o); this.a.push(a); this.b.push(b); this.c.push(c);
    return this.op.length - 1;
  }

  get pc(): number {
    return this.op.length;
  }

  sampler(d: Dist): number {
    this.samplers.push(new Sampler(d, this.clock));
    return this.samplers.length - 1;
  }
}

export function compile(scenario: Scenario): Program {
  const comps = scenario.components;
  const names = Object.keys(comps);
  const classNames = Object.keys(scenario.load.classes);
  const bld = new Builder();
  const resources: ResourceSpec[] = [];
  const components: ComponentSpec[] = names.map((name) => ({ name, kind: comps[name].kind, resources: [] }));
  const replicaOf: number[] = [];

  const addResource = (r: ResourceSpec) => {
    resources.push({ ...r });
    components[r.component].resources.push(resources.length - 1);
    replicaOf.push(-1);
    return resources.length - 1;
  };

  // Stations first (components/station), so routing can name them by resource index.
  const stations: StationSpec[] = [];
  const stationIdx = new Map<string, number>();
  let globalReplicas = 0;
  const addReplica = (slot: number) => { replicaOf[slot] = globalReplicas; return globalReplicas++; };
  // What the stations and services may ask of the compiler: nothing of the services, which compile after them.
  const earlyCompile: CompileContext = {
    sampler: (d) => bld.sampler(d), componentName: (i) => names[i], className: (i) => classNames[i], addResource: (r) => addResource(r),
    service: (name) => { throw new Error(`'${name}': stations and services compile before the services they could ask for`); },
    callers: (name) => { throw new Error(`'${name}': stations and services compile before the callers are known`); },
    replicaCount: () => globalReplicas,
    addReplica,
  };
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "station") return;
    stationIdx.set(name, stations.length);
    stations.push(KINDS.station.compile(c, ci, earlyCompile));
  });
  // Edges (edge-plan.ts): a station's routing crosses one to each station it may send to.
  const edges = new EdgeBuilder(names);
  stations.forEach((st, i) => {
    const c = comps[names[st.component]];
    const routing = c.kind === "station" ? stationRouting(c, (n) => stations[stationIdx.get(n)!].resource) : undefined;
    if (!routing) return;
    const routeEdge = edges.routing(st.component, Array.from(routing.routeTo, (r) => (r < 0 ? -1 : resources[r].component)));
    stations[i] = { ...st, ...routing, routeEdge };
  });

  // Services (components/service): one slot resource per replica, each a global replica.
  const services: ServiceSpec[] = [];
  const serviceIdx = new Map<string, number>();
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "service") return;
    serviceIdx.set(name, services.length);
    services.push(KINDS.service.compile(c, ci, earlyCompile));
  });

  // What the kinds in their own folder (components/) may ask of the compiler.
  const kindCompile: CompileContext = {
    sampler: (d) => bld.sampler(d), componentName: (i) => names[i], className: (i) => classNames[i], addResource: (r) => addResource(r),
    service: (name) => {
      const index = serviceIdx.get(name)!;
      const slots = services[index].slots;
      return { index, slots, replicas: Int32Array.from(slots, (r) => replicaOf[r]) };
    },
    callers: (name) => names.filter((sn) => {
      const sc = comps[sn];
      return sc.kind === "service" && JSON.stringify(sc.handlers ?? {}).includes(`"call":"${name}"`);
    }),
    replicaCount: () => globalReplicas,
    addReplica,
  };

  // Load balancers (components/load-balancer): one connection resource per backend replica
  // (maxconn units); then, for those with `tls:`, their handshakes' CPUs.
  const balancers: BalancerSpec[] = [];
  const balancerIdx = new Map<string, number>();
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "load_balancer") return;
    balancerIdx.set(name, balancers.length);
    balancers.push(KINDS.load_balancer.compile(c, ci, kindCompile));
  });
  const tlsOf = new Map<string, BalancerTls>();
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "load_balancer") return;
    const tls = compileBalancerTls(c, ci, kindCompile);
    if (tls) tlsOf.set(name, tls);
  });

  // Payloads: who sends the bytes of the flow being compiled (USERS for a class's own flow, else the
  // service, CDN or queue whose flow it is), and the sizes a CDN's origin fetch carries.
  const regionList = regionNames(scenario);
  const pay = new PayloadBuilder(names, comps, regionList, (a, b) => bandwidthBetween(scenario, regionList[a], regionList[b]), {
    emit: (o, a, b, c) => bld.emit(o, a, b, c), sampler: (d) => bld.sampler(d), stream: (n) => bld.stream(n),
  });
  const classPay = classNames.map((n) => classPayload(scenario.load.classes[n]));
  let caller = USERS;
  let consumer = false;
  // Edges: whose flow is being compiled (USERS, or the service, function, CDN or queue it belongs
  // to): the sending side of the requests its instructions send. Apart from `caller` (payloads),
  // which a function's handler does not change.
  let sender = USERS;
  // A class's own flow is a chain, as the dashboard draws it: each of its top-level steps is sent
  // from the component the step before it visited or called (the users for the first), and the
  // flows nested in a step (a branch, a cache's miss path) from the same one. Set for one emitFlow.
  let chain = false;
  // Marks the instructions from pc `start` on that send a request to component `to` (opcode `op`
  // with operand a = `a`), except those a nested flow marked already.
  const markSent = (start: number, from: number, to: number, op: number, a: number) => {
    for (let pc = start; pc < bld.pc; pc++) if (bld.op[pc] === op && bld.a[pc] === a && !edges.marked(pc)) edges.mark(pc, from, to);
  };
  let originSizes: CallSizes | undefined;
  const NO_SIZES: CallSizes = { request: undefined, response: undefined };
  const sizesOf = (step: Extract<Step, { call: string }>, cls: number): CallSizes =>
    callSizes(step, own(comps, step.call), caller === USERS, consumer ? undefined : classPay[cls]);
  // The request on the way there (a balancer forwards it to its backend), the response on the way back.
  const sendRequest = (sz: CallSizes, to: number, backend: number, path: string) => {
    if (!sz.request) return;
    pay.send(caller, to, REQUEST, sz.request, `${path}:request-size`);
    if (backend >= 0) pay.send(to, backend, REQUEST, undefined, "");
  };
  const sendResponse = (sz: CallSizes, to: number, backend: number, path: string) => {
    if (!sz.response) return;
    if (backend < 0) { pay.send(to, caller, RESPONSE, sz.response, `${path}:response-size`); return; }
    pay.send(backend, to, RESPONSE, sz.response, `${path}:response-size`);
    pay.send(to, caller, RESPONSE, undefined, "");
  };
  // A sized request or response crossing between regions (indices) crosses their link, if any.
  const crossBytes = (size: Dist | undefined, a: number, b: number) => { if (size) pay.cross(a, b); };
  const backendOf = (name: string) => { const c = own(comps, name); return c?.kind === "load_balancer" ? names.indexOf(c.backends) : -1; };

  // Caches: one server (Redis executes commands one at a time).
  const caches: CacheSpec[] = [];
  const cacheIdx = new Map<string, number>();
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "cache") return;
    cacheIdx.set(name, caches.length);
    caches.push(KINDS.cache.compile(c, ci, kindCompile));
  });

  // Databases (components/database): shards x (primary + replicas) server nodes, and pools per calling service replica.
  const databases: DatabaseSpec[] = [];
  const dbIdx = new Map<string, number>();
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "database") return;
    dbIdx.set(name, databases.length);
    databases.push(KINDS.database.compile(c, ci, kindCompile));
  });

  // Queues (components/queue): workers (or one consumer per partition); the consumer program is compiled below.
  const queues: QueueSpec[] = [];
  const queueIdx = new Map<string, number>();
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "queue") return;
    queueIdx.set(name, queues.length);
    queues.push(KINDS.queue.compile(c, ci, kindCompile));
  });

  const cdns: CdnSpec[] = [];
  const cdnIdx = new Map<string, number>();
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "cdn") return;
    cdnIdx.set(name, cdns.length);
    cdns.push(KINDS.cdn.compile(c, ci, kindCompile));
  });

  const functions: FunctionSpec[] = [];
  const fnIdx = new Map<string, number>();
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "function") return;
    fnIdx.set(name, functions.length);
    functions.push(KINDS.function.compile(c, ci, kindCompile));
  });
  const realtimes: RealtimeSpec[] = [];
  const realtimeIdx = new Map<string, number>();
  names.forEach((name, ci) => {
    const c = comps[name];
    if (c.kind !== "realtime") return;
    realtimeIdx.set(name, realtimes.length);
    const spec = KINDS.realtime.compile(c, ci, kindCompile);
    connectRealtime(spec, own(scenario.load.connections, name), kindCompile);
    realtimes.push(spec);
  });

  // ---------------------------------------------------------------- regions

  const regions = regionNames(scenario);
  const regionIdx = (r: string | undefined) => (r === undefined ? -1 : regions.indexOf(r));
  const componentRegion = Int32Array.from(names, (n) => regionIdx(comps[n].region));
  const shares = originShares(scenario);
  const origins = shares.length;
  const originRegion = Int32Array.from(shares, (o) => regionIdx(o.region));
  const originCum = new Float64Array(origins);
  let shareAcc = 0;
  shares.forEach((o, i) => { shareAcc += o.share; originCum[i] = i === origins - 1 ? Infinity : shareAcc; });
  // One sampler per pair of regions, shared by every crossing between them; each crossing draws
  // from its own stream (see Builder.delay).
  const latencies = new Map<string, number>();
  const latSampler = (a: number, b: number): number => {
    if (a < 0 || b < 0 || a === b) return -1;
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    let idx = latencies.get(key);
    if (idx === undefined) {
      const d = latencyBetween(scenario, regions[a], regions[b]);
      idx = d && !(d.dist === "constant" && d.value === 0) ? bld.sampler(d) : -1;
      latencies.set(key, idx);
    }
    return idx;
  };
  // Geo routes (components/geo): per entry its service and balancer, per origin the order to try them.
  const geos: GeoSpec[] = [];
  const geoIdx = new Map<string, number>();
  const geoCompile = {
    ...kindCompile,
    componentIndex: (n: string) => names.indexOf(n),
    serviceOf: (e: string) => { const c = own(comps, e)!; return c.kind === "load_balancer" ? c.backends : e; },
    balancerIndex: (n: string) => balancerIdx.get(n) ?? -1,
    order: (entries: readonly string[]) => shares.map((o) => geoOrder(scenario, entries, o.region)),
  };
  for (const [name, entries] of Object.entries(scenario.geo ?? {})) {
    geoIdx.set(name, geos.length);
    geos.push(compileGeo(name, entries, geoCompile));
  }

  // ---------------------------------------------------------------- instructions

  // Flows compile with a class index for their calls' handlers: a class's own (0..n-1), or n + the
  // class for what a browser's revalidation of it runs (browser_cache; handlers `<class>/revalidate`).
  const handlerKey = (cls: number) => (cls < classNames.length ? classNames[cls] : `${classNames[cls - classNames.length]}/revalidate`);

  // A call into a service (directly or through a balancer) runs a stub: [BALANCE] SLOT handler END.
  // Stubs are compiled once per (target, class), on first use.
  const stubs = new Map<string, number>(); // (target, class) -> placeholder
  const stubPc = new Map<number, number>(); // placeholder -> pc
  const pendingStubs: Array<() => void> = [];
  const stubFor = (target: string, cls: number): number => {
    const key = `${target}|${cls}`;
    const known = stubs.get(key);
    if (known !== undefined) return known;
    const placeholder = -1000 - stubs.size;
    stubs.set(key, placeholder);
    pendingStubs.push(() => {
      stubPc.set(placeholder, bld.pc);
      const path = `call:${target}<${handlerKey(cls)}`;
      let svcName = target;
      const t = own(comps, target)!;
      if (t.kind === "load_balancer") {
        // The balancer's part (components/load-balancer): [TLS handshake] [overhead] OP_BALANCE.
        emitBalancerStub(t, balancerIdx.get(target)!, tlsOf.get(target), path, kindFlow);
        svcName = t.backends;
      }
      const svc = serviceIdx.get(svcName)!;
      const sc = own(comps, svcName)!;
      caller = services[svc].component;
      sender = services[svc].component;
      consumer = false;
      if (sc.kind !== "service") throw new UnsupportedError(`'${target}' does not lead to a service`);
      // A balancer in front of a pool in another region pays the crossing both ways.
      const lbRegion = t.kind === "load_balancer" ? regionIdx(t.region) : -1;
      const svcRegion = regionIdx(sc.region);
      const cross = t.kind === "load_balancer" ? latSampler(lbRegion, svcRegion) : -1;
      if (cross >= 0) bld.delay(cross, `${path}:cross>`);
      const slot = bld.emit(OP_SLOT, svc);
      // behind a balancer, the slot is where its request reaches the pool (a direct call's was counted at OP_CALL)
      if (t.kind === "load_balancer") edges.mark(slot, names.indexOf(target), services[svc].component);
      if (sc.overhead) bld.delay(bld.sampler(sc.overhead), `${path}:overhead`);
      // A revalidation (cls past the classes, see browser below) runs `<class>/revalidate` when the service has one.
      const handler = own(sc.handlers, handlerKey(cls)) ?? own(sc.handlers, classNames[cls % classNames.length]);
      if (handler) emitFlow(handler, cls, sc.network, svcRegion, path, sc.call_overhead);
      else if (sc.service) bld.delay(bld.sampler(sc.service), `${path}:service`);
      else throw new UnsupportedError(`service '${svcName}' has neither a handler for class '${classNames[cls % classNames.length]}' nor a service time`);
      if (cross >= 0) bld.delay(cross, `${path}:cross<`);
      bld.emit(OP_END);
    });
    return placeholder;
  };

  // The service a call reaches (a balancer's backends): OP_CALL's operand b, for its breaker and retries.
  const calleeOf = (name: string): number => {
    const t = own(comps, name)!;
    return serviceIdx.get(t.kind === "load_balancer" ? t.backends : name) ?? -1;
  };
  // A call to a service or balancer from region `from`: the crossing there and back around it.
  const emitDirectCall = (name: string, cls: number, from: number, path: string, sizes: CallSizes): void => {
    const to = regionIdx(own(comps, name)!.region);
    const lat = latSampler(from, to);
    sendRequest(sizes, names.indexOf(name), backendOf(name), path);
    crossBytes(sizes.request, from, to);
    if (lat >= 0) bld.delay(lat, `${path}:lat>`);
    edges.mark(bld.emit(OP_CALL, stubFor(name, cls), calleeOf(name)), sender, names.indexOf(name));
    if (lat >= 0) bld.delay(lat, `${path}:lat<`);
    sendResponse(sizes, names.indexOf(name), backendOf(name), path);
    crossBytes(sizes.response, to, from);
  };
  // A call (service, balancer or geo route) from region `from`; a geo route's arms are direct calls to its entries.
  const emitCall = (name: string, cls: number, from: number, path: string, sizes: CallSizes = NO_SIZES): void => {
    const geo = geoIdx.get(name);
    if (geo === undefined) emitDirectCall(name, cls, from, path, sizes);
    else emitGeoCall(geo, own(scenario.geo, name)!, path, kindFlow, (entry, at) => emitDirectCall(entry, cls, from, at, sizes));
  };

  const kindFlow: FlowContext = {
    ...kindCompile,
    emit: (op, a, b, c) => bld.emit(op, a, b, c),
    patchA: (pc, a) => { bld.a[pc] = a; },
    patchB: (pc, b) => { bld.b[pc] = b; },
    patchC: (pc, c) => { bld.c[pc] = c; },
    flow: (steps, cls, network, region, path, cost) => emitFlow(steps, cls, network, region, path, cost),
    get pc() { return bld.pc; },
    delay: (s, name) => bld.delay(s, name),
    stream: (name) => bld.stream(name),
    table: (pcs, cum) => { bld.tables.push(pcs); bld.tableCum.push(cum); return bld.tables.length - 1; },
    latency: (from, to) => latSampler(from, to),
    regionIndex: (name) => regionIdx(name),
    call: (name, cls, from, path) => emitCall(name, cls, from, path, originSizes),
    callStep: (step, cls, from, path) => emitCall(step.call, cls, from, path, sizesOf(step, cls)),
    // a paginated class's read returns a page of rows
    readRows: (name, cls) => {
      const ti = names.indexOf(name);
      if (!consumer && classPay[cls].rows > 0) { bld.emit(OP_ROWS, ti, classPay[cls].rows); pay.countsRows(ti); }
    },
  };

  // `region` is where the flow runs (the service's, the queue's, or the users' origin): steps to a
  // component in another region pay the one-way latency there and back.
  // `path` names the flow (its class or called service, and the steps leading to it): each step that
  // draws random numbers gets streams named `${path}.${step index}` plus a purpose.
  // `callCost`: the calling service's `call_overhead`, drawn beside the edge's network on each leg.
  const emitFlow = (flow: ReadonlyArray<Step>, cls: number, network: Dist | undefined, region: number, path: string, callCost?: Dist): void => {
    const crossing = (name: string) => latSampler(region, regionIdx(own(comps, name)?.region));
    const top = chain;
    chain = false;
    let prev = sender;
    flow.forEach((step, si) => {
      const at = `${path}.${si}`;
      if (top) {
        sender = prev;
        const next = "visit" in step ? step.visit : "call" in step ? step.call : undefined;
        if (next !== undefined && own(comps, next) !== undefined) prev = names.indexOf(next);
      }
      // An edge's latency one way (the step's own `network`, else the calling service's), drawn
      // on the way there and again on the way back.
      const net = "call" in step || "publish" in step ? (step.network ?? network) : undefined;
      const cost = "call" in step || "publish" in step ? callCost : undefined;
      const hop = () => {
        if (net) bld.delay(bld.sampler(net), `${at}:network`);
        if (cost) bld.delay(bld.sampler(cost), `${at}:call-overhead`);
      };
      const hopBack = () => {
        if (net) bld.delay(bld.sampler(net), `${at}:network<`);
        if (cost) bld.delay(bld.sampler(cost), `${at}:call-overhead<`);
      };
      if ("visit" in step) {
        const st = own(comps, step.visit)!;
        const start = bld.pc, spec = stations[stationIdx.get(step.visit)!];
        if (st.kind === "station") emitVisit(step, st, spec, region, at, kindFlow);
        if (spec) markSent(start, sender, spec.component, OP_VISIT, spec.resource);
      } else if ("branch" in step) {
        const cum = new Float64Array(step.branch.length), pcs = new Int32Array(step.branch.length);
        const table = bld.tables.length;
        bld.tables.push(pcs); bld.tableCum.push(cum);
        bld.emit(OP_BRANCH, table, bld.stream(`${at}:branch`));
        const jumps: number[] = [];
        let acc = 0;
        step.branch.forEach((b, i) => {
          acc += b.p;
          cum[i] = i === step.branch.length - 1 ? Infinity : acc;
          pcs[i] = bld.pc;
          emitFlow(b.flow, cls, network, region, `${at}/${i}`, callCost);
          jumps.push(bld.emit(OP_JUMP, -1));
        });
        for (const j of jumps) bld.a[j] = bld.pc;
      } else if ("service" in step) {
        bld.delay(bld.sampler(step.service), `${at}:service`);
      } else if ("call" in step) {
        const target = own(comps, step.call);
        const sizes = sizesOf(step, cls);
        const ti = names.indexOf(step.call);
        const start = bld.pc, from = sender;
        hop();
        if (target === undefined) {
          emitCall(step.call, cls, region, at, sizes); // a geo route
          hopBack();
        } else if (target.kind === "cache") {
          sendRequest(sizes, ti, -1, at);
          // the answer's bytes where the cache sends them (a get's on a hit only)
          const respond = sizes.response ? () => sendResponse(sizes, ti, -1, at) : undefined;
          KINDS.cache.emitCall(step, target, cacheIdx.get(step.call)!, cls, region, at, { net, network, cost, respond }, kindFlow);
          markSent(start, from, ti, OP_CACHE, cacheIdx.get(step.call)!);
        } else if (target.kind === "database") {
          sendRequest(sizes, ti, -1, at);
          crossBytes(sizes.request, region, regionIdx(target.region));
          KINDS.database.emitCall(step, target, dbIdx.get(step.call)!, cls, region, at, { net, network, cost }, kindFlow);
          markSent(start, from, ti, OP_DB, dbIdx.get(step.call)!);
          sendResponse(sizes, ti, -1, at);
          crossBytes(sizes.response, regionIdx(target.region), region);
        } else if (target.kind === "cdn") {
          sendRequest(sizes, ti, -1, at);
          // the origin fetch is the CDN's call, carrying the same sizes
          const saved = caller, savedSizes = originSizes;
          caller = ti; sender = ti; originSizes = sizes;
          KINDS.cdn.emitCall(step, target, cdnIdx.get(step.call)!, cls, region, at, { net, network, cost }, kindFlow);
          caller = saved; sender = from; originSizes = savedSizes;
          markSent(start, from, ti, OP_CDN, cdnIdx.get(step.call)!);
          hopBack();
          sendResponse(sizes, ti, -1, at);
        } else if (target.kind === "function") {
          // the function's handler is the function's flow
          sender = ti;
          KINDS.function.emitCall(step, target, fnIdx.get(step.call)!, cls, region, at, { net, network, cost }, kindFlow);
          sender = from;
          markSent(start, from, ti, OP_FN_CALL, fnIdx.get(step.call)!);
          hopBack();
        } else if (target.kind === "realtime") {
          KINDS.realtime.emitCall(step, target, realtimeIdx.get(step.call)!, cls, region, at, { net, network, cost }, kindFlow);
          markSent(start, from, ti, OP_RT_PUBLISH, realtimeIdx.get(step.call)!);
          hopBack();
        } else if (target.kind === "load_balancer") {
          // with its TLS CPUs, which the answer passes on its way out
          emitBalancerCall(step, target, balancerIdx.get(step.call)!, cls, region, at, { net, network, cost }, kindFlow, tlsOf.get(step.call));
        } else if (target.kind === "service") {
          KINDS.service.emitCall(step, target, serviceIdx.get(step.call)!, cls, region, at, { net, network, cost }, kindFlow);
        } else if (target.kind === "station") {
          KINDS.station.emitCall(step, target, stationIdx.get(step.call)!, cls, region, at, { net, network, cost }, kindFlow);
        } else if (target.kind === "queue") {
          KINDS.queue.emitCall(step, target, queueIdx.get(step.call)!, cls, region, at, { net, network, cost }, kindFlow);
        }
      } else if ("publish" in step) {
        hop();
        // The publisher waits for the broker's confirm: a crossing there and back.
        const lat = crossing(step.publish);
        if (lat >= 0) bld.delay(lat, `${at}:lat>`);
        edges.mark(bld.emit(OP_PUBLISH, queueIdx.get(step.publish)!), sender, names.indexOf(step.publish));
        const q = own(comps, step.publish) as { confirm?: Dist; confirm_wake?: unknown } | undefined;
        // with confirm_wake the delay's argC names the queue (+1): the engine adds the wake-up
        // that the time since the queue's previous publish calls for
        if (q?.confirm || q?.confirm_wake) {
          const d = bld.delay(bld.sampler(q.confirm ?? { dist: "constant", value: 0 }), `${at}:confirm`);
          if (q.confirm_wake) bld.c[d] = queueIdx.get(step.publish)! + 1;
        }
        if (lat >= 0) bld.delay(lat, `${at}:lat<`);
        hopBack();
      } else if ("parallel" in step) {
        const pcs = new Int32Array(step.parallel.length);
        const table = bld.tables.length;
        bld.tables.push(pcs); bld.tableCum.push(new Float64Array(0));
        const fork = bld.emit(OP_PARALLEL, table, -1);
        const skip = bld.emit(OP_JUMP, -1);
        step.parallel.forEach((f, i) => {
          pcs[i] = bld.pc;
          emitFlow(f, cls, network, region, `${at}/${i}`, callCost);
          bld.emit(OP_END);
        });
        bld.b[fork] = bld.pc;
        bld.a[skip] = bld.pc;
      }
    });
    if (top) sender = USERS;
  };

  // A class's flow is compiled once per origin: the users' region is where its steps start from.
  const classEntry = new Int32Array(classNames.length * origins);
  const classCum = new Float64Array(classNames.length);
  const totalWeight = classNames.reduce((a, n) => a + scenario.load.classes[n].weight, 0);
  let acc = 0;
  classNames.forEach((name, i) => {
    const def = scenario.load.classes[name];
    acc += def.weight / totalWeight;
    classCum[i] = i === classNames.length - 1 ? Infinity : acc;
    for (let o = 0; o < origins; o++) {
      classEntry[i * origins + o] = bld.pc;
      caller = USERS; sender = USERS; consumer = false;
      // A paginated class's user walks its pages one after another: the flow once per page.
      const path = `class:${name}${origins > 1 ? `@${shares[o].region ?? o}` : ""}`;
      for (let page = 0; page < classPay[i].pages; page++) { chain = true; emitFlow(def.flow, i, undefined, originRegion[o], page === 0 ? path : `${path}#page${page + 1}`); }
      bld.emit(OP_END);
    }
  });

  // Browser caches: per class with browser_cache, its spec and (with an ETag) the revalidation's
  // entry per origin: the class's `revalidate` steps, else its flow, calling `<class>/revalidate` handlers.
  const load = scenario.load;
  const browserUsers = load.model === "open" ? (load.population ?? 0) : Math.max(load.users ?? 0, load.start_users, ...(load.stages ?? []).map((st) => st.target));
  const browser: Array<BrowserSpec | null> = classNames.map((name) => {
    const bc = scenario.load.classes[name].browser_cache;
    return bc ? { maxAge: bc.max_age, etag: bc.etag, users: Math.max(1, browserUsers), keys: scenario.load.classes[name].keys?.count ?? 1 } : null;
  });
  const revalidateEntry = new Int32Array(classNames.length * origins).fill(-1);
  classNames.forEach((name, i) => {
    const bc = scenario.load.classes[name].browser_cache;
    if (!bc?.etag) return;
    for (let o = 0; o < origins; o++) {
      revalidateEntry[i * origins + o] = bld.pc;
      sender = USERS; chain = true;
      emitFlow(bc.revalidate ?? scenario.load.classes[name].flow, classNames.length + i, undefined, originRegion[o], `revalidate:${name}${origins > 1 ? `@${shares[o].region ?? o}` : ""}`);
      bld.emit(OP_END);
    }
  });

  // Queue consumers: wait for a worker, work, run the handler; class -1 (messages keep their
  // publisher's class for keys only).
  names.forEach((name) => {
    const c = comps[name];
    if (c.kind !== "queue") return;
    const q = queues[queueIdx.get(name)!] as { entry: number; component: number };
    q.entry = bld.pc;
    caller = q.component; sender = q.component; consumer = true;
    bld.emit(OP_ACQUIRE, queueIdx.get(name)!);
    bld.delay(bld.sampler(c.service), `queue:${name}:service`);
    if (c.handler) {
      if (JSON.stringify(c.handler).match(/"(call)":"([^"]+)"/g)?.some((m) => ["service", "load_balancer", "cdn", "function"].includes(own(comps, m.split('"')[3])?.kind ?? "") || own(scenario.geo, m.split('"')[3]) !== undefined)) {
        throw new UnsupportedError(`queue '${name}': a consumer handler may call caches and databases; calls to services are not modeled yet`);
      }
      emitFlow(c.handler, 0, undefined, regionIdx(c.region), `queue:${name}`);
    }
    bld.emit(OP_END);
  });

  // Stubs compile on first use and may call further stubs; then placeholders become their pcs.
  while (pendingStubs.length > 0) pendingStubs.shift()!();
  for (let i = 0; i < bld.a.length; i++) {
    if (bld.op[i] === OP_CALL && bld.a[i] <= -1000) bld.a[i] = stubPc.get(bld.a[i])!;
  }

  const classKeys = classNames.map((n) => {
    const k = scenario.load.classes[n].keys;
    return k ? new KeySampler(k.count, k.popularity === "zipf" ? (k.s ?? 1) : 0) : undefined;
  });
  let keySpace = 1;
  for (const k of classKeys) if (k) keySpace = Math.max(keySpace, k.keys);
  for (const c of Object.values(comps)) if (c.kind === "database") keySpace = Math.max(keySpace, c.keys);

  return {
    resources, components, stations, balancers, services, caches, databases, queues, cdns, functions, realtimes,
    replicaOf: Int32Array.from(replicaOf),
    classNames, classCum, classEntry, classKeys, keySpace, browser, revalidateEntry,
    regions, componentRegion, origins, originCum, originRegion, geos,
    op: Int32Array.from(bld.op), argA: Int32Array.from(bld.a), argB: Int32Array.from(bld.b), argC: Int32Array.from(bld.c),
    samplers: bld.samplers, clock: bld.clock, tables: bld.tables, tableCum: bld.tableCum, streams: bld.streams,
    load: compileLoad(scenario.load),
    faults: compileFaults(scenario.failures, {
      service: (name) => services.findIndex((sv) => components[sv.component].name === name),
      database: (name) => dbIdx.get(name) ?? -1,
      cache: (name) => cacheIdx.get(name) ?? -1,
      region: (name) => regions.indexOf(name),
      realtime: (name) => realtimeIdx.get(name) ?? -1,
    }),
    report: compileReport(scenario),
    payload: pay.build(),
    edges: edges.build(bld.op.length),
  };
}
