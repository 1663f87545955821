// One replication of a compiled model: the event loop and the state it steps. Requests live in a
// pool of parallel typed arrays indexed by request id (recycled through a free list); station
// queues are ring buffers of request ids; statistics are accumulated in place. Nothing in the loop
// allocates: events are integers in the calendar, samplers and RNG streams are created up front.
import { Calendar } from "./calendar.ts";
import { Histogram } from "./histogram.ts";
import { RateProfile, userSchedule } from "./profile.ts";
import { Rng } from "./rng.ts";
import { OP_BRANCH, OP_END, OP_JUMP, OP_VISIT, type Program } from "./program.ts";
import type { Scenario } from "../model/schema.ts";
import { Sampler } from "./distributions.ts";

// Event types, packed with one argument as arg * 8 + type.
const EV_ARRIVAL = 0, EV_DEPART = 1, EV_TIMEOUT = 2, EV_USER = 3, EV_USERS = 4, EV_SAMPLE = 5, EV_WARMUP = 6;

// Request states.
const FREE = 0, WAITING = 1, IN_SERVICE = 2, ABANDONED = 3;

export interface ReplicationOptions {
  readonly seed: number;
  readonly replication: number;
  readonly duration: number;
  readonly warmup: number;
  readonly interval: number;
  /** Collect per-interval series (costs a little; the first replication is enough for charts). */
  readonly series: boolean;
  /** Stop after this many events even before `duration` (benchmarks run a fixed event count). */
  readonly maxEvents?: number;
  /** Called about every 65k events with the share of simulated time done; return true to cancel. */
  readonly onTick?: (fraction: number) => boolean | void;
}

export class Cancelled extends Error {
  constructor() {
    super("simulation cancelled");
  }
}

export interface StationStats {
  readonly wait: Histogram;
  readonly response: Histogram;
  completions: number;
  arrivals: number;
  /** Requests that found every server busy and waited (for Erlang C's wait probability). */
  waited: number;
  dropped: number;
  timedOut: number;
  busyArea: number;
  queueArea: number;
  maxQueue: number;
}

export interface ClassStats {
  readonly latency: Histogram;
  arrived: number;
  completed: number;
  dropped: number;
  timedOut: number;
}

export interface Series {
  readonly t: number[];
  readonly classes: Array<{ throughput: number[]; errors: number[]; p50: number[]; p95: number[]; p99: number[] }>;
  readonly stations: Array<{ utilization: number[]; queue: number[]; throughput: number[] }>;
  readonly inFlight: number[];
  readonly offered: number[];
}

export interface ReplicationResult {
  readonly events: number;
  /** Length of the statistics window (duration - warmup), seconds. */
  readonly window: number;
  readonly classes: ClassStats[];
  readonly stations: StationStats[];
  /** Whole-run accounting: every request that arrived is in exactly one of these. */
  readonly totals: { arrived: number; completed: number; dropped: number; timedOut: number; inFlight: number };
  readonly inFlightArea: number;
  readonly series?: Series;
}

export function runReplication(p: Program, scenario: Scenario, o: ReplicationOptions): ReplicationResult {
  const { seed, replication, duration, warmup, interval } = o;
  const nS = p.stations.length;
  const nC = p.classNames.length;
  const stream = (name: string) => new Rng(seed, replication, name);

  // Station state and streams.
  const servers = Int32Array.from(p.stations, (s) => s.servers);
  const buffer = Int32Array.from(p.stations, (s) => s.buffer);
  const timeout = Float64Array.from(p.stations, (s) => s.timeout);
  const service: Sampler[] = p.stations.map((s) => s.service);
  const serviceRng = p.stations.map((s) => stream(`station:${s.name}:service`));
  const routeRng = p.stations.map((s) => stream(`station:${s.name}:routing`));
  const busy = new Int32Array(nS);
  const waiting = new Int32Array(nS);
  const lastTouch = new Float64Array(nS);
  const qCap = new Int32Array(nS).fill(64);
  const qHead = new Int32Array(nS);
  const qLen = new Int32Array(nS); // ring occupancy, abandoned requests included until skipped
  const rings: Int32Array[] = p.stations.map(() => new Int32Array(64));
  const classRng = stream("load:class");
  const branchRng = stream("load:branch");

  const stStats: StationStats[] = p.stations.map(() => ({
    wait: new Histogram(), response: new Histogram(), completions: 0, arrivals: 0, waited: 0, dropped: 0, timedOut: 0,
    busyArea: 0, queueArea: 0, maxQueue: 0,
  }));
  const clStats: ClassStats[] = p.classNames.map(() => ({ latency: new Histogram(), arrived: 0, completed: 0, dropped: 0, timedOut: 0 }));
  const totals = { arrived: 0, completed: 0, dropped: 0, timedOut: 0, inFlight: 0 };

  // Request pool.
  let cap = 1024;
  let jClass = new Int32Array(cap), jPc = new Int32Array(cap), jStation = new Int32Array(cap);
  let jSvc = new Int32Array(cap), jGen = new Int32Array(cap), jUser = new Int32Array(cap);
  let jState = new Uint8Array(cap);
  let jStart = new Float64Array(cap), jEnter = new Float64Array(cap);
  let free = new Int32Array(cap);
  let nFree = 0;
  let nextId = 0;
  const allocJob = (): number => {
    if (nFree > 0) return free[--nFree];
    if (nextId === cap) {
      const n = cap * 2;
      const g32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
      const g64 = (a: Float64Array) => { const b = new Float64Array(n); b.set(a); return b; };
      jClass = g32(jClass); jPc = g32(jPc); jStation = g32(jStation); jSvc = g32(jSvc); jGen = g32(jGen); jUser = g32(jUser);
      free = g32(free);
      const st = new Uint8Array(n); st.set(jState); jState = st;
      jStart = g64(jStart); jEnter = g64(jEnter);
      cap = n;
    }
    return nextId++;
  };
  const releaseJob = (j: number) => {
    jState[j] = FREE;
    free[nFree++] = j;
  };

  const cal = new Calendar(1024);
  // Mutable doubles live in an object, not in closure variables: V8 boxes a double captured by a
  // closure on every write (a heap allocation per event), but updates an object's double field in place.
  const k = { now: 0, inFlightArea: 0, lastInFlight: 0, ivInFlight0: 0 };
  let measuring = warmup === 0;
  let inFlight = 0;

  const touch = (s: number) => {
    const dt = k.now - lastTouch[s];
    if (dt > 0) {
      stStats[s].busyArea += busy[s] * dt;
      stStats[s].queueArea += waiting[s] * dt;
      lastTouch[s] = k.now;
    }
  };
  const touchInFlight = () => {
    k.inFlightArea += inFlight * (k.now - k.lastInFlight);
    k.lastInFlight = k.now;
  };

  // Per-interval series (first replication only).
  const series: Series | undefined = o.series
    ? {
        t: [], inFlight: [], offered: [],
        classes: p.classNames.map(() => ({ throughput: [], errors: [], p50: [], p95: [], p99: [] })),
        stations: p.stations.map(() => ({ utilization: [], queue: [], throughput: [] })),
      }
    : undefined;
  const ivLatency = p.classNames.map(() => new Histogram());
  const ivErrors = new Float64Array(nC);
  const ivArrivals = { n: 0 };
  const ivStCompl = new Float64Array(nS);
  const ivBusy0 = new Float64Array(nS), ivQueue0 = new Float64Array(nS);
  // Series areas must not be reset by the warmup, so they are tracked as totals since t = 0.
  const busyTotal = new Float64Array(nS), queueTotal = new Float64Array(nS);

  // ----- request life cycle

  const finish = (j: number, ok: boolean, reason: number) => {
    const c = jClass[j];
    const cs = clStats[c];
    touchInFlight();
    inFlight--;
    if (ok) {
      totals.completed++;
      if (measuring) { cs.completed++; cs.latency.record(k.now - jStart[j]); }
      if (series) ivLatency[c].record(k.now - jStart[j]);
    } else {
      if (reason === 1) totals.dropped++; else totals.timedOut++;
      if (measuring) { if (reason === 1) cs.dropped++; else cs.timedOut++; }
      if (series) ivErrors[c]++;
    }
    const u = jUser[j];
    if (u >= 0) userDone(u);
  };

  // Runs instructions from the request's pc until it waits somewhere or ends.
  const advance = (j: number) => {
    for (;;) {
      const pc = jPc[j];
      const code = p.op[pc];
      if (code === OP_VISIT) {
        arrive(p.argA[pc], j, p.argB[pc]);
        return;
      } else if (code === OP_BRANCH) {
        const cum = p.branchCum[p.argA[pc]];
        const u = branchRng.next();
        let k = 0;
        while (u >= cum[k]) k++;
        jPc[j] = p.branchPc[p.argA[pc]][k];
      } else if (code === OP_JUMP) {
        jPc[j] = p.argA[pc];
      } else {
        // OP_END
        finish(j, true, 0);
        releaseJob(j);
        return;
      }
    }
  };

  const arrive = (s: number, j: number, svc: number) => {
    jStation[j] = s;
    jSvc[j] = svc;
    jEnter[j] = k.now;
    const st = stStats[s];
    if (measuring) st.arrivals++;
    if (busy[s] < servers[s]) {
      touch(s);
      startService(s, j);
      return;
    }
    if (buffer[s] >= 0 && waiting[s] >= buffer[s]) {
      if (measuring) st.dropped++;
      finish(j, false, 1);
      releaseJob(j);
      return;
    }
    touch(s);
    waiting[s]++;
    if (measuring && waiting[s] > st.maxQueue) st.maxQueue = waiting[s];
    jState[j] = WAITING;
    let ring = rings[s];
    if (qLen[s] === qCap[s]) {
      const n = qCap[s] * 2;
      const bigger = new Int32Array(n);
      for (let i = 0; i < qLen[s]; i++) bigger[i] = ring[(qHead[s] + i) % qCap[s]];
      rings[s] = ring = bigger;
      qHead[s] = 0;
      qCap[s] = n;
    }
    ring[(qHead[s] + qLen[s]) % qCap[s]] = j;
    qLen[s]++;
    if (timeout[s] !== Infinity) cal.push(k.now + timeout[s], j * 8 + EV_TIMEOUT, jGen[j]);
  };

  const startService = (s: number, j: number) => {
    busy[s]++;
    jState[j] = IN_SERVICE;
    if (measuring) {
      const w = k.now - jEnter[j];
      stStats[s].wait.record(w);
      if (w > 0) stStats[s].waited++;
    }
    const svc = jSvc[j];
    const d = svc < 0 ? service[s].sample(serviceRng[s]) : p.samplers[svc].sample(serviceRng[s]);
    cal.push(k.now + d, j * 8 + EV_DEPART, 0);
  };

  const depart = (j: number) => {
    const s = jStation[j];
    touch(s);
    busy[s]--;
    const st = stStats[s];
    if (measuring) { st.completions++; st.response.record(k.now - jEnter[j]); }
    if (series) ivStCompl[s]++;
    jGen[j]++;
    // Serve the next waiting request before the departing one moves on: a request routed back
    // here joins the queue behind those already waiting.
    while (qLen[s] > 0) {
      const next = rings[s][qHead[s]];
      qHead[s] = (qHead[s] + 1) % qCap[s];
      qLen[s]--;
      if (jState[next] === ABANDONED) { releaseJob(next); continue; }
      waiting[s]--;
      startService(s, next);
      break;
    }
    const routes = p.stations[s].routeCum;
    if (routes.length > 0) {
      const u = routeRng[s].next();
      let k = 0;
      while (u >= routes[k]) k++;
      const to = p.stations[s].routeTo[k];
      if (to >= 0) { arrive(to, j, -1); return; }
    }
    jPc[j]++;
    advance(j);
  };

  const renege = (j: number, gen: number) => {
    if (jState[j] !== WAITING || jGen[j] !== gen) return;
    const s = jStation[j];
    touch(s);
    waiting[s]--;
    jState[j] = ABANDONED; // stays in the ring until skipped, then its id is recycled
    if (measuring) stStats[s].timedOut++;
    finish(j, false, 2);
  };

  const newRequest = (user: number) => {
    const j = allocJob();
    const u = classRng.next();
    let c = 0;
    while (u >= p.classCum[c]) c++;
    jClass[j] = c;
    jPc[j] = p.classEntry[c];
    jStart[j] = k.now;
    jUser[j] = user;
    jGen[j] = 0;
    totals.arrived++;
    if (measuring) clStats[c].arrived++;
    if (series) ivArrivals.n++;
    touchInFlight();
    inFlight++;
    advance(j);
  };

  // ----- sources

  const load = scenario.load;
  const arrivalRng = stream("load:arrivals");
  let profile: RateProfile | undefined;
  let piece = 0;
  const deterministic = load.model === "open" && load.arrivals === "deterministic";
  const scheduleArrival = (from: number) => {
    const prof = profile!;
    let t = from;
    for (;;) {
      if (t >= prof.end) return;
      piece = prof.pieceAt(t, piece);
      const max = prof.maxRate[piece];
      const pieceEnd = prof.ends[piece];
      if (max <= 0) { t = pieceEnd; continue; }
      if (deterministic) {
        // Next arrival one mean gap away at the current rate (midpoint rule for ramps).
        const r0 = prof.rateIn(piece, t);
        const rm = prof.rateIn(piece, Math.min(t + 0.5 / Math.max(r0, 1e-9), pieceEnd));
        const r = rm > 0 ? rm : r0;
        if (r <= 0) { t = Math.min(t + 1 / max, pieceEnd); continue; }
        const next = t + 1 / r;
        if (next >= pieceEnd && piece < prof.pieces - 1) { t = pieceEnd; continue; }
        cal.push(next, EV_ARRIVAL, 0);
        return;
      }
      // Poisson by thinning against the piece's maximum rate (exact, and equal to plain
      // exponential gaps when the rate is constant).
      t += -Math.log(arrivalRng.next()) / max;
      if (t >= pieceEnd) { t = pieceEnd; continue; }
      const r = prof.rateIn(piece, t);
      if (r >= max || arrivalRng.next() * max < r) {
        cal.push(t, EV_ARRIVAL, 0);
        return;
      }
    }
  };

  // Closed users.
  let userActive = new Uint8Array(0);
  let userGen = new Int32Array(0);
  let activeUsers = 0;
  let thinkSampler: Sampler | undefined;
  const thinkRng = stream("load:think");
  const userDone = (u: number) => {
    if (!userActive[u]) return;
    cal.push(k.now + thinkSampler!.sample(thinkRng), u * 8 + EV_USER, userGen[u]);
  };
  const setUsers = (target: number) => {
    if (target > userActive.length) {
      const a = new Uint8Array(target); a.set(userActive); userActive = a;
      const g = new Int32Array(target); g.set(userGen); userGen = g;
    }
    for (let u = 0; u < userActive.length && activeUsers < target; u++) {
      if (userActive[u]) continue;
      userActive[u] = 1;
      userGen[u]++;
      activeUsers++;
      cal.push(k.now + thinkSampler!.sample(thinkRng), u * 8 + EV_USER, userGen[u]);
    }
    // Ramp down: the highest-numbered users leave after their request in flight, if any.
    for (let u = userActive.length - 1; u >= 0 && activeUsers > target; u--) {
      if (!userActive[u]) continue;
      userActive[u] = 0;
      userGen[u]++;
      activeUsers--;
    }
  };
  let userTimes: number[] = [], userTargets: number[] = [];

  if (load.model === "open") {
    profile = new RateProfile(load);
    scheduleArrival(0);
  } else {
    thinkSampler = new Sampler(load.think);
    const sched = userSchedule(load);
    userTimes = sched.times; userTargets = sched.targets;
    for (let i = 0; i < userTimes.length; i++) cal.push(userTimes[i], i * 8 + EV_USERS, 0);
  }

  if (warmup > 0) cal.push(warmup, EV_WARMUP, 0);
  if (series) cal.push(interval, EV_SAMPLE, 0);

  // ----- the loop

  const sample = () => {
    for (let s = 0; s < nS; s++) touch(s);
    touchInFlight();
    series!.t.push(k.now);
    for (let c = 0; c < nC; c++) {
      const h = ivLatency[c];
      const sc = series!.classes[c];
      sc.throughput.push(h.count / interval);
      sc.errors.push(ivErrors[c] / interval);
      sc.p50.push(h.quantile(0.5)); sc.p95.push(h.quantile(0.95)); sc.p99.push(h.quantile(0.99));
      h.reset();
      ivErrors[c] = 0;
    }
    for (let s = 0; s < nS; s++) {
      const st = stStats[s];
      const b = busyTotal[s] + st.busyArea, q = queueTotal[s] + st.queueArea;
      series!.stations[s].utilization.push((b - ivBusy0[s]) / (interval * servers[s]));
      series!.stations[s].queue.push((q - ivQueue0[s]) / interval);
      series!.stations[s].throughput.push(ivStCompl[s] / interval);
      ivBusy0[s] = b; ivQueue0[s] = q; ivStCompl[s] = 0;
    }
    series!.inFlight.push((k.inFlightArea - k.ivInFlight0) / interval);
    k.ivInFlight0 = k.inFlightArea;
    series!.offered.push(ivArrivals.n / interval);
    ivArrivals.n = 0;
  };

  const startWarm = () => {
    for (let s = 0; s < nS; s++) {
      touch(s);
      const st = stStats[s];
      busyTotal[s] += st.busyArea; queueTotal[s] += st.queueArea;
      st.busyArea = 0; st.queueArea = 0;
    }
    touchInFlight();
    k.ivInFlight0 -= k.inFlightArea;
    k.inFlightArea = 0;
    measuring = true;
  };

  let events = 0;
  const TICK = 1 << 16;
  const maxEvents = o.maxEvents ?? Infinity;
  while (cal.size > 0 && events < maxEvents) {
    const t = cal.peekTime();
    if (t > duration) break;
    cal.pop();
    k.now = t;
    const code = cal.popCode;
    const type = code & 7;
    const arg = code >> 3;
    switch (type) {
      case EV_DEPART: depart(arg); break;
      case EV_ARRIVAL: newRequest(-1); scheduleArrival(k.now); break;
      case EV_TIMEOUT: renege(arg, cal.popExtra); break;
      case EV_USER: if (userActive[arg] && userGen[arg] === cal.popExtra) newRequest(arg); break;
      case EV_USERS: setUsers(userTargets[arg]); break;
      case EV_SAMPLE: sample(); if (k.now + interval <= duration + 1e-9) cal.push(k.now + interval, EV_SAMPLE, 0); break;
      case EV_WARMUP: startWarm(); break;
    }
    if ((++events & (TICK - 1)) === 0 && o.onTick && o.onTick(k.now / duration)) throw new Cancelled();
  }
  // A run cut short by maxEvents ends at its last event; otherwise at the full duration.
  if (events < maxEvents) k.now = duration;
  for (let s = 0; s < nS; s++) touch(s);
  touchInFlight();
  totals.inFlight = inFlight;

  return {
    events,
    window: Math.max(k.now - warmup, 0),
    classes: clStats,
    stations: stStats,
    totals,
    inFlightArea: k.inFlightArea,
    series,
  };
}
