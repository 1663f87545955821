// How big a run is before it starts: the run window (duration, warm-up, replications after the
// overrides) and the expected events from the load and the visits per request. The CLI refuses runs
// above its budget with this estimate and the dashboard asks first, so both use this one reading.
// Trades precision for speed: an estimate within about a third of the real count, in microseconds.
import type { Scenario, Step } from "./schema.ts";
import { meanOf } from "./dist-moments.ts";
import { visitRatios } from "./traffic.ts";
import { own } from "./own.ts";

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
  return expectedArrivals(s, o) * (1 + hopsPerRequest(s));
}

/** Work items a request of a class causes: flow steps (a call or publish over an edge with a
 * `network` latency two more: one delay each way), and for calls the callee's own steps
 * (service handlers, balancer backends, queue consumers, a CDN's origin on a miss, a cache-aside
 * miss path), with unknown hit ratios taken as one half. Cycles and depth are cut at 8 levels. */
export function hopsPerRequest(s: Scenario): number {
  const classes = Object.entries(s.load.classes);
  const totalWeight = classes.reduce((a, [, c]) => a + c.weight, 0);
  const visits = visitRatios(s);

  const component = (name: string, cls: string, depth: number): number => {
    const c = own(s.components, name);
    // A geo route (scenario `geo:`) reaches one of its entries; they are alike, count the first.
    const geo = own(s.geo, name);
    if (!c && geo && depth <= 8) return component(geo[0], cls, depth);
    if (!c || depth > 8) return 1;
    switch (c.kind) {
      case "service": {
        const h = own(c.handlers, cls);
        return 1 + (h ? flow(h, cls, depth + 1, c.network !== undefined) : 1);
      }
      case "load_balancer": return 1 + component(c.backends, cls, depth + 1);
      case "cdn": return 1 + 0.5 * component(c.origin, cls, depth + 1);
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
      return 1 + legs + (q && q.kind === "queue" ? 1 + flow(q.handler ?? [], cls, depth + 1, false) : 0);
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

  let perRequest = 0;
  for (const [name, c] of classes) {
    // Station routing adds visits beyond the flow's own steps; the traffic equations know them.
    const stationVisits = Object.values(own(visits, name) ?? {}).reduce((a, x) => a + x, 0);
    const flowVisits = c.flow.filter((st) => "visit" in st).length;
    perRequest += (c.weight / totalWeight) * (flow(c.flow, name, 0, false) + Math.max(0, stationVisits - flowVisits));
  }
  return perRequest;
}
