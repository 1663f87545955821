// Where a scenario's regions put things when the reference app runs it: each service and balancer
// in its region, every call that crosses between regions (a service calling a service or balancer
// of another region; a service or a queue's consumer reaching a cache, database or queue of
// another region), and per origin region of the users the entries a geo route tries, nearest
// first (the simulator's own geoOrder). Pure, so `app check` and the planner refuse what the app
// cannot realize before anything starts; the launcher (regions/start.ts) starts what it says.
//
// How it is realized (docs/reference-app.md#regions): every part stays on 127.0.0.1 and a region
// is the set of parts placed in it; each crossing goes through the delaying relay
// (regions/relay.ts), which holds every chunk for the YAML's one-way latency each way, and the
// users of each origin region enter through a geo router (an HAProxy whose servers are the geo
// route's entries in the order tried, the later ones `backup`, health-checked). Not in namespaces:
// every part's readiness, metrics and admin addresses are the host's loopback.
// A cache, database or queue of another region is reached over the relay too: the client's
// connection (Redis, PostgreSQL, AMQP to the broker) goes through a route of the caller's region,
// so each command, query or publish-and-confirm on it pays the one-way latency there and back, as
// the model charges one crossing each way per call (components/cache, database compile; a
// publish's confirm in engine/program.ts). A connection's own set-up is not charged by the model:
// the services open their database connections before they serve (service/db.ts warm).
// A CDN (without a region: at the edge, next to every region's users, as the model puts it) is
// one nginx with one listening server per origin region sharing one cache, as the model's CDN has
// one state; a miss goes to the origin through that region's geo router, as the model's origin
// call leaves from the user's region (launcher.ts, parts/nginx.ts).
// Bandwidth between regions (`regions.<a>.bandwidth.<b>`): the relay's routes of calls and of a
// geo route's entries carry their HTTP messages across the link each way (regions/relay.ts), as
// the model's sized calls to services, balancers and geo route entries cross it; connections to
// caches, databases and queues do not (the model's cache calls cross without it, and sizes on
// database calls are refused by the planner).
// What it trades: a balancer in another region than its pool, a CDN placed in a region, TLS on a
// geo router's entry, and a service publishing to queues of two regions (one broker connection
// per process) are refused.
import type { Dist, Scenario } from "../../simulator/model/index.ts";
import { bandwidthBetween, geoOrder, latencyBetween, originShares, regionNames } from "../../simulator/model/index.ts";

export interface PlanIssue {
  readonly field: string;
  readonly reason: string;
}

/** A call from a service in one region to a service or balancer in another. */
export interface CallCrossing {
  readonly caller: string;
  readonly callee: string;
  readonly from: string;
  readonly to: string;
  /** The one-way latency, each direction. */
  readonly latency: Dist;
  /** The link between the two regions, bits/s each way (`regions.<a>.bandwidth.<b>`); absent: none. */
  readonly bandwidth?: number;
}

/**
 * A connection from a service (or a queue's consumer) in one region to a cache, database or queue
 * of another: its client connects through the relay. A queue's crossing is to the broker.
 */
export interface StoreCrossing {
  readonly caller: string;
  readonly store: string;
  readonly kind: "cache" | "database" | "queue";
  readonly from: string;
  readonly to: string;
  /** The one-way latency, each direction. */
  readonly latency: Dist;
}

/** One entry of an origin's geo route: the component, its region, and the crossing to it (none within the origin's region). */
export interface OriginEntry {
  readonly name: string;
  readonly region: string;
  readonly latency?: Dist;
  /** The link between the origin's region and the entry's, bits/s each way; absent: none. */
  readonly bandwidth?: number;
}

export interface OriginPlan {
  readonly region: string;
  /** Share of the users (the load's `regions:` weights, normalized). */
  readonly share: number;
  /** The entries in the order a request from this region tries them: its own region's first, then by latency. */
  readonly entries: readonly OriginEntry[];
}

export interface RegionPlan {
  readonly names: readonly string[];
  /** Each component's region (a component without one: none). */
  readonly regionOf: Readonly<Record<string, string>>;
  /** The geo route the classes start with, or undefined when they start at one component. */
  readonly geo?: string;
  readonly origins: readonly OriginPlan[];
  readonly calls: readonly CallCrossing[];
  /** Connections to a cache, database or queue (its broker) of another region. */
  readonly stores: readonly StoreCrossing[];
  /** The YAML's `failures: - { region, at, for }`, in file order. */
  readonly outages: ReadonlyArray<{ readonly region: string; readonly at: number; readonly for: number }>;
}

const own = <V>(r: Readonly<Record<string, V>> | undefined, k: string): V | undefined => (r !== undefined && Object.hasOwn(r, k) ? r[k] : undefined);

/**
 * The regions' placement for a scenario whose classes all start with a call to `entry` (a geo
 * route or one component), and the issues that keep the app from realizing it. `callsOf` gives
 * each service's called components (the planner's ServicePlan.calls) and each queue's consumer's
 * (its handler's).
 */
export function planRegions(s: Scenario, entry: string | undefined, callsOf: ReadonlyMap<string, readonly string[]>): { plan?: RegionPlan; issues: PlanIssue[] } {
  const names = regionNames(s);
  const issues: PlanIssue[] = [];
  if (names.length === 0) {
    if (s.geo !== undefined) issues.push({ field: "geo", reason: "geo routing needs a top-level `regions:` section" });
    return { issues };
  }
  const regionOf: Record<string, string> = Object.create(null);
  for (const [name, c] of Object.entries(s.components)) if (c.region !== undefined) regionOf[name] = c.region;
  const kindOf = (n: string) => own(s.components, n)?.kind;

  for (const [name, c] of Object.entries(s.components)) {
    // The model's CDN without a region is at the edge next to every caller (components/cdn
    // compile); one placed in a region would make other regions' users cross to it.
    if (c.kind === "cdn" && c.region !== undefined) issues.push({ field: `components.${name}.region`, reason: "a CDN placed in a region is not realized (the app's edge sits next to every region's users, as a CDN without a region does in the model)" });
    if (c.kind === "load_balancer" && c.region !== undefined && own(s.components, c.backends)?.region !== c.region) {
      issues.push({ field: `components.${name}.region`, reason: `a balancer in another region than its pool ('${c.backends}' is in ${own(s.components, c.backends)?.region ?? "none"}) is not realized` });
    }
  }
  const bandwidthOf = (a: string, b: string) => {
    const bits = bandwidthBetween(s, a, b);
    return bits !== undefined ? { bandwidth: bits } : {};
  };

  // Calls between services cross through the relay, and so do connections to another region's cache, database or queue.
  const calls: CallCrossing[] = [];
  const stores: StoreCrossing[] = [];
  for (const [caller, callees] of callsOf) {
    const from = regionOf[caller];
    const brokerRegions = new Set<string | undefined>();
    for (const callee of callees) {
      const k = kindOf(callee);
      if (k === "queue") brokerRegions.add(regionOf[callee]);
      const to = regionOf[callee];
      if (from === undefined || to === undefined || from === to) continue;
      if (k === "service" || k === "load_balancer") calls.push({ caller, callee, from, to, latency: latencyBetween(s, from, to)!, ...bandwidthOf(from, to) });
      else if (k === "cache" || k === "database" || k === "queue") stores.push({ caller, store: callee, kind: k, from, to, latency: latencyBetween(s, from, to)! });
      else issues.push({ field: `components.${callee}.region`, reason: `'${caller}' (in ${from}) calls the ${k} '${callee}' in ${to}: only services, balancers, caches, databases and queues are reached across regions in the reference app` });
    }
    // one broker connection per process: its queues' crossing is the connection's
    if (from !== undefined && brokerRegions.size > 1) {
      issues.push({ field: `components.${caller}`, reason: `'${caller}' publishes to queues of several regions (${[...brokerRegions].map((r) => r ?? "none").join(", ")}): the reference app's process holds one broker connection, so one crossing for all its queues` });
    }
  }

  // The users' entry: a geo route's entries, or the one component every class starts at.
  const geo = entry !== undefined && own(s.geo, entry) !== undefined ? entry : undefined;
  const targets = geo !== undefined ? own(s.geo, geo)! : entry !== undefined ? [entry] : [];
  for (const t of targets) {
    const c = own(s.components, t);
    const field = geo !== undefined ? `geo.${geo}` : "load.classes";
    if (c?.kind === "service" && (c.replicas > 1 || c.autoscaling !== undefined)) {
      issues.push({ field, reason: `the entry '${t}' is a service of several replicas: put a load_balancer in front of it (the geo router sends to one server per entry)` });
    } else if (c?.kind === "load_balancer" && c.tls !== undefined) {
      // The geo router is an HAProxy speaking plain HTTP to its entries (its health checks too); passing
      // TLS through it in TCP mode would put the handshake's round trips on a failed-over crossing,
      // which the model does not charge (a handshake is CPU time only: docs/scenario-format.md, tls).
      issues.push({ field: `components.${t}.tls`, reason: "TLS on a balancer the users reach through a geo router is not realized (the router speaks plain HTTP to its entries; passed through, a crossing would add the handshake's round trips, which the model does not charge)" });
    } else if (c !== undefined && c.kind !== "service" && c.kind !== "load_balancer") {
      issues.push({ field, reason: `the entry '${t}' is a ${c.kind}: the reference app's geo router sends to services and balancers` });
    }
  }
  const origins: OriginPlan[] = originShares(s).map((o) => ({
    region: o.region!,
    share: o.share,
    entries: geoOrder(s, targets, o.region).map((i) => {
      const name = targets[i]!;
      const region = regionOf[name]!;
      const latency = latencyBetween(s, o.region, region);
      return { name, region, ...(latency ? { latency, ...bandwidthOf(o.region!, region) } : {}) };
    }),
  }));

  const outages = (s.failures ?? []).flatMap((f) => ("region" in f ? [{ region: f.region, at: f.at, for: f.for }] : []));
  return { plan: { names, regionOf, ...(geo !== undefined ? { geo } : {}), origins, calls, stores, outages }, issues };
}

/** A relay route's key: the region calls come from and the port they go to (callers of one region share it). */
export const routeKey = (from: string, target: number | string): string => `${from}>${target}`;

/**
 * Ports a run of the regions takes: one geo router per origin region, and one relay route per
 * (region, target port) crossed: the callee's balancer, else each of its replicas, each server of
 * a database (every shard's primary and replicas), a cache's server, the broker of a queue, and
 * each entry of another region. `portsOf` gives a component's ports (a balancer's one, a
 * service's replicas', a database's servers', a queue's broker).
 */
export function regionPorts(r: RegionPlan, portsOf: (component: string) => ReadonlyArray<number | string>): number {
  const routes = new Set<string>();
  for (const c of r.calls) for (const p of portsOf(c.callee)) routes.add(routeKey(c.from, p));
  for (const c of r.stores) for (const p of portsOf(c.store)) routes.add(routeKey(c.from, p));
  for (const o of r.origins) for (const e of o.entries) if (e.latency) for (const p of portsOf(e.name)) routes.add(routeKey(o.region, p));
  return r.origins.length + routes.size;
}
