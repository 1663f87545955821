// How big a run is before it starts: the run window (duration, warm-up, replications after the
// overrides) and the expected events from the load and the visits per request. The CLI refuses runs
// above its budget with this estimate and the dashboard asks first, so both use this one reading.
// Trades precision for speed: an estimate within about a third of the real count, in microseconds.
import type { Scenario, Step } from "./schema.ts";
import { meanOf } from "./dist-moments.ts";
import { visitRatios } from "./traffic.ts";
import { own } from "./own.ts";
import { linkBytesPerSecond, payloadTransfers } from "./payload.ts";

export interface RunWindowOptions {
  readonly seed?: number;
  readonly replications?: number;
  /** Simulated seconds per replication. */
  readonly duration?: number;
  readonly warmup?: number;
}

/** Duration, warm-up and interval a scenario runs with, after defaults and overrides. */
export function runWindow(scenario: Scenario, o: RunWindowOptions = {}): { duration: number; warmup: number; interval: number; replications: number; seed: number } {
  const sim = scenario.simulation;
  let stagesEnd = 0;
  for (const s of scenario.load.stages ?? []) stagesEnd += s.duration;
  const duration = o.duration ?? sim.duration ?? (stagesEnd > 0 ? stagesEnd : 60);
  const warmup = o.warmup ?? (o.duration !== undefined && sim.warmup !== undefined && sim.warmup >= duration ? duration * 0.1 : sim.warmup ?? duration * 0.1);
  return { duration, warmup, interval: sim.interval, replications: o.replications ?? sim.replications, seed: o.seed ?? scenario.seed };
}

/** Runs estimated above this many events ask for confirmation first. A station network runs 2-3 M
 * events/s in the worker here (15-20 s for the budget); component models cost more per event
 * (one-million-users: about 0.2 M events/s in Node), and the progress bar then shows the time left. */
export const EVENT_BUDGET = 40_000_000;

type Stage = { readonly duration: number; readonly shape: string; readonly target?: number; readonly min?: number; readonly max?: number };

/** The integral over [0, duration] of a stage profile (rates or users): linear stages by their
 * mean level, step stages at their target, sine stages by their midline; after the last stage the
 * level holds (or `hold` when given). */
function integrate(start: number, stages: ReadonlyArray<Stage>, duration: number, hold?: number): number {
  let t = 0, level = start, sum = 0;
  for (const st of stages) {
    const d = Math.min(st.duration, Math.max(0, duration - t));
    if (st.shape === "sine") sum += (((st.min ?? 0) + (st.max ?? 0)) / 2) * d;
    else if (st.shape === "step") { level = st.target ?? level; sum += level * d; }
    else {
      const to = st.target ?? level;
      // A stage cut short by the end of the run reaches only part of its target.
      const reached = level + (to - level) * (st.duration > 0 ? d / st.duration : 1);
      sum += ((level + reached) / 2) * d;
      level = to;
    }
    t += st.duration;
  }
  if (duration > t) sum += (hold ?? level) * (duration - t);
  return sum;
}

/** Expected requests arriving over all replications. */
export function expectedArrivals(s: Scenario, o: RunWindowOptions = {}): number {
  const w = runWindow(s, o);
  const load = s.load;
  let perRep: number;
  if (load.model === "open") {
    perRep = load.rate !== undefined && !load.stages ? load.rate * w.duration : integrate(load.start_rate, load.stages ?? [], w.duration, load.rate);
  } else {
    // Closed: each user issues about one request per think time (service time is small beside it).
    const userSeconds = load.users !== undefined && !load.stages ? load.users * w.duration : integrate(load.start_users, load.stages ?? [], w.duration, load.users);
    perRep = userSeconds / Math.max(meanOf(load.think), 0.001);
  }
  return perRep * w.replications;
}

/** Events: one arrival per request and about one per hop it causes (see hopsPerRequest); within
 * about a third of the real count for the bundled scenarios (tested). */
export function expectedEvents(s: Scenario, o: RunWindowOptions = {}): number {
  const arrivals = expectedArrivals(s, o);
  const w = runWindow(s, o);
  const rate = arrivals / Math.max(w.duration * w.replications, 1e-9);
  const total = Object.values(s.load.classes).reduce((a, c) => a + c.weight, 0);
  const hits = (cls: string) => browserHitShare(s, cls, (rate * (own(s.load.classes, cls)?.weight ?? 0)) / total, w.duration);
  return arrivals * (1 + hopsPerRequest(s, hits)) + timerEvents(s, o) + realtimeEvents(s, o);
}

/**
 * The share of a class's requests its users' browsers answer (browser_cache) over a run of
 * `duration` seconds from empty browsers (Infinity: in the steady state, λT / (1 + λT) per user and key), at `classRate` requests per second: per user and key,
 * requests at rate λ (the class's rate over the users, by the key's popularity), the first one a
 * fetch and the rest in renewal cycles of λT hits per fetch (docs/scenario-format.md). Over 100k
 * keys it answers 0 (the estimate then counts every request at the origin: more events, never fewer).
 */
export function browserHitShare(s: Scenario, cls: string, classRate: number, duration: number): number {
  const c = own(s.load.classes, cls);
  const bc = c?.browser_cache;
  if (!c || !bc || classRate <= 0 || duration <= 0) return 0;
  const load = s.load;
  const users = Math.max(1, load.model === "open" ? (load.population ?? 1) : Math.max(load.users ?? 0, load.start_users, ...(load.stages ?? []).map((st) => st.target)));
  const keys = c.keys?.count ?? 1;
  if (keys > 100_000) return 0;
  const zipf = c.keys?.popularity === "zipf" ? (c.keys.s ?? 1) : 0;
  let norm = 0;
  for (let k = 1; k <= keys; k++) norm += k ** -zipf;
  let hits = 0;
  for (let k = 1; k <= keys; k++) {
    const p = k ** -zipf / norm;
    const lambda = (classRate * p) / users;
    const n = lambda * duration;
    if (!Number.isFinite(n)) { hits += p * ((lambda * bc.max_age) / (1 + lambda * bc.max_age)); continue; } // steady state
    const first = 1 - Math.exp(-n);
    const fetches = first + Math.max(0, n - first) / (1 + lambda * bc.max_age);
    hits += p * (n > 0 ? 1 - fetches / n : 0);
  }
  return hits;
}

/** Events of the realtime components (components/realtime) over all replications: per session its
 * arrival, end and two redraws of the publish stream; per message its publish, backbone hand-off
 * and fan-out, and each recipient a fifth of an event (a draw and a histogram record). Recipients
 * per message are taken at uniform channels (1 + connections / channels); Zipf channels have more. */
export function realtimeEvents(s: Scenario, o: RunWindowOptions = {}): number {
  const w = runWindow(s, o);
  let perRep = 0;
  for (const [name, c] of Object.entries(s.components)) {
    if (c.kind !== "realtime") continue;
    const conn = own(s.load.connections, name);
    if (!conn) continue;
    // connections build up from none: over a window D the M/G/inf mean (exponential lifetimes L)
    // averages rate L (1 - (1 - e^{-D/L}) L / D), the steady rate L only when D >> L (a 20 s run of
    // realtime-chat's 10-minute sessions holds 1/60 of it)
    const L = meanOf(conn.lifetime);
    const x = L > 0 ? w.duration / L : Infinity;
    const buildUp = x === Infinity ? 1 : x < 1e-6 ? x / 2 : 1 - (1 - Math.exp(-x)) / x;
    const held = Math.min(conn.rate * L * buildUp, c.instances * c.max_connections);
    const messages = conn.messages * held;
    perRep += w.duration * (4 * conn.rate + messages * (3 + 0.2 * (1 + held / c.channels.count)));
  }
  return perRep * w.replications;
}

/** Events that come from clocks, not requests, over all replications: a balancer's health check
 * of each backend per `interval`, an autoscaler's evaluation per `interval`, the series sample
 * per `simulation.interval` (first replication), each random failure's crash and repair. Small
 * for sane settings; `interval: 1us` over an hour is billions. */
export function timerEvents(s: Scenario, o: RunWindowOptions = {}): number {
  const w = runWindow(s, o);
  let perRep = 0;
  for (const c of Object.values(s.components)) {
    if (c.kind === "load_balancer" && c.health_check) {
      const b = own(s.components, c.backends);
      const n = b?.kind === "service" ? Math.max(b.replicas, b.autoscaling?.max ?? 0) : 1;
      perRep += (w.duration / c.health_check.interval) * n;
    }
    if (c.kind === "service" && c.autoscaling) perRep += w.duration / c.autoscaling.interval;
  }
  for (const f of s.failures ?? []) if (f && "random" in f) perRep += (2 * w.duration) / (f.mtbf + f.mttr);
  return perRep * w.replications + w.duration / w.interval;
}

/** Work items a request of a class causes: flow steps (a call or publish over an edge with a
 * `network` latency two more: one delay each way), and for calls the callee's own steps
 * (service handlers, balancer backends, queue consumers, a CDN's origin on a miss, a cache-aside
 * miss path), with unknown hit ratios taken as one half. Cycles and depth are cut at 8 levels. */
export function hopsPerRequest(s: Scenario, browserHits: (cls: string) => number = () => 0): number {
  const classes = Object.entries(s.load.classes);
  const totalWeight = classes.reduce((a, [, c]) => a + c.weight, 0);
  const visits = visitRatios(s);

  // Memoized by (component or queue, class, depth): a chain of services each calling the next many
  // times would otherwise cost (calls per handler)^depth, and this runs before every CLI run.
  const memo = new Map<string, number>();
  const component = (name: string, cls: string, depth: number): number => {
    const key = `c\u0000${name}\u0000${cls}\u0000${depth}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const v = componentOnce(name, cls, depth);
    memo.set(key, v);
    return v;
  };
  const consumer = (queue: string, handler: ReadonlyArray<Step>, cls: string, depth: number): number => {
    const key = `q\u0000${queue}\u0000${cls}\u0000${depth}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const v = flow(handler, cls, depth, false);
    memo.set(key, v);
    return v;
  };
  const componentOnce = (name: string, cls: string, depth: number): number => {
    const c = own(s.components, name);
    // A geo route (scenario `geo:`) reaches one of its entries; they are alike, count the first.
    const geo = own(s.geo, name);
    if (!c && geo && depth <= 8) return component(geo[0], cls, depth);
    if (!c || depth > 8) return 1;
    switch (c.kind) {
      case "service": {
        const h = own(c.handlers, cls);
        return 1 + (h ? flow(h, cls, depth + 1, c.network !== undefined || c.call_overhead !== undefined) : 1);
      }
      case "load_balancer": return 1 + component(c.backends, cls, depth + 1);
      case "cdn": return 1 + 0.5 * component(c.origin, cls, depth + 1);
      // the invocation, its start and, at most, an instance's start and its idle timer
      case "function": {
        const h = own(c.handlers, cls);
        return 3 + (h ? flow(h, cls, depth + 1, c.network !== undefined) : 1);
      }
      default: return 1;
    }
  };
  // `net`: the flow runs in a service with a `network` latency, one delay each way per edge
  const step = (st: Step, cls: string, depth: number, net: boolean): number => {
    if ("visit" in st) return 1;
    if ("service" in st) return 1;
    if ("publish" in st) {
      const q = own(s.components, st.publish);
      const legs = net || st.network !== undefined ? 2 : 0;
      return 1 + legs + (q && q.kind === "queue" ? 1 + consumer(st.publish, q.handler ?? [], cls, depth + 1) : 0);
    }
    if ("call" in st) {
      const base = component(st.call, cls, depth) + (net || st.network !== undefined ? 2 : 0);
      const hit = st.hit ? flow(st.hit, cls, depth + 1, net) : 0;
      const miss = st.miss ? flow(st.miss, cls, depth + 1, net) : 0;
      return base + (st.hit || st.miss ? (hit + miss) / 2 : 0);
    }
    if ("branch" in st) return st.branch.reduce((a, b) => a + b.p * flow(b.flow, cls, depth + 1, net), 0);
    if ("parallel" in st) return st.parallel.reduce((a, f) => a + flow(f, cls, depth + 1, net), 0);
    return 1;
  };
  const flow = (f: ReadonlyArray<Step>, cls: string, depth: number, net: boolean): number => f.reduce((a, st) => a + step(st, cls, depth, net), 0);

  // Payloads: a transfer on a link costs about two events (its completion, and the reschedule of
  // the link's next completion that it makes stale); transfers on no link cost none.
  const linkEvents = new Map<string, number>();
  for (const t of payloadTransfers(s)) {
    if (t.from !== null && linkBytesPerSecond(own(s.components, t.from)) !== undefined) linkEvents.set(t.cls, (linkEvents.get(t.cls) ?? 0) + 2);
  }
  let perRequest = 0;
  for (const [name, c] of classes) {
    // Station routing adds visits beyond the flow's own steps; the traffic equations know them.
    const stationVisits = Object.values(own(visits, name) ?? {}).reduce((a, x) => a + x, 0);
    const flowVisits = c.flow.filter((st) => "visit" in st).length;
    // a paginated class walks its flow once per page; a request its user's browser answers
    // (browser_cache) costs its arrival only
    const pages = c.pagination?.pages ?? 1;
    perRequest += (c.weight / totalWeight) * (1 - browserHits(name)) * pages * (flow(c.flow, name, 0, false) + Math.max(0, stationVisits - flowVisits) + (linkEvents.get(name) ?? 0));
  }
  return perRequest;
}

// ---------------------------------------------------------------- budgets

/** Runs the CLI refuses unless raised (`--max-events`): above this many expected events a run
 * takes from several minutes (station networks, 2-3 M events/s) to about 40 minutes (component
 * models, about 0.2 M events/s). one-million-users, the largest bundled scenario, is 74 M. */
export const RUN_EVENT_LIMIT = 500_000_000;

/** Memory the CLI refuses to plan for unless raised (`--max-memory`): 2 GB. */
export const RUN_MEMORY_LIMIT = 2e9;

// Bytes per item, from what the engine allocates (simulation.ts, program.ts, lru.ts): a database
// remembers the last write time of every key (Float64), a cache maps every key to a slot (Int32)
// and keeps 28 bytes per entry it can hold, a CDN the fetch time of every object; a resource (a
// station, a replica's slots, a balancer connection, a database node or pool, a queue partition)
// is an object plus a ring and about 20 typed-array entries; users who are not pooled (think time
// not exponential) have their own state and calendar entry; the series holds ~6 numbers per
// component and class per interval (first replication only).
// A realtime session is 10 typed-array columns (about 50 bytes), doubled when they grow.
const BYTES = { dbKey: 8, cacheKey: 4, cacheEntry: 28, cdnObject: 8, resource: 512, user: 64, seriesValue: 16, session: 50 } as const;

export interface MemoryEstimate {
  readonly bytes: number;
  /** What the bytes are for, largest first. */
  readonly parts: ReadonlyArray<{ readonly what: string; readonly bytes: number }>;
}

/** Memory a run of the scenario allocates up front and for its series (an estimate, in bytes). */
export function expectedMemory(s: Scenario, o: RunWindowOptions = {}): MemoryEstimate {
  const parts: Array<{ what: string; bytes: number }> = [];
  const comps = Object.entries(s.components);
  let keySpace = 1;
  for (const c of Object.values(s.load.classes)) if (c.keys) keySpace = Math.max(keySpace, c.keys.count);
  for (const [, c] of comps) if (c.kind === "database") keySpace = Math.max(keySpace, c.keys);
  const instances = (c: Scenario["components"][string] | undefined) =>
    c?.kind === "service" ? Math.max(c.replicas, c.autoscaling?.max ?? 0) : 1;
  let resources = 0;
  for (const [name, c] of comps) {
    switch (c.kind) {
      case "database": {
        parts.push({ what: `database ${name}: last write of ${keySpace} keys`, bytes: BYTES.dbKey * keySpace });
        let pools = 0;
        if (c.pool) for (const [, sc] of comps) if (sc.kind === "service" && JSON.stringify(sc.handlers ?? {}).includes(`"call":"${name}"`)) pools += instances(sc);
        resources += (c.shards?.count ?? 1) * (1 + c.replicas) + pools;
        break;
      }
      case "cache":
        parts.push({ what: `cache ${name}: ${keySpace} keys, ${Math.min(c.capacity, keySpace)} entries`, bytes: BYTES.cacheKey * keySpace + BYTES.cacheEntry * Math.min(c.capacity, keySpace) });
        resources += 1;
        break;
      case "cdn":
        parts.push({ what: `cdn ${name}: ${c.objects.count} objects`, bytes: BYTES.cdnObject * c.objects.count });
        break;
      case "realtime": {
        const conn = own(s.load.connections, name);
        const sessions = conn ? Math.min(conn.rate * meanOf(conn.lifetime), c.instances * c.max_connections) : 0;
        parts.push({ what: `realtime ${name}: ${c.channels.count} channels x ${c.instances} instances, ${Math.round(sessions)} sessions`, bytes: 4 * c.channels.count * c.instances + BYTES.session * 2 * sessions });
        break;
      }
      case "service": resources += instances(c); break;
      case "load_balancer": resources += instances(own(s.components, c.backends)); break;
      case "queue": resources += c.partitions ?? 1; break;
      case "station": resources += 1; break;
      // its slots' resource, and about 40 bytes of typed arrays per instance
      case "function": resources += 1 + Math.ceil(c.max_instances / 12); break;
    }
  }
  parts.push({ what: `${resources} resources (replicas, connections, nodes, pools, partitions)`, bytes: BYTES.resource * resources });
  const load = s.load;
  if (load.model === "closed" && load.think.dist !== "exponential") {
    const users = Math.max(load.users ?? 0, load.start_users, ...(load.stages ?? []).map((st) => st.target));
    parts.push({ what: `${users} users`, bytes: BYTES.user * users });
  }
  // Browser caches (browser_cache): a last-response time per user and key of the class.
  const browserUsers = load.model === "open" ? (load.population ?? 1) : Math.max(load.users ?? 0, load.start_users, ...(load.stages ?? []).map((st) => st.target));
  for (const [name, c] of Object.entries(load.classes)) {
    if (c.browser_cache) parts.push({ what: `browser caches of ${name}: ${browserUsers} users x ${c.keys?.count ?? 1} keys`, bytes: 8 * browserUsers * (c.keys?.count ?? 1) });
  }
  const w = runWindow(s, o);
  const intervals = Math.ceil(w.duration / w.interval);
  const perInterval = 6 * (comps.length + Object.keys(s.load.classes).length) + 4;
  parts.push({ what: `series of ${intervals} intervals`, bytes: BYTES.seriesValue * perInterval * intervals });
  parts.sort((a, b) => b.bytes - a.bytes);
  return { bytes: parts.reduce((a, p) => a + p.bytes, 0), parts };
}

/** 1.5e9 -> "1.5G", for messages. */
export function formatAmount(n: number, unit = ""): string {
  if (!(n < 1e15)) return `${n.toExponential(2)}${unit}`;
  const [d, sfx] = n >= 1e12 ? [1e12, "T"] : n >= 1e9 ? [1e9, "G"] : n >= 1e6 ? [1e6, "M"] : n >= 1e3 ? [1e3, "k"] : [1, ""];
  const v = n / d;
  return `${Number(v.toPrecision(3))}${sfx}${unit}`;
}

export interface RunBudget {
  /** Expected events above which a run is refused (default RUN_EVENT_LIMIT). */
  readonly maxEvents?: number;
  /** Bytes above which a run is refused (default RUN_MEMORY_LIMIT). */
  readonly maxMemory?: number;
}

/**
 * Why a run of the scenario is refused before it starts, or undefined when it fits the budget:
 * the estimate, the budget and how to get under it or raise it. `what` names the run in the
 * message (e.g. "this run", "each simulation of the search").
 */
export function runSizeProblem(s: Scenario, o: RunWindowOptions = {}, budget: RunBudget = {}, what = "this run"): string | undefined {
  const maxEvents = budget.maxEvents ?? RUN_EVENT_LIMIT;
  const maxMemory = budget.maxMemory ?? RUN_MEMORY_LIMIT;
  const w = runWindow(s, o);
  const events = expectedEvents(s, o);
  if (!(events <= maxEvents)) {
    return `${what} is estimated at ${formatAmount(events)} events (${formatAmount(expectedArrivals(s, o))} requests over ${w.replications} x ${w.duration}s, ` +
      `${formatAmount(1 + hopsPerRequest(s))} events each), above the budget of ${formatAmount(maxEvents)}: ` +
      `lower the load, shorten the duration or the replications, or raise the budget with --max-events ${Number((events * 1.1).toPrecision(2))}`;
  }
  const mem = expectedMemory(s, o);
  if (!(mem.bytes <= maxMemory)) {
    const top = mem.parts.slice(0, 2).map((p) => `${p.what}: ${formatAmount(p.bytes, "B")}`).join("; ");
    return `${what} needs an estimated ${formatAmount(mem.bytes, "B")} of memory (${top}), above the budget of ${formatAmount(maxMemory, "B")}: ` +
      `use fewer keys, replicas or intervals, or raise the budget with --max-memory ${formatAmount(Math.ceil(mem.bytes * 1.1), "B")}`;
  }
  return undefined;
}
