// One replication of a compiled model: the event loop and the state it steps. Requests, their
// downstream calls and queue messages are rows of the task table (task-table.ts, which this class
// extends); resources keep FIFO rings of waiting task ids; statistics accumulate in place. The
// Program carries everything the run needs (docs/architecture.md). A class with fields rather
// than closures: V8 keeps its number fields unboxed, so the loop allocates nothing per event.
import { Calendar } from "./calendar.ts";
import { FREE, ORPHAN, POOLED_USER, RUNNING, SERVING, TaskTable, WAITING, ZOMBIE } from "./task-table.ts";
import { KINDS } from "../components/index.ts";
import type { CdnRuntime } from "../components/cdn/index.ts";
import type { CacheRuntime } from "../components/cache/index.ts";
import type { QueueRuntime } from "../components/queue/index.ts";
import type { FunctionRuntime } from "../components/function/index.ts";
import type { RealtimeRuntime } from "../components/realtime/index.ts";
import type { BalancerRuntime } from "../components/load-balancer/index.ts";
import type { DatabaseRuntime } from "../components/database/index.ts";
import { GeoRuntime } from "../components/geo/index.ts";
import type { StationRuntime } from "../components/station/index.ts";
import type { ServiceRuntime } from "../components/service/index.ts";
import { BUCKETS, Histogram } from "./histogram.ts";
import { HOP_KINDS, HopLedger } from "./hop-ledger.ts";
import type { RateProfile } from "./profile.ts";
import { Rng } from "./rng.ts";
import { Sampler } from "./distributions.ts";
import { LinkRuntime } from "./links.ts";
import { TableRuntime } from "./tables.ts";
import { tableLimit } from "../model/table.ts";
import type { Program } from "./program.ts";
import {
  MODE_SERVICE, CACHE_GET, CACHE_SET,
  REP_OFF, REP_SERVING, REP_DRAINING, REP_DOWN, REASONS,
  R_BUFFER, R_QTIMEOUT, R_BACKLOG, R_POOLTIMEOUT, R_QUEUEFULL, R_BACKEND_DOWN,
  R_RATE_LIMITED, R_REGION_DOWN, R_THROTTLED,
  OP_ACQUIRE, OP_BALANCE, OP_BRANCH, OP_CACHE, OP_CALL, OP_CDN, OP_CDN_FILL, OP_DB, OP_DELAY,
  OP_BYTES, OP_FN_ACQUIRE, OP_FN_CALL, OP_FN_START, OP_GEO, OP_JUMP, OP_PARALLEL, OP_PUBLISH, OP_ROWS, OP_RT_PUBLISH, OP_SLOT, OP_VISIT,
  EV_ARRIVAL, EV_DONE, EV_TIMEOUT, EV_USER, EV_USERS, EV_SAMPLE, EV_WARMUP, EV_RESUME, EV_CALL_TIMEOUT, EV_CONTROL, EV_BOOTED,
  EV_COOLDOWN, EV_FAULT, EV_RECOVER, EV_DETECT, EV_RETRY, EV_BREAKER_WINDOW, EV_BREAKER_TIMER, EV_WAKE, EV_REFUSED, EV_FN_READY, EV_FN_BOOT,
  EV_FN_IDLE, EV_FN_TIMEOUT, EV_LINK, EV_REALTIME,
  C_COUNTERS, C_FN_THROTTLED, C_HITS, C_MISSES,
  C_RATE_LIMITED,
} from "./codes.ts";
import { dbStep } from "../components/database/query.ts";
import { fnBootEnded, fnDone, fnIdleAt, fnStart, fnTimeout } from "../components/function/invocations.ts";
import { admitCall, callEnded, callTimeout, connectRetried } from "../components/service/calls.ts";
import { balance, detected, lbTimeout, onUnitFree } from "../components/load-balancer/backend-queue.ts";
import { confirmWake, messageDone, publish } from "../components/queue/messages.ts";
import { booted, control, scale, switchOff } from "../components/service/scaling.ts";
import { fault, recover, scheduleFailures } from "./fault-handling.ts";
import { countLive, startMeasuring } from "./statistics-window.ts";
import { delayHop, delayKinds, hop } from "./hop-times.ts";
import { pooledUserDone, scheduleArrival, setPooledUsers, setUsers, userDone, userOrigin, wake } from "./load-sources.ts";
import { newSeries, peekSeries, sample } from "./series-recorder.ts";
import { linkDone, transfer } from "./transfers.ts";

// What a replication takes and returns (replication-types.ts), exported here as before.
export type { ClassStats, ComponentStats, HopTimes, OriginStats, PayloadStats, ReplicationOptions, ReplicationResult, ResourceStats, Series } from "./replication-types.ts";
export { Cancelled, DROP_REASONS, REASONS } from "./replication-types.ts";
import {
  Cancelled, type ClassStats, type ComponentStats, type HopTimes, type OriginStats, type PayloadStats, type ReplicationOptions,
  type ReplicationResult, type ResourceStats, type Series,
} from "./replication-types.ts";

/**
 * Runs one replication of a compiled Program. The Program carries everything the run needs (the
 * load and the fault plan included); the three-argument form, with the Scenario in the middle, is
 * kept for callers written before, and that argument is not read.
 */
export function runReplication(p: Program, o: ReplicationOptions): ReplicationResult;
export function runReplication(p: Program, scenario: unknown, o: ReplicationOptions): ReplicationResult;
export function runReplication(p: Program, a: unknown, b?: ReplicationOptions): ReplicationResult {
  return new Replication(p, b ?? (a as ReplicationOptions)).run();
}

export class Replication extends TaskTable {
  readonly cal = new Calendar(1024);
  now = 0;
  measuring: boolean;
  events = 0;

  // Resources.
  readonly units: Float64Array;
  readonly busy: Int32Array;
  readonly waiting: Int32Array;
  readonly lastTouch: Float64Array;
  readonly rings: Int32Array[];
  readonly qHead: Int32Array;
  readonly qLen: Int32Array;
  readonly rStats: ResourceStats[];
  readonly rRng: Rng[];
  /** One stream per drawing instruction (delays, branches): Program.streams. */
  readonly flowRng: Rng[];

  /** The load balancers' backend queues, backend choice, health-check view and rate limits (components/load-balancer). */
  readonly lb: BalancerRuntime;
  /** The services' breakers, retry budgets, client round robin, instances and autoscalers (components/service). */
  readonly svc: ServiceRuntime;

  // Service replicas and auto-scalers.
  readonly repState: Uint8Array;
  /** Per fault plan entry: the random failure's stream (undefined for scheduled faults). */
  readonly faultRng: Array<Rng | undefined>;
  // Region outages: down flags per region, component and resource; replicas a region outage took down.
  readonly regionDown: Uint8Array;
  readonly compDown: Uint8Array;
  readonly resDown: Uint8Array;
  readonly repRegionDown: Uint8Array;
  readonly regional: boolean;

  readonly repSlot: Int32Array;
  readonly repService: Int32Array;
  readonly doneTotal: Float64Array;
  /** Per resource: the balancer whose backend connection it is (-1: none), for onUnitFree. */
  readonly connLb: Int32Array;

  // Components.
  readonly cStats: ComponentStats[];
  /** The caches' entries (components/cache). */
  readonly cache: CacheRuntime;
  /** The databases' primaries, failed nodes, last writes and failover windows (components/database). */
  readonly db: DatabaseRuntime;
  /** The databases' tables: rows, row costs, the observed SLO crossing (engine/tables.ts). */
  readonly tables: TableRuntime;
  /** The queues' worker choice and failure draws (components/queue). */
  readonly queue: QueueRuntime;
  /** The CDNs' edges (components/cdn). */
  readonly cdn: CdnRuntime;
  /** Bandwidth links (engine/links.ts) and payload counts; undefined without payloads. */
  readonly links: LinkRuntime;
  readonly payload: PayloadStats | undefined;
  /** Requests per edge (engine/edge-plan.ts), and per instruction the edge it sends over. */
  readonly edgeSent: Float64Array;
  readonly pcEdge: Int32Array;
  /** The functions' instances (components/function); per component its function index (-1: none). */
  readonly fn: FunctionRuntime;
  readonly compFn: Int32Array;
  /** Per function: instance-seconds active at the last series sample. */
  readonly fnActive0: Float64Array;
  /** The realtime components' sessions and messages (components/realtime); they run their own events. */
  readonly realtime: RealtimeRuntime;
  /** The stations' routing after a visit (components/station). */
  readonly station: StationRuntime;
  /** The geo routes' choice of entry (components/geo). */
  readonly geo: GeoRuntime;

  // Load.
  readonly classRng: Rng;
  /** Per class: the key a request works on. */
  readonly keyRng: Rng[];
  /** Per class with browser_cache: when each (user, key)'s browser got its last response (-Infinity: never). */
  readonly browserLast: Float64Array[];
  /** Per class: which of the population an open arrival (or a pooled closed user's request) is. */
  readonly browserRng: Rng[];
  readonly arrivalRng: Rng;
  /** Think times (and the pooled users' wake-up gaps); thinning and origin of a wake-up apart. */
  readonly thinkRng: Rng;
  readonly wakeRng: Rng;
  readonly wakeOriginRng: Rng;
  profile: RateProfile | undefined;
  piece = 0;
  readonly deterministic: boolean;
  userActive = new Uint8Array(0);
  userGen = new Int32Array(0);
  activeUsers = 0;
  think: Sampler | undefined;
  userTargets: readonly number[] = [];
  // Pooled closed users: with exponential think times the thinking users' requests form a Poisson
  // stream of rate thinking / Z (competing exponentials), so one pending wake event, thinned by
  // thinking / target, replaces a calendar entry per user: a million users cost nothing to hold.
  pooled = false;
  usersTarget = 0;
  usersThinking = 0;
  readonly oTarget: Float64Array;
  readonly oThinking: Float64Array;
  readonly oBusy: Float64Array;
  userRegion = new Int32Array(0);
  regionsAssigned = 0;
  readonly regionCredit: Float64Array;
  wakeGen = 0;
  thinkMean = 0;
  userTimes: readonly number[] = [];

  // Statistics.
  readonly clStats: ClassStats[];
  readonly orStats: OriginStats[];
  readonly originRng: Rng;
  readonly totals = { arrived: 0, completed: 0, ended: new Float64Array(REASONS.length), inFlight: 0 };
  readonly messages = { published: 0, processed: 0, deadLettered: 0, droppedHead: 0, inQueue: 0 };
  /** Per queue: when its last confirm_wake confirm began (the broker's last publish), -Infinity before any. */
  readonly lastPublish: Float64Array;
  readonly live: { readonly atWarmup: Float64Array; readonly atEnd: Float64Array };
  inFlight = 0;
  inFlightArea = 0;
  lastInFlight = 0;

  // Series (first replication only).
  readonly series: Series | undefined;
  readonly ivLatency: Histogram[];
  readonly ivErrors: Float64Array;
  ivArrivals = 0;
  readonly ivCompl: Float64Array;
  readonly ivHits: Float64Array;
  readonly ivMisses: Float64Array;
  readonly busyTotal: Float64Array;
  readonly queueTotal: Float64Array;
  readonly ivBusy0: Float64Array;
  readonly ivQueue0: Float64Array;
  ivInFlight0 = 0;

  // Per-hop times (opt-in): see HopTimes. delayKind per instruction: 1 a network hop, 2 own work
  // in the slot held, 3 a balancer's overhead (the balancer of the OP_BALANCE that follows it).
  readonly hops: HopTimes | undefined;
  readonly delayKind: Int8Array | undefined;
  /** Each running request's hop times, added to `hops` only if it completes in the window. */
  readonly hopLedger: HopLedger | undefined;
  // The calendar's lanes (calendar.ts) for timeouts of a fixed duration: service s's call timeouts
  // in lane s, then one lane per function, per resource and per balancer, from these bases.
  readonly laneFn: number;
  readonly laneRes: number;
  readonly laneLb: number;

  constructor(readonly p: Program, readonly o: ReplicationOptions) {
    super();
    const nR = p.resources.length;
    if (o.hops) {
      this.hops = { time: new Float64Array(p.classNames.length * p.components.length * HOP_KINDS), network: new Float64Array(p.classNames.length) };
      this.hopLedger = new HopLedger();
      this.delayKind = delayKinds(p);
    }
    const stream = (name: string) => new Rng(o.seed, o.replication, name);
    this.measuring = o.warmup === 0;
    this.units = Float64Array.from(p.resources, (r) => r.units);
    this.busy = new Int32Array(nR);
    this.waiting = new Int32Array(nR);
    this.lastTouch = new Float64Array(nR);
    this.rings = p.resources.map(() => new Int32Array(16));
    this.qHead = new Int32Array(nR);
    this.qLen = new Int32Array(nR);
    // One counts array per component and main or not, for waits and for responses (ResourceStats).
    const shared = p.components.map(() => Array.from({ length: 4 }, () => new Uint32Array(BUCKETS)));
    this.rStats = p.resources.map((r) => ({
      wait: new Histogram(shared[r.component][r.main ? 0 : 2]), response: new Histogram(shared[r.component][r.main ? 1 : 3]), completions: 0, arrivals: 0, waited: 0, dropped: 0,
      timedOut: 0, busyArea: 0, queueArea: 0, maxQueue: 0,
    }));
    this.rRng = p.resources.map((r) => stream(`resource:${r.name}:service`));
    this.flowRng = p.streams.map((name) => stream(`flow:${name}`));

    const nRep = p.services.reduce((a, sv) => a + sv.slots.length, 0);
    this.repState = new Uint8Array(nRep);
    this.repSlot = new Int32Array(nRep);
    this.repService = new Int32Array(nRep);
    p.services.forEach((sv, i) => {
      sv.slots.forEach((r, k) => {
        const g = p.replicaOf[r];
        this.repSlot[g] = r;
        this.repService[g] = i;
        this.repState[g] = k < sv.initial ? REP_SERVING : REP_OFF;
      });
    });
    this.faultRng = p.faults.map((f) => (f.kind === "random" ? stream(f.stream) : undefined));
    this.regionDown = new Uint8Array(p.regions.length);
    this.compDown = new Uint8Array(p.components.length);
    this.resDown = new Uint8Array(nR);
    this.repRegionDown = new Uint8Array(nRep);
    this.regional = p.regions.length > 0;
    this.doneTotal = new Float64Array(nR);
    this.connLb = new Int32Array(nR).fill(-1);
    p.balancers.forEach((lb, b) => { for (const r of lb.conns) this.connLb[r] = b; });
    this.cStats = p.components.map(() => ({ counts: new Float64Array(C_COUNTERS), latency: new Histogram(), queueArea: 0, maxQueue: 0, instanceArea: 0 }));
    const kernel = { busy: this.busy, units: this.units, replicaState: this.repState, componentDown: this.compDown, componentStats: this.cStats };
    const kinds = { stream, componentNames: p.components.map((c) => c.name), samplers: p.samplers, keySpace: p.keySpace, kernel, faults: p.faults };
    this.station = KINDS.station.runtime(p.stations, kinds);
    this.lb = KINDS.load_balancer.runtime(p.balancers, kinds);
    this.svc = KINDS.service.runtime(p.services, kinds);
    if (this.measuring) this.svc.startMeasuring(0);
    this.cache = KINDS.cache.runtime(p.caches, kinds);
    this.db = KINDS.database.runtime(p.databases, kinds);
    this.tables = new TableRuntime(p.databases, tableLimit(p.report.slo), o.interval);
    this.queue = KINDS.queue.runtime(p.queues, kinds);
    this.lastPublish = new Float64Array(p.queues.length).fill(-Infinity);
    this.cdn = KINDS.cdn.runtime(p.cdns, kinds);
    this.links = new LinkRuntime(p.payload.links);
    const pe = p.payload.edges.length * 2;
    this.payload = pe > 0 || p.payload.links.length > 0 || p.payload.rowsCounted.includes(1)
      ? { edgeBytes: new Float64Array(pe), edgeTransfers: new Float64Array(pe), bytesIn: new Float64Array(p.components.length), bytesOut: new Float64Array(p.components.length), rows: new Float64Array(p.components.length), links: this.links.stats }
      : undefined;
    this.edgeSent = new Float64Array(p.edges.names.length + 1);
    this.pcEdge = p.edges.pcEdge;
    this.fn = KINDS.function.runtime(p.functions, kinds);
    if (this.measuring) this.fn.startMeasuring(0);
    this.compFn = new Int32Array(p.components.length).fill(-1);
    p.functions.forEach((f, i) => { this.compFn[f.component] = i; });
    this.fnActive0 = new Float64Array(p.functions.length);
    this.realtime = KINDS.realtime.runtime(p.realtimes, kinds);
    this.geo = new GeoRuntime(p.geos, kinds, this.lb);

    this.classRng = stream("load:class");
    this.keyRng = p.classNames.map((c) => stream(`load:keys:${c}`));
    // Pinned to one realization of the arrival times when asked (ReplicationOptions.arrivalSeed).
    this.arrivalRng = o.arrivalSeed !== undefined ? new Rng(o.arrivalSeed, 0, "load:arrivals") : stream("load:arrivals");
    this.thinkRng = stream("load:think");
    this.wakeRng = stream("load:think:thinning");
    this.wakeOriginRng = stream("load:think:origin");
    this.deterministic = p.load.model === "open" && p.load.deterministic;
    this.clStats = p.classNames.map(() => ({ latency: new Histogram(), arrived: 0, completed: 0, ended: new Float64Array(REASONS.length), browser: new Float64Array(3) }));
    // Browser caches: per class, each (user, key)'s last response time; an open arrival's user is drawn.
    this.browserLast = p.browser.map((b) => (b ? new Float64Array(b.users * b.keys).fill(-Infinity) : new Float64Array(0)));
    this.browserRng = p.classNames.map((c) => stream(`browser:${c}:user`));
    this.orStats = Array.from({ length: p.origins }, () => ({ latency: new Histogram(), arrived: 0, completed: 0, ended: new Float64Array(REASONS.length), failedOver: 0 }));
    this.originRng = stream("load:origin");
    this.live = { atWarmup: new Float64Array(p.classNames.length), atEnd: new Float64Array(p.classNames.length) };
    this.oTarget = new Float64Array(p.origins);
    this.oThinking = new Float64Array(p.origins);
    this.oBusy = new Float64Array(p.origins);
    this.regionCredit = new Float64Array(p.origins);

    const nC = p.components.length;
    this.series = o.series ? newSeries(p) : undefined;
    this.ivLatency = p.classNames.map(() => new Histogram());
    this.ivErrors = new Float64Array(p.classNames.length);
    this.ivCompl = new Float64Array(nC);
    this.ivHits = new Float64Array(nC);
    this.ivMisses = new Float64Array(nC);
    this.busyTotal = new Float64Array(nR);
    this.queueTotal = new Float64Array(nR);
    this.ivBusy0 = new Float64Array(nC);
    this.ivQueue0 = new Float64Array(nC);
    for (let g = 0; g < nRep; g++) this.lb.replicaChanged(g);
    this.laneFn = p.services.length;
    this.laneRes = this.laneFn + p.functions.length;
    this.laneLb = this.laneRes + p.resources.length;
  }

  run(): ReplicationResult {
    const { o, cal } = this;
    const load = this.p.load;
    const clock = this.p.clock;
    clock[0] = 0; // a replication before this one left its end there
    if (load.model === "open") {
      this.profile = load.profile;
      scheduleArrival(this); // now is 0
    } else {
      this.think = load.think;
      this.pooled = load.pooledThinkMean !== undefined;
      if (this.pooled) this.thinkMean = load.pooledThinkMean!;
      this.userTargets = load.userTargets;
      this.userTimes = load.userTimes;
      // One pending change at a time: a ramp of a million users does not fill the calendar.
      cal.push(load.userTimes[0], 0 * 32 + EV_USERS, 0);
    }
    if (o.warmup > 0) cal.push(o.warmup, EV_WARMUP, 0);
    if (this.series) cal.push(o.interval, EV_SAMPLE, 0);
    this.svc.start(cal);
    this.svc.startScalers();
    scheduleFailures(this);
    if (this.p.realtimes.length > 0) this.realtime.start(cal, EV_REALTIME, o.duration, o.warmup, o.interval);
    this.svc.startBreakers();

    const TICK = 1 << 16;
    const PEEK = 1 << 12;
    const onPeek = this.series ? o.onPeek : undefined;
    const peek = () => peekSeries(this); // one closure per run, called only when the peeker wants it
    const maxEvents = o.maxEvents ?? Infinity;
    const duration = o.duration;
    while (this.events < maxEvents && cal.popUntil(duration)) {
      this.now = cal.popTime;
      clock[0] = this.now;
      const code = cal.popCode;
      const arg = code >> 5;
      switch (code & 31) {
        case EV_DONE: this.serviceDone(arg); break;
        case EV_RESUME: this.resume(arg); break;
        case EV_ARRIVAL: this.newRequest(-1, -1); scheduleArrival(this); break;
        case EV_TIMEOUT: this.waitTimeout(arg, cal.popExtra); break;
        case EV_CALL_TIMEOUT: callTimeout(this, arg, cal.popExtra); break;
        case EV_USER: if (this.userActive[arg] && this.userGen[arg] === cal.popExtra) this.newRequest(arg, userOrigin(this, arg)); break;
        case EV_WAKE: if (cal.popExtra === this.wakeGen) wake(this); break;
        case EV_USERS:
          if (this.pooled) setPooledUsers(this, this.userTargets[arg]);
          else setUsers(this, this.userTargets[arg]);
          if (arg + 1 < this.userTimes.length) cal.push(this.userTimes[arg + 1], (arg + 1) * 32 + EV_USERS, 0);
          break;
        case EV_SAMPLE:
          sample(this);
          if (o.onSample) o.onSample(this.series!);
          if (this.now + o.interval <= duration + 1e-9) cal.push(this.now + o.interval, EV_SAMPLE, 0);
          // observation, not simulated work: uncounted, so run.events is the same with series off
          this.events--;
          break;
        case EV_WARMUP: startMeasuring(this); break;
        case EV_CONTROL: control(this, arg); break;
        case EV_BOOTED: booted(this, arg); break;
        case EV_COOLDOWN: scale(this, arg, this.svc.scale(arg, { type: "COOLDOWN_OVER" })); break;
        case EV_FAULT: fault(this, arg, cal.popExtra); break;
        case EV_RECOVER: recover(this, arg, cal.popExtra); break;
        case EV_DETECT: detected(this, arg, cal.popExtra); break;
        case EV_RETRY: this.tPc[arg] = this.tResumePc[arg] - 1; this.step(arg); break;
        case EV_REFUSED: connectRetried(this, arg, cal.popExtra); break;
        case EV_BREAKER_WINDOW: this.svc.breakerWindow(arg, this.now); break;
        case EV_BREAKER_TIMER: this.svc.breakerTimer(arg, this.now); break;
        case EV_LINK: if (cal.popExtra === this.links.gen[arg]) linkDone(this, arg); break;
        case EV_FN_READY: fnIdleAt(this, arg, this.fn.ready(arg, this.now)); break;
        case EV_FN_BOOT: if (cal.popExtra === this.fn.bootGen[arg]) fnBootEnded(this, arg); break;
        case EV_FN_IDLE: fnIdleAt(this, arg, this.fn.idleExpired(arg, this.now)); break;
        case EV_FN_TIMEOUT: fnTimeout(this, arg, cal.popExtra); break;
        case EV_REALTIME: this.realtime.event(arg, cal.popExtra, this.now); this.events += this.realtime.takeWork(); break;
      }
      // one mask test per event; the callbacks' own tests only every PEEK events
      if ((++this.events & (PEEK - 1)) === 0) {
        if (onPeek) onPeek(peek);
        if ((this.events & (TICK - 1)) === 0 && o.onTick && o.onTick(this.now / duration)) throw new Cancelled();
      }
    }
    // A run cut short by maxEvents ends at its last event; otherwise at the full duration.
    if (this.events < maxEvents) this.now = duration;
    for (let r = 0; r < this.p.resources.length; r++) this.touch(r);
    for (let b = 0; b < this.p.balancers.length; b++) this.lb.touch(b, this.now);
    for (let l = 0; l < this.p.payload.links.length; l++) this.links.advance(l, this.now);
    this.touchInFlight();
    this.svc.finish(this.now);
    this.fn.finish(this.now);
    this.p.functions.forEach((f, i) => { this.cStats[f.component].function = this.fn.stats[i]; });
    this.totals.inFlight = this.inFlight;
    let inQueue = 0;
    for (let t = 0; t < this.nextId; t++) if (this.tState[t] !== FREE && this.tState[t] !== ZOMBIE && this.tMsg[t] >= 0) inQueue++;
    this.messages.inQueue = inQueue;
    countLive(this, this.live.atEnd);
    return {
      events: this.events,
      window: Math.max(this.now - o.warmup, 0),
      classes: this.clStats,
      origins: this.orStats,
      resources: this.rStats,
      components: this.cStats,
      totals: this.totals,
      messages: this.messages,
      live: this.live,
      inFlightArea: this.inFlightArea,
      series: this.series,
      ...(this.payload ? { payload: this.payload } : {}),
      edges: this.edgeSent,
      tables: this.tables.finish(),
      ...(this.p.realtimes.length > 0 ? { realtime: this.realtime.finish(this.now) } : {}),
      ...(this.hops ? { hops: this.hops } : {}),
    };
  }

  /** A new request from a user (or -1 for an open arrival) in origin `origin` (-1: draw by the shares). */
  newRequest(user: number, origin: number): void {
    const p = this.p;
    const t = this.alloc();
    let c = 0;
    if (p.classCum.length > 1) {
      // The class stream is drawn only to choose among classes (the last one's bound is Infinity).
      const u = this.classRng.next();
      while (u >= p.classCum[c]) c++;
    }
    this.tCls[t] = c;
    // An open arrival's region is drawn, only when there are several, so scenarios without regions
    // draw as before; a closed user's region is the user's own.
    let o = origin < 0 ? 0 : origin;
    if (origin < 0 && p.origins > 1) {
      const v = this.originRng.next();
      while (v >= p.originCum[o]) o++;
    }
    this.tOrigin[t] = o;
    this.tFailedOver[t] = 0;
    this.tPc[t] = p.classEntry[c * p.origins + o];
    if (this.measuring) this.orStats[o].arrived++;
    const ks = p.classKeys[c];
    this.tKey[t] = ks ? ks.sample(this.keyRng[c]) : 0;
    this.tStart[t] = this.now;
    this.tUser[t] = user;
    this.totals.arrived++;
    if (this.measuring) this.clStats[c].arrived++;
    if (this.series) this.ivArrivals++;
    this.touchInFlight();
    this.inFlight++;
    const bc = p.browser[c];
    if (bc !== null) {
      // The user's browser: fresh (younger than max-age) is served at once without the origin;
      // stale with an ETag revalidates (the class's revalidation entry); else a full fetch.
      const who = user >= 0 ? user % bc.users : (this.browserRng[c].next() * bc.users) | 0;
      const slot = who * bc.keys + this.tKey[t];
      const last = this.browserLast[c][slot];
      const bs = this.clStats[c].browser;
      if (this.now - last < bc.maxAge) {
        if (this.measuring) bs[0]++;
        this.finish(t, 0);
        return;
      }
      this.tBrowserSlot[t] = slot;
      if (bc.etag && last !== -Infinity) {
        this.tPc[t] = p.revalidateEntry[c * p.origins + o];
        if (this.measuring) bs[1]++;
      } else if (this.measuring) bs[2]++;
    }
    this.step(t);
  }

  /** Runs instructions from the task's pc until it waits for something or ends. */
  step(t: number): void {
    const p = this.p;
    if (this.tKilled[t] !== 0) { this.fail(t, this.tKilled[t]); return; }
    for (;;) {
      const pc = this.tPc[t];
      switch (p.op[pc]) {
        case OP_VISIT:
          this.edgeSent[this.pcEdge[pc]]++;
          this.tSampler[t] = p.argB[pc];
          this.request(p.argA[pc], t);
          return;
        case OP_BRANCH: {
          const cum = p.tableCum[p.argA[pc]];
          const u = this.flowRng[p.argB[pc]].next();
          let k = 0;
          while (u >= cum[k]) k++;
          this.tPc[t] = p.tables[p.argA[pc]][k];
          break;
        }
        case OP_JUMP:
          this.tPc[t] = p.argA[pc];
          break;
        case OP_DELAY: {
          const sampler = p.samplers[p.argA[pc]];
          sampler.draw(this.flowRng[p.argB[pc]]);
          let d = sampler.drawn;
          if (p.argC[pc] !== 0) d += confirmWake(this, p.argC[pc] - 1);
          if (this.hops) delayHop(this, t, pc, d);
          this.cal.pushTime = this.now + d; this.cal.pushAt(t * 32 + EV_RESUME, 0);
          return;
        }
        case OP_CALL: {
          const stub = p.argA[pc];
          const svc = p.argB[pc];
          this.tResumePc[t] = pc + 1;
          if (!admitCall(this, t, svc)) return;
          this.edgeSent[this.pcEdge[pc]]++;
          const c = this.spawn(t, stub);
          this.tChildren[t] = 1;
          const timeout = p.services[svc].timeout;
          if (timeout !== Infinity) { this.cal.pushTime = this.now + timeout; this.cal.pushLane(svc, c * 32 + EV_CALL_TIMEOUT, this.tGen[c]); }
          this.step(c);
          return;
        }
        case OP_BALANCE:
          if (this.compDown[p.balancers[p.argA[pc]].component] !== 0) { this.fail(t, R_REGION_DOWN); return; }
          // Only a rate-limited balancer needs the time (a double argument to a call V8 did not
          // inline is boxed: a heap number per request otherwise).
          if (p.balancers[p.argA[pc]].rateLimit !== null && !this.lb.take(p.argA[pc], this.now)) {
            if (this.measuring) this.cStats[p.balancers[p.argA[pc]].component].counts[C_RATE_LIMITED]++;
            this.fail(t, R_RATE_LIMITED);
            return;
          }
          balance(this, t, p.argA[pc]);
          return;
        case OP_SLOT: {
          this.edgeSent[this.pcEdge[pc]]++;
          const svc = p.services[p.argA[pc]];
          if (this.compDown[svc.component] !== 0) { this.fail(t, R_REGION_DOWN); return; }
          // Through a balancer, connect() left the chosen backend in tBackend.
          let replica = this.tLbConn[t] >= 0 ? this.tBackend[t] : -1;
          if (replica < 0) {
            // Called without a balancer: the client spreads calls round robin over serving replicas.
            replica = this.svc.nextReplica(p.argA[pc]);
          }
          const g = p.replicaOf[svc.slots[replica]];
          // A balancer that has not noticed a crash still sends to the dead replica: refused. Its
          // connect retries hold the backend connection first (so maxconn fills and the balancer
          // sends elsewhere); then the request fails, unless the replica is back by then.
          if (this.repState[g] === REP_DOWN) {
            const hold = this.tLbConn[t] >= 0 ? this.lb.refusedHoldOf(this.tLbConn[t]) : 0;
            if (hold > 0) this.cal.push(this.now + hold, t * 32 + EV_REFUSED, g);
            else this.fail(t, R_BACKEND_DOWN);
            return;
          }
          this.tReplica[t] = g;
          this.request(svc.slots[replica], t);
          return;
        }
        case OP_CACHE:
          this.edgeSent[this.pcEdge[pc]]++;
          this.tSampler[t] = -1;
          this.request(p.caches[p.argA[pc]].server, t);
          return;
        case OP_DB:
          this.edgeSent[this.pcEdge[pc]]++;
          dbStep(this, t, pc);
          return;
        case OP_PUBLISH:
          this.edgeSent[this.pcEdge[pc]]++;
          if (this.compDown[p.queues[p.argA[pc]].component] !== 0) { this.fail(t, R_REGION_DOWN); return; }
          if (!publish(this, t, p.argA[pc])) { this.fail(t, R_QUEUEFULL); return; }
          this.tPc[t] = pc + 1;
          break;
        case OP_PARALLEL: {
          const pcs = p.tables[p.argA[pc]];
          this.tChildren[t] = pcs.length;
          this.tResumePc[t] = p.argB[pc];
          for (let i = 0; i < pcs.length; i++) this.step(this.spawn(t, pcs[i]));
          return;
        }
        case OP_ACQUIRE:
          this.request(this.queue.worker(p.argA[pc], this.tKey[t]), t);
          return;
        case OP_GEO: {
          // the entry to use (components/geo); one past the origin's first is a failover
          const i = this.geo.pick(p.argA[pc], this.tOrigin[t]);
          if (i < 0) { this.fail(t, R_REGION_DOWN); return; }
          if (i > 0) for (let x = t; x >= 0; x = this.tParent[x]) this.tFailedOver[x] = 1;
          this.tPc[t] = p.tables[p.argB[pc]][this.geo.entry(p.argA[pc], this.tOrigin[t], i)];
          break;
        }
        case OP_CDN: {
          this.edgeSent[this.pcEdge[pc]]++;
          const c = p.argA[pc];
          if (this.compDown[p.cdns[c].component] !== 0) { this.fail(t, R_REGION_DOWN); return; }
          this.tCdnObject[t] = this.cdn.pickObject(c);
          const d = this.cdn.edgeDelay(c);
          if (this.hops) hop(this, t, p.cdns[c].component, 1, d);
          this.cal.pushTime = this.now + d; this.cal.pushAt(t * 32 + EV_RESUME, 0);
          return;
        }
        case OP_CDN_FILL:
          this.cdn.fill(p.argA[pc], this.tCdnObject[t], this.now);
          this.tPc[t] = pc + 1;
          break;
        case OP_BYTES:
          if (transfer(this, t, p.argA[pc])) return;
          this.tPc[t] = pc + 1;
          break;
        case OP_ROWS:
          if (this.measuring) this.payload!.rows[p.argA[pc]] += p.argB[pc];
          this.tPc[t] = pc + 1;
          break;
        case OP_FN_CALL: {
          this.edgeSent[this.pcEdge[pc]]++;
          // The invocation is a child at the function's stub (FN_ACQUIRE FN_START handler END).
          this.tResumePc[t] = pc + 1;
          const c = this.spawn(t, p.argB[pc]);
          this.tReplica[c] = -1; // not a service replica: its database calls take no caller's pool
          this.tChildren[t] = 1;
          this.step(c);
          return;
        }
        case OP_FN_ACQUIRE: {
          const f = p.functions[p.argA[pc]];
          if (this.compDown[f.component] !== 0) { this.fail(t, R_REGION_DOWN); return; }
          this.tFnSince[t] = this.now;
          this.request(f.slots, t);
          return;
        }
        case OP_FN_START:
          if (!fnStart(this, t, pc)) return;
          break;
        case OP_RT_PUBLISH:
          this.edgeSent[this.pcEdge[pc]]++;
          this.realtime.serverPublish(p.argA[pc], this.now);
          this.tPc[t] = pc + 1;
          break;
        default: // OP_END
          this.end(t);
          return;
      }
    }
  }

  /** A delay (own work, network hop, balancer overhead, CDN edge) or a synchronous write's apply is over. */
  resume(t: number): void {
    const p = this.p;
    const pc = this.tPc[t];
    // A synchronous write's wait for its replicas ended (dbStep's phase 3).
    if (p.op[pc] === OP_DB) { dbStep(this, t, pc); return; }
    if (p.op[pc] === OP_CDN) {
      const c = p.argA[pc];
      const hit = this.cdn.isHit(c, this.tCdnObject[t], this.now);
      if (this.measuring) this.cStats[p.cdns[c].component].counts[hit ? C_HITS : C_MISSES]++;
      if (this.series) (hit ? this.ivHits : this.ivMisses)[p.cdns[c].component]++;
      this.tPc[t] = hit ? p.argB[pc] : pc + 1;
    } else {
      this.tPc[t] = pc + 1;
    }
    this.step(t);
  }

  end(t: number): void {
    if (this.tFnInst[t] >= 0) fnDone(this, t, true);
    const holdB = this.tHeldUnit[t], holdA = this.tLbConn[t];
    if (holdB >= 0) { this.tHeldUnit[t] = -1; this.releaseUnit(holdB, this.tHeldSince, t); }
    if (holdA >= 0) { this.tLbConn[t] = -1; this.releaseUnit(holdA, this.tLbConnSince, t); }
    if (this.tMsg[t] >= 0) { messageDone(this, t, true); return; }
    const parent = this.tParent[t];
    if (parent >= 0) {
      this.release(t);
      this.notify(parent, 0);
      return;
    }
    if (this.tUser[t] === ORPHAN) { this.release(t); return; } // its caller already gave up on it
    this.finish(t, 0);
  }

  fail(t: number, reason: number): void {
    if (this.tFnInst[t] >= 0) fnDone(this, t, false);
    const holdB = this.tHeldUnit[t], holdA = this.tLbConn[t], conn = this.tPoolConn[t];
    if (conn >= 0) { this.tPoolConn[t] = -1; this.releaseUnit(conn, this.tPoolConnSince, t); }
    if (holdB >= 0) { this.tHeldUnit[t] = -1; this.releaseUnit(holdB, this.tHeldSince, t); }
    if (holdA >= 0) { this.tLbConn[t] = -1; this.releaseUnit(holdA, this.tLbConnSince, t); }
    if (this.tMsg[t] >= 0) { messageDone(this, t, false); return; }
    const parent = this.tParent[t];
    if (parent >= 0) {
      this.release(t);
      this.notify(parent, reason);
      return;
    }
    if (this.tUser[t] === ORPHAN) { this.release(t); return; }
    this.finish(t, reason);
  }

  notify(parent: number, reason: number): void {
    if (reason !== 0 && this.tChildFailure[parent] === 0) this.tChildFailure[parent] = reason;
    if (--this.tChildren[parent] > 0) return;
    const callPc = this.tResumePc[parent] - 1;
    if (callPc >= 0 && this.p.op[callPc] === OP_CALL && callEnded(this, parent, callPc)) return;
    if (this.tChildFailure[parent] !== 0) { this.fail(parent, this.tChildFailure[parent]); return; }
    this.tPc[parent] = this.tResumePc[parent];
    this.step(parent);
  }

  /** A root request ends: success (reason 0) or the reason it failed. */
  finish(t: number, reason: number): void {
    const c = this.tCls[t];
    const cs = this.clStats[c];
    this.touchInFlight();
    this.inFlight--;
    const latency = this.now - this.tStart[t];
    const os = this.orStats[this.tOrigin[t]];
    if (this.hopLedger) {
      if (reason === 0 && this.measuring) this.hopLedger.commit(t, this.tGen[t], c, this.p.components.length, this.hops!.time, this.hops!.network);
      else this.hopLedger.drop(t);
    }
    if (reason === 0) {
      // A response from the origin (full or 304) is fresh in the user's browser from now.
      if (this.tBrowserSlot[t] >= 0) this.browserLast[c][this.tBrowserSlot[t]] = this.now;
      this.totals.completed++;
      if (this.measuring) {
        cs.completed++; cs.latency.record(latency);
        os.completed++;
        if (this.regional) os.latency.record(latency);
        if (this.tFailedOver[t] !== 0) os.failedOver++;
      }
      if (this.series) this.ivLatency[c].record(latency);
    } else {
      this.totals.ended[reason]++;
      if (this.measuring) { cs.ended[reason]++; os.ended[reason]++; }
      if (this.series) this.ivErrors[c]++;
    }
    const u = this.tUser[t];
    const origin = this.tOrigin[t];
    this.release(t);
    if (u >= 0) userDone(this, u);
    else if (u === POOLED_USER) pooledUserDone(this, origin);
  }

  // ---------------------------------------------------------------- resources

  touch(r: number): void {
    const dt = this.now - this.lastTouch[r];
    if (dt > 0) {
      const st = this.rStats[r];
      st.busyArea += this.busy[r] * dt;
      st.queueArea += this.waiting[r] * dt;
      this.lastTouch[r] = this.now;
    }
  }

  /** Asks resource r for a unit: served now, queued, or refused (then the task fails). */
  request(r: number, t: number): void {
    if (this.resDown[r] !== 0) { this.fail(t, R_REGION_DOWN); return; }
    const st = this.rStats[r];
    if (this.measuring) st.arrivals++;
    this.tEnqueued[t] = this.now;
    this.tResource[t] = r;
    if (this.busy[r] < this.units[r]) {
      this.touch(r);
      this.busy[r]++;
      this.grant(r, t);
      return;
    }
    const spec = this.p.resources[r];
    if (spec.buffer >= 0 && this.waiting[r] >= spec.buffer) {
      if (this.measuring) st.dropped++;
      this.fail(t, this.refusal(r));
      return;
    }
    this.enqueue(r, t);
    if (spec.timeout !== Infinity) { this.cal.pushTime = this.now + spec.timeout; this.cal.pushLane(this.laneRes + r, t * 32 + EV_TIMEOUT, this.tWaitGen[t]); }
  }

  enqueue(r: number, t: number): void {
    this.touch(r);
    this.waiting[r]++;
    if (this.measuring && this.waiting[r] > this.rStats[r].maxQueue) this.rStats[r].maxQueue = this.waiting[r];
    this.tState[t] = WAITING;
    this.tInRing[t] = 1;
    let ring = this.rings[r];
    if (this.qLen[r] === ring.length) {
      const bigger = new Int32Array(ring.length * 2);
      for (let i = 0; i < this.qLen[r]; i++) bigger[i] = ring[(this.qHead[r] + i) % ring.length];
      this.rings[r] = ring = bigger;
      this.qHead[r] = 0;
    }
    ring[(this.qHead[r] + this.qLen[r]) % ring.length] = t;
    this.qLen[r]++;
  }

  /** The next waiting task (skipping those that gave up), removed from the ring; -1 if none. */
  dequeue(r: number): number {
    while (this.qLen[r] > 0) {
      const ring = this.rings[r];
      const t = ring[this.qHead[r]];
      this.qHead[r] = (this.qHead[r] + 1) % ring.length;
      this.qLen[r]--;
      this.tInRing[t] = 0;
      if (this.tState[t] === ZOMBIE) { this.reclaim(t); continue; }
      if (this.tState[t] !== WAITING || this.tResource[t] !== r) continue; // dropped from the head earlier
      this.waiting[r]--;
      return t;
    }
    return -1;
  }

  grant(r: number, t: number): void {
    const spec = this.p.resources[r];
    const w = this.now - this.tEnqueued[t];
    if (this.measuring) {
      const st = this.rStats[r];
      st.wait.record(w);
      if (w > 0) st.waited++;
    }
    if (this.hops) hop(this, t, spec.component, 0, w);
    this.tWaitGen[t]++;
    if (spec.mode === MODE_SERVICE) {
      this.tState[t] = SERVING;
      const s = this.tSampler[t] >= 0 ? this.tSampler[t] : spec.sampler;
      // tExtra: a database query's row cost (0 for everything else; x + 0 is x, bit for bit).
      const sampler = this.p.samplers[s];
      sampler.draw(this.rRng[r]);
      const d = sampler.drawn + this.tExtra[t];
      this.tExtra[t] = 0;
      if (this.hops) hop(this, t, spec.component, 1, d);
      this.cal.pushTime = this.now + d; this.cal.pushAt(t * 32 + EV_DONE, 0);
      return;
    }
    this.tState[t] = RUNNING;
    const pc = this.tPc[t];
    if (this.p.op[pc] === OP_DB) {
      this.tPoolConn[t] = r;
      this.tPoolConnSince[t] = this.now;
      this.tDbPhase[t] = 1;
      dbStep(this, t, pc);
      return;
    }
    this.tHeldUnit[t] = r;
    this.tHeldSince[t] = this.now;
    this.tPc[t] = pc + 1;
    this.step(t);
  }

  /**
   * Gives a held unit back and hands it to the next waiting task. When it was taken is read from
   * its column at row t (tHeldSince, tLbConnSince or tPoolConnSince): passed as a double, it would
   * be boxed on every release the caller does not inline.
   */
  releaseUnit(r: number, since: Float64Array, t: number): void {
    const taken = since[t];
    this.touch(r);
    this.busy[r]--;
    this.lb.released(r);
    this.doneTotal[r]++;
    if (this.measuring) { this.rStats[r].completions++; this.rStats[r].response.record(this.now - taken); }
    if (this.series) this.ivCompl[this.p.resources[r].component]++;
    const next = this.dequeue(r);
    if (next >= 0) { this.busy[r]++; this.grant(r, next); return; }
    const g = this.p.replicaOf[r];
    if (g >= 0 && this.repState[g] === REP_DRAINING && this.busy[r] === 0) switchOff(this, g);
    onUnitFree(this, r);
  }

  /** A service-mode resource finished serving task t. */
  serviceDone(t: number): void {
    const p = this.p;
    const r = this.tResource[t];
    this.touch(r);
    this.busy[r]--;
    if (this.measuring) { this.rStats[r].completions++; this.rStats[r].response.record(this.now - this.tEnqueued[t]); }
    if (this.series && p.resources[r].main) this.ivCompl[p.resources[r].component]++;
    this.tState[t] = RUNNING;
    // Serve the next waiting task before this one moves on: a task routed back here queues behind them.
    const next = this.dequeue(r);
    if (next >= 0) { this.busy[r]++; this.grant(r, next); }
    const pc = this.tPc[t];
    switch (p.op[pc]) {
      case OP_VISIT: {
        // a station's routing (components/station): on to another station, or on along the flow
        const to = this.station.route(r);
        if (to >= 0) { this.edgeSent[this.station.routed]++; this.tSampler[t] = -1; this.request(to, t); return; }
        this.tPc[t] = pc + 1;
        break;
      }
      case OP_CACHE: {
        const c = p.argA[pc];
        const op = p.argB[pc];
        if (op === CACHE_GET) {
          const hit = this.cache.get(c, this.tKey[t], this.now);
          if (this.measuring) this.cStats[p.caches[c].component].counts[hit ? C_HITS : C_MISSES]++;
          if (this.series) (hit ? this.ivHits : this.ivMisses)[p.caches[c].component]++;
          this.tPc[t] = hit ? pc + 1 : p.argC[pc];
        } else {
          if (op === CACHE_SET) this.cache.set(c, this.tKey[t], this.now);
          else this.cache.delete(c, this.tKey[t]);
          this.tPc[t] = pc + 1;
        }
        break;
      }
      case OP_DB:
        this.tDbPhase[t] = 2;
        dbStep(this, t, pc);
        return;
    }
    this.step(t);
  }

  refusal(r: number): number {
    const comp = this.p.resources[r].component;
    const kind = this.p.components[comp].kind;
    if (kind === "function") {
      if (this.measuring) this.cStats[comp].counts[C_FN_THROTTLED]++;
      return R_THROTTLED;
    }
    return kind === "service" ? R_BACKLOG : kind === "queue" ? R_QUEUEFULL : R_BUFFER;
  }

  waitTimeout(t: number, gen: number): void {
    if (this.tState[t] !== WAITING || this.tWaitGen[t] !== gen) return;
    const r = this.tResource[t];
    if (r <= -2) { lbTimeout(this, t, -2 - r); return; }
    this.touch(r);
    this.waiting[r]--;
    this.tState[t] = RUNNING;
    this.tWaitGen[t]++;
    if (this.measuring) this.rStats[r].timedOut++;
    const kind = this.p.components[this.p.resources[r].component].kind;
    this.fail(t, kind === "database" ? R_POOLTIMEOUT : R_QTIMEOUT);
  }

  // ---------------------------------------------------------------- elsewhere
  // What the kernel does for a kind is in the kind's folder (components/<kind>/: backend-queue.ts,
  // query.ts, messages.ts, invocations.ts, scaling.ts, calls.ts); the load sources, the fault plan,
  // the statistics window, the series, hop times and transfers in engine/ (docs/architecture.md):
  // plain functions over this replication's fields.

  // ---------------------------------------------------------------- statistics

  touchInFlight(): void {
    this.inFlightArea += this.inFlight * (this.now - this.lastInFlight);
    this.lastInFlight = this.now;
  }
}
