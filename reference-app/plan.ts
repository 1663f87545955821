// Turns the simulator's parsed scenario into the reference app's plan: which real part realizes
// each component, with its settings. Pure and synchronous, so a scenario the app cannot realize is
// rejected before anything starts. It reads the model the simulator runs (simulator/model/schema.ts,
// units and defaults already applied by its parser), so a default can never differ between the two.
import type {
  AutoscalingSpec, CacheComponent, CircuitBreakerSpec, DatabaseComponent, FunctionComponent, RetriesSpec, Dist, LoadBalancerComponent, QueueComponent, RealtimeComponent, Scenario, ServiceComponent, Step as ModelStep,
} from "../simulator/model/index.ts";
import { REDIS_SAMPLES } from "../simulator/index.ts";
import { classPayload, linkBytesPerSecond, meanOf } from "../simulator/model/index.ts";
import { stationsAsServices } from "./station.ts";
import { functionGateways } from "./function/gateway.ts";
import { MAX_SIZED_BODY } from "./body-limit.ts";
import { linkRoutes } from "./link-routes.ts";
import { scaledPoolIssues } from "./scaled-pools.ts";
import { planRegions, regionPorts, type RegionPlan } from "./regions/placement.ts";
import type { TlsKey } from "./parts/tls-cert.ts";
export { shardOfKey } from "./shard.ts";

/** Redis's largest maxmemory-samples (config.c bounds it to 1..64). */
const REDIS_MAX_SAMPLES = 64;

type DistLike = Dist;

// ---------------------------------------------------------------- the plan

export type Step = ModelStep;

/** A CDN without `ttl`: the simulator keeps objects forever, nginx for a year (max-age and inactive). */
export const CDN_TTL_UNSET_S = 365 * 24 * 3600;

export interface ClassPlan {
  readonly name: string;
  readonly method: string;
  /** The path template, e.g. /products/{key}. */
  readonly path: string;
  /**
   * Keys are integers 0..keyCount-1: in the path's {key}, or, for a class with keys whose path has
   * none (one-million-users' `POST /posts`), in the KEY_HEADER the load generators send, so its
   * database and cache calls use the drawn key as the model's do (before, key 0 for every request).
   */
  readonly keyCount?: number;
  /** Where a client sends it: through the CDN or straight to the load balancer. */
  readonly via: "cdn" | "lb";
  /** The class's response size on the wire (bytes; after `compression`): a successful answer's body is padded to a size drawn from it. */
  readonly responseSize?: Dist;
  /**
   * The class's request size (bytes): the load generators pad each request's body to a size drawn
   * from it (k6/scripts/lib/pad-body.ts), and the service reads such a body whole, up to
   * MAX_SIZED_BODY, and ignores its padding.
   */
  readonly requestSize?: Dist;
  /**
   * The class's pagination: each call is one page; a database read in its request returns
   * `pageSize` rows of `rowSize` bytes (service/pages.ts, a keyset query on the seeded table) and the
   * answer links the next page; the load generators walk `pages` pages per request.
   */
  readonly pagination?: { readonly pageSize: number; readonly rowSize: number; readonly pages: number };
  /**
   * browser_cache: the service answers with `Cache-Control: max-age` and (etag) an `ETag`, and a
   * request whose If-None-Match carries it gets a 304 after the entry service's
   * `<class>/revalidate` handler (else the class's).
   */
  readonly browserCache?: { readonly maxAge: number; readonly etag: boolean };
}

export interface LbPlan {
  readonly name: string;
  /** The service whose replicas are its servers. */
  readonly backends: string;
  readonly algorithm: string;
  readonly maxconn?: number;
  readonly queueTimeout: number;
  /** HAProxy `retries`: attempts on a refused connection, 1 s apart, before a 503. */
  readonly connectRetries: number;
  readonly weights?: readonly number[];
  /**
   * The YAML's health_check; none when it has none: as in the simulator, the balancer then keeps
   * sending to a dead replica (refused, connect retries) and HAProxy's servers run without `check`.
   */
  readonly health?: { readonly interval: number; readonly rise: number; readonly fall: number };
  /** The YAML's token bucket, realized by an nginx gateway in front of HAProxy (see nginxRateLimit). */
  readonly rateLimit?: RateLimitPlan;
  /**
   * Not a YAML component: clients call a service of several replicas straight, which the simulator
   * reads as the client spreading its calls round robin over the replicas (no maxconn, no queue, no
   * cost). The app realizes that spreading with an HAProxy `roundrobin` without maxconn, checks or
   * connect retries; what it adds is one proxy hop (docs/reference-app.md).
   */
  readonly implicit?: boolean;
  /**
   * The YAML's `tls`: HAProxy terminates TLS on its frontend with the run's certificate
   * (parts/tls-cert.ts) with the YAML's `key`; `resumption` keeps its session cache and tickets on (the YAML's resumption
   * above 0), else both are off and every new connection is a full handshake.
   */
  readonly tls?: { readonly resumption: boolean; readonly key: TlsKey };
}

/**
 * A rate limit as nginx's `limit_req` holds it: `rate` (whole requests a second or a minute) and
 * `burst`. limit_req is a token bucket of burst + 1 tokens (ngx_http_limit_req_lookup: a request
 * passes when its excess, drained at the rate, plus 1 stays within burst; a refused one changes
 * nothing), so the model's bucket of `burst` tokens is nginx burst = burst - 1.
 */
export interface RateLimitPlan {
  readonly rate: number;
  readonly burst: number;
  /** limit_req_zone's rate, e.g. "50r/s" or "150r/m". */
  readonly nginxRate: string;
  readonly nginxBurst: number;
}

/** The model's auto-scaler settings (simulator/model/schema.ts Autoscaling), defaults applied. */
export interface ScalingPlan {
  readonly min: number;
  readonly max: number;
  readonly metric: "utilization" | "in_flight" | "rps";
  readonly target: number;
  readonly interval: number;
  readonly step_out?: number;
  readonly step_in: number;
  readonly cooldown_out: number;
  readonly cooldown_in: number;
  readonly boot: number;
}

export interface ServicePlan {
  readonly name: string;
  /** Replicas running at the start (with autoscaling: the scaler's starting count). */
  readonly replicas: number;
  /** Replica places the run prepares (port, config, HAProxy server): autoscaling.max, else replicas. */
  readonly places: number;
  readonly autoscaling?: ScalingPlan;
  readonly concurrency: number;
  /** Requests that may wait for a slot; unbounded when the YAML sets none (as in the simulator). */
  readonly backlog?: number;
  /** Seconds before a 504; none when the YAML sets none (as in the simulator). */
  readonly timeout?: number;
  /** Seconds a request may wait for a slot before it leaves (503): a station's queue_timeout (station.ts). */
  readonly queueTimeout?: number;
  readonly handlers: Readonly<Record<string, readonly Step[]>>;
  readonly network?: DistLike;
  /**
   * The components its handlers call (cache, database, queues, other services or their balancers),
   * in the order first met: what its processes connect to.
   */
  readonly calls: readonly string[];
  /**
   * The YAML's `retries` and `circuit_breaker` of this service: in the model they belong to its
   * callers, so the services that call it run them (service/resilience.ts) on each call to it.
   */
  readonly resilience?: { readonly retries?: RetriesSpec; readonly circuit_breaker?: CircuitBreakerSpec };
}

export interface CachePlan {
  readonly name: string;
  readonly capacity: number;
  readonly ttl?: number;
  readonly valueSize: number;
  readonly service: DistLike;
  /**
   * Redis's maxmemory-samples: the YAML's `samples` for `eviction: sampled` (Redis's default 5 when
   * not given); for exact `lru`, Redis's maximum 64, its closest approach to exact LRU (what is
   * left is its one-second access clock: docs/reference-app.md).
   */
  readonly evictionSamples: number;
  /** The largest key index requests use: Redis's memory per key depends on the key's length. */
  readonly largestKey: number;
}

export interface DbPlan {
  readonly name: string;
  readonly keys: number;
  readonly read: DistLike;
  readonly write: DistLike;
  /** Streaming replicas of each shard's primary. */
  readonly replicas: number;
  /** Shards: each its own PostgreSQL primary (with its replicas); 1 when the YAML has no `shards`. */
  readonly shards: number;
  /** `shards.by: range` (else hash): how a key picks its shard, with shardOf as the simulator does. */
  readonly byRange: boolean;
  /** The key space a range splits: the simulator's (the largest of the classes' and databases' key counts). */
  readonly keySpace: number;
  readonly readFrom: "primary" | "replicas" | "any";
  readonly lag?: DistLike;
  /**
   * `replication: synchronous`: the primary's commits wait until every replica applied them
   * (synchronous_standby_names naming them all, synchronous_commit = remote_apply).
   */
  readonly synchronous: boolean;
  /**
   * The YAML's failovers of this database (`failures: - { at, fail_primary, shard, promote_after }`),
   * in file order: the launcher's schedule (RunningApp.failover) kills the shard's primary at `at`
   * and promotes a replica `promoteAfter` later. With asynchronous replication and a lag, the lag is
   * then put on the replication connection (parts/wal-delay.ts) so that a failover loses what the
   * replica had not received, as the model counts it.
   */
  readonly failovers: ReadonlyArray<{ readonly at: number; readonly shard: number; readonly promoteAfter: number }>;
  /** The model's max_connections: queries one server runs at once, the rest wait (FIFO, no timeout). */
  readonly maxConnections: number;
  /**
   * PostgreSQL's own max_connections on each server of the run: room for every connection the app
   * may open (the gate's, when there is one, else the app's own) plus the superuser reserve.
   */
  readonly serverMaxConnections: number;
  /**
   * The model's max_connections as a gate (parts/pgbouncer.ts): set when the app's processes may
   * run more queries at once on a server than `maxConnections` (connectionsPerServer). A PgBouncer
   * in transaction mode in front of each server then holds at most `size` server connections and
   * queues the rest of its `clients` FIFO, with no timeout, as the model's database node does.
   * Undefined: the app can never have more than `maxConnections` queries at one server, so the
   * model's limit never binds and nothing stands in front of PostgreSQL.
   */
  readonly gate?: { readonly size: number; readonly clients: number };
  /**
   * The YAML's pool per calling replica; none when it sets none: the simulator then puts no bound
   * between a replica and the database, and the app gives each process a pool as large as the work
   * it can run at once (see poolFor), so the pool never makes a query wait.
   */
  readonly pool?: { readonly size: number; readonly timeout: number };
  /**
   * The YAML's `table:` (model/table.ts), realized as the `items` table: `rows` rows seeded, one
   * text column per column a read queries `by` (besides id, the primary key), a B-tree index on
   * each of `indexes`; a write inserts `growth` rows. Undefined: reads and writes use products
   * and orders as before.
   */
  readonly table?: { readonly rows: number; readonly growth: number; readonly indexes: readonly string[]; readonly columns: readonly string[] };
}

/**
 * HAProxy's `timeout queue` for the implicit round robin: without maxconn nothing queues there, so
 * it never applies; HAProxy wants a value.
 */
const IMPLICIT_QUEUE_TIMEOUT_S = 5;
/** The most rows the reference app seeds a table with (a few seconds of PostgreSQL per million rows). */
export const MAX_TABLE_ROWS = 20_000_000;

/** The pool timeout of a pool the YAML does not set: it never binds, so the longest duration a scenario may hold. */
export const POOL_UNSET_TIMEOUT_S = 365 * 24 * 3600;

/**
 * PostgreSQL's superuser_reserved_connections, set explicitly on every server of the run (its
 * default): of max_connections, these are only for superusers, i.e. the launcher's own connections
 * (seeding, readiness, the collector: at most 2 at once while the app runs). Streaming replicas'
 * WAL senders do not count (PostgreSQL 12 and later give them max_wal_senders slots of their own).
 */
export const PG_SUPERUSER_RESERVED = 3;

/** The queues' workers: with a database, each records every message it handles there (a pool of min(prefetch, 10) on the primary, worker/main.ts). */
function queues0(s: Scenario, byKind: ReadonlyMap<string, string[]>): Array<{ name: string; workers: number; prefetch: number }> {
  return (byKind.get("queue") ?? []).map((name) => {
    const q = own(s.components, name) as QueueComponent;
    return { name, workers: q.partitions ?? q.workers, prefetch: q.prefetch };
  });
}

/**
 * The connections the app's role may hold on one server at once, counted as the processes open
 * them: every replica place of a calling service has a pg pool of `pool.size` per server (its
 * model pool is one per database, service/db.ts, but all of it may go to one server: a hot
 * shard), the replicas get one more from each calling service's lag monitor (run by its replica 1),
 * and each queue worker has min(prefetch, 10) on the primary (it records every message there).
 */
export function connectionsPerServer(
  db: DbPlan,
  services: ReadonlyArray<Pick<ServicePlan, "name" | "places" | "concurrency" | "calls">>,
  workers: ReadonlyArray<{ name: string; workers: number; prefetch: number }>,
): { primary: number; replica: number; primaryWhat: string; replicaWhat: string; pools: number; workers: number; monitors: number } {
  const callers = services.filter((p) => p.calls.includes(db.name));
  const pools = callers.map((p) => ({ n: p.places * poolFor(db, p.concurrency).size, what: `${p.places} ${p.name} replica(s) x pool ${poolFor(db, p.concurrency).size}` }));
  const poolSum = pools.reduce((a, p) => a + p.n, 0);
  const w = workers.map((q) => ({ n: q.workers * Math.min(q.prefetch, 10), what: `${q.workers} ${q.name} worker(s) x ${Math.min(q.prefetch, 10)}` }));
  const monitors = db.replicas > 0 ? callers.length : 0;
  const workerSum = w.reduce((a, x) => a + x.n, 0);
  return {
    pools: poolSum,
    workers: workerSum,
    monitors,
    primary: poolSum + workerSum,
    replica: db.replicas > 0 ? poolSum + monitors : 0,
    primaryWhat: [...pools, ...w].map((x) => x.what).join(" + ") || "none",
    replicaWhat: [...pools.map((x) => x.what), ...(monitors ? [`${monitors} lag monitor(s)`] : [])].join(" + "),
  };
}

/**
 * The model's max_connections realized (DbPlan.gate, serverMaxConnections). The model's server
 * runs at most max_connections queries at once and queues the rest; PostgreSQL refuses a
 * connection past its own limit instead. Where the app's connections on a server fit in
 * max_connections, at most that many queries can run there at once: the model's limit cannot
 * bind, and PostgreSQL's own limit only needs room for them and the superuser reserve. Where they
 * do not, a gate (PgBouncer, transaction mode) holds max_connections server connections and
 * queues the rest; PostgreSQL then needs room for the gate's connections, the lag monitors' (they
 * bypass it: monitoring never takes a modeled place) and the reserve.
 */
export function withGate(db: DbPlan, need: ReturnType<typeof connectionsPerServer>): DbPlan {
  // the queries the app may run at once on one server: its pools' and, on the primary, the workers'
  const appMost = need.pools + need.workers;
  // The launcher's superuser connections take ordinary slots while there are some (the reserve is
  // only what is left for superusers once the others are full): room for them besides the reserve,
  // or a gate that opens all its connections may find only reserved slots left.
  const launcher = 2 * PG_SUPERUSER_RESERVED;
  if (appMost <= db.maxConnections) {
    return { ...db, gate: undefined, serverMaxConnections: Math.max(db.maxConnections, Math.max(need.primary, need.replica) + launcher) };
  }
  return { ...db, gate: { size: db.maxConnections, clients: appMost }, serverMaxConnections: db.maxConnections + need.monitors + launcher };
}

/** A process's pool to the database: the YAML's, else one connection per slot (or prefetched message) that never times out. */
export function poolFor(db: DbPlan, slots: number): { readonly size: number; readonly timeout: number } {
  return db.pool ?? { size: slots, timeout: POOL_UNSET_TIMEOUT_S };
}

export interface QueuePlan {
  readonly name: string;
  readonly workers: number;
  readonly prefetch: number;
  readonly service: DistLike;
  readonly handler: readonly Step[];
  readonly maxLength?: number;
  readonly overflow: "reject_publish" | "drop_head";
  readonly retries: number;
  readonly failureRate: number;
  /** The model's partitions: one RabbitMQ queue and one worker each (parts/partitions.ts). */
  readonly partitions?: number;
}

export interface CdnPlan {
  readonly name: string;
  readonly ttl: number;
  /** The model's `edge_latency` (its default applied): with regions, the edge relay's wait per request (regions/start.ts startEdgeRelay). */
  readonly edgeLatency?: Dist;
}

/**
 * A `kind: function` as its dispatcher runs it (function/dispatcher.ts, in a process of its own):
 * the YAML's limits, cold start, idle timeout and throttling, and per class the handler of one
 * invocation (its `service` steps waits in the instance, its calls to the cache and the database
 * made for it by the dispatcher; a class without a handler: the function's `service`). Called by
 * the services whose handlers call it (an HTTP call, as to another service), and by the API gateway
 * service of the classes that enter at it (function/gateway.ts).
 */
export interface FunctionPlan {
  readonly name: string;
  readonly maxInstances: number;
  readonly concurrency: number;
  /** The init an instance waits after its process started (the real start comes on top). */
  readonly coldStart: DistLike;
  readonly idleTimeout: number;
  readonly provisioned: number;
  readonly timeout?: number;
  readonly onThrottle: "reject" | "queue";
  readonly queue?: number;
  readonly queueTimeout?: number;
  /** Per class that reaches it, the steps of one invocation. */
  readonly handlers: Readonly<Record<string, readonly Step[]>>;
  /** One-way time of each leg of the handler's calls (the YAML's `network`). */
  readonly network?: DistLike;
  /** The cache and database its handlers call (the dispatcher opens a pool to each). */
  readonly calls: readonly string[];
}

/**
 * A `realtime` component (reference-app/realtime/): `instances` WebSocket server processes behind
 * an HAProxy of their own (WebSocket upgrade, `timeout tunnel`), Redis pub/sub (a private
 * redis-server) between them. What the servers enforce or inject is the model's; what they do
 * not inject (the per-recipient `send` cost, the backbone's service time) is the real cost.
 */
export interface RealtimePlan {
  readonly name: string;
  readonly instances: number;
  readonly maxConnections: number;
  readonly balance: RealtimeComponent["balance"];
  /** Bytes per instance (none: no limit), as the model counts them: base + per connection + message_size per queued copy. */
  readonly memory?: number;
  readonly memoryBase: number;
  readonly memoryPerConnection: number;
  readonly messageSize: number;
  /** Seconds an instance out of memory stays down before it takes connections again. */
  readonly restartAfter: number;
  /** Channels 0..count-1; s: the Zipf exponent (0: uniform), for server-side publishes. */
  readonly channels: { readonly count: number; readonly s: number };
  /** The YAML's one-way client <-> instance latency, injected by the instance on both legs. */
  readonly network?: Dist;
  /** The YAML's per-recipient send cost and backbone service: the real ones apply (not injected). */
  readonly send: Dist;
  readonly backbone?: Dist;
  readonly reconnect: RealtimeComponent["reconnect"];
  /** The load's sessions (load.connections.<name>): what a load generator plays. */
  readonly connections?: { readonly rate: number; readonly lifetime: Dist; readonly messages: number };
  /** Services whose handlers call it (a server-side publish). */
  readonly publishers: readonly string[];
}

/**
 * A component's egress link (its `bandwidth`), realized by the run's link relay
 * (parts/link-relay.ts): the model's processor-sharing server on the real clock, on the paths the
 * component's messages take (link-routes.ts). A balancer's link carries its answers to its callers
 * (the users, through a route in front of the entry's HAProxy, or the services that call it) and
 * its requests to its backend's replicas; a service's carries its answers to its callers and its
 * requests to the services and balancers it calls (and to a cache with a link); a cache's carries
 * Redis's replies to the services that call it (RESP, parts/resp-framer.ts).
 */
export interface LinkPlan {
  readonly component: string;
  readonly kind: "balancer" | "service" | "cache" | "database";
  /** The YAML's bits per second over 8. */
  readonly bytesPerSecond: number;
}

export interface AppPlan {
  readonly name: string;
  readonly seed: number;
  readonly interval: number;
  readonly classes: readonly ClassPlan[];
  /** The balancer clients enter through (behind the CDN, when there is one). */
  readonly lb?: LbPlan;
  /** The service clients' requests reach first (behind `lb`). */
  readonly service: ServicePlan;
  /** Every service: the entry `service` first, then the ones its handlers call, in the YAML's order. */
  readonly services: readonly ServicePlan[];
  /** Every balancer: the entry `lb` first, then the ones between services. */
  readonly balancers: readonly LbPlan[];
  /** The first cache: the one the collector samples and the cache faults act on. */
  readonly cache?: CachePlan;
  /** Every cache, each its own Redis; `cache` is the first. */
  readonly caches: readonly CachePlan[];
  readonly db?: DbPlan;
  readonly queues: readonly QueuePlan[];
  readonly cdn?: CdnPlan;
  /**
   * The scenario's regions (regions/placement.ts): each service and balancer in its region, the
   * calls that cross between regions (through the delaying relay) and, per origin region of the
   * users, the entries its geo router tries. Undefined without `regions:`.
   */
  readonly regions?: RegionPlan;
  /** Every function the services call: each a dispatcher process of its own. */
  readonly functions: readonly FunctionPlan[];
  readonly realtime?: RealtimePlan;
  /** The egress links the link relay realizes (none: no relay runs). */
  readonly links: readonly LinkPlan[];
}

/** Why a scenario cannot be realized: the field and the reason. */
export interface PlanIssue {
  readonly field: string;
  readonly reason: string;
}

/** Kinds the app has a part for; a station is planned as a one-replica service (station.ts). */
export const REALIZED_KINDS = ["station", "load_balancer", "service", "cache", "database", "queue", "cdn", "function", "realtime"] as const;

// ---------------------------------------------------------------- planning

// Names come from the file: read only the record's own entries, never Object.prototype's
// (`constructor`, `toString`, ...). The parser's records have no prototype; this guards the rest.
const own = <V>(r: Readonly<Record<string, V>> | undefined, k: string): V | undefined => (r !== undefined && Object.hasOwn(r, k) ? r[k] : undefined);

/** The components a flow calls or publishes to, nested flows included, each once in the order first met. */
export function calledBy(steps: readonly Step[], out: string[] = []): string[] {
  for (const step of steps) {
    if ("call" in step) {
      if (!out.includes(step.call)) out.push(step.call);
      calledBy(step.hit ?? [], out);
      calledBy(step.miss ?? [], out);
    } else if ("publish" in step) {
      if (!out.includes(step.publish)) out.push(step.publish);
    } else if ("branch" in step) {
      for (const b of step.branch) calledBy(b.flow, out);
    } else if ("parallel" in step) {
      for (const f of step.parallel) calledBy(f, out);
    }
  }
  return out;
}

export function planApp(scenario: Scenario): { ok: true; plan: AppPlan } | { ok: false; issues: PlanIssue[] } {
  // A station is realized as the one-replica service it amounts to (station.ts); a class entering at
  // a function enters at its API gateway, a service of its own (function/gateway.ts).
  const { scenario: stationed, issues: stationIssues, queueTimeouts } = stationsAsServices(scenario);
  const { scenario: s } = functionGateways(stationed);
  const issues: PlanIssue[] = [...stationIssues];
  const byKind = new Map<string, string[]>();
  for (const [name, c] of Object.entries(s.components)) {
    if (!(REALIZED_KINDS as readonly string[]).includes(c.kind)) {
      issues.push({
        field: `components.${name}.kind`,
        reason: `the reference app does not realize kind '${c.kind}' (it realizes ${REALIZED_KINDS.join(", ")}); ` +
          "model it with real components or run it in the simulator only",
      });
      continue;
    }
    byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), name]);
  }
  const one = (kind: string): string | undefined => {
    const names = byKind.get(kind) ?? [];
    if (names.length > 1) {
      issues.push({ field: `components.${names[1]}`, reason: `the reference app realizes at most one ${kind}, found ${names.join(", ")}` });
    }
    return names[0];
  };
  // Several caches: each its own Redis (a region's own cache, as one-million-users has); a process
  // holds one cache connection, so a service or function calls at most one of them.
  const cacheNames = byKind.get("cache") ?? [];
  const dbName = one("database");
  const cdnName = one("cdn");
  const realtimeName = one("realtime");
  const comp = (name: string) => own(s.components, name);

  // The entry: every class's flow starts with a call to the CDN, a balancer or a service; the app
  // serves them all on one entry (one URL per class kind: the CDN's or the balancer's).
  const entries = new Set<string>();
  for (const cl of Object.values(s.load.classes)) {
    const first = cl.flow[0];
    if (first && "call" in first) entries.add(first.call);
  }
  const entryOf = (name: string | undefined): string | undefined => {
    const c = name !== undefined ? comp(name) : undefined;
    return c?.kind === "cdn" ? c.origin : name;
  };
  const fronts = [...new Set([...entries].map(entryOf))];
  // A geo route the classes start with: its first entry stands for the entry (the one faults and
  // the auto-scaler act on); every entry is planned, and each origin region's geo router tries them.
  const geoEntry = fronts.length === 1 && own(s.geo, fronts[0]!) !== undefined ? own(s.geo, fronts[0]!)![0] : undefined;
  const front = geoEntry ?? fronts[0];
  const lbName = fronts.length === 1 && comp(front!)?.kind === "load_balancer" ? front : undefined;
  const serviceName = lbName ? (comp(lbName) as LoadBalancerComponent).backends : fronts.length === 1 && comp(front!)?.kind === "service" ? front : (byKind.get("service") ?? [])[0];
  if (fronts.length > 1) {
    issues.push({ field: "load.classes", reason: `the reference app serves every class on one entry; the classes' flows start at ${fronts.join(", ")}` });
  }
  if (!serviceName || comp(serviceName)?.kind !== "service") issues.push({ field: "components", reason: "the reference app needs one component of kind service that the classes call" });

  refuseUnrealizedFeatures(s, serviceName, issues);

  // Every service, the entry first: each its own pool of processes.
  const serviceNames = [...(serviceName && comp(serviceName)?.kind === "service" ? [serviceName] : []), ...(byKind.get("service") ?? []).filter((n) => n !== serviceName)];
  const balancerNames = [...(lbName ? [lbName] : []), ...(byKind.get("load_balancer") ?? []).filter((n) => n !== lbName)];
  const services: ServicePlan[] = [];
  for (const name of serviceNames) {
    const sv = comp(name) as ServiceComponent;
    const handlers = Object.assign(Object.create(null) as Record<string, readonly Step[]>, sv.handlers ?? {});
    // As in the simulator: a class without a handler does the service's own `service` time.
    for (const cls of Object.keys(s.load.classes)) {
      if (own(handlers, cls)) continue;
      if (sv.service !== undefined) handlers[cls] = [{ service: sv.service }];
      else if (name === serviceName) issues.push({ field: `components.${name}.handlers`, reason: `no handler for class '${cls}' and no service time` });
    }
    const autoscaling = sv.autoscaling !== undefined ? scalingPlan(sv.autoscaling) : undefined;
    const plan: ServicePlan = {
      name,
      replicas: sv.replicas,
      places: Math.max(sv.replicas, autoscaling?.max ?? 0),
      autoscaling,
      concurrency: sv.concurrency,
      backlog: sv.backlog,
      timeout: sv.timeout,
      ...(queueTimeouts.has(name) ? { queueTimeout: queueTimeouts.get(name) } : {}),
      handlers,
      network: sv.network,
      calls: calledBy(Object.values(handlers).flat()),
      ...(sv.retries || sv.circuit_breaker ? { resilience: { retries: sv.retries, circuit_breaker: sv.circuit_breaker } } : {}),
    };
    services.push(plan);
    for (const [cls, steps] of Object.entries(handlers)) {
      // `<class>/revalidate`: what the entry service runs for a browser's revalidation (browser_cache)
      const base = cls.endsWith("/revalidate") ? cls.slice(0, -"/revalidate".length) : cls;
      if (!own(s.load.classes, base)) issues.push({ field: `components.${name}.handlers.${cls}`, reason: "no request class of that name in load.classes" });
      else if (base !== cls && name !== serviceName) issues.push({ field: `components.${name}.handlers.${cls}`, reason: "only the entry service runs a <class>/revalidate handler in the reference app (a revalidation calls other services with the class's own handler)" });
      checkSteps(steps, `components.${name}.handlers.${cls}`, s, issues);
    }
  }
  const service = services[0];
  const placesOf = (name: string) => services.find((p) => p.name === name)?.places ?? 0;

  const balancers: LbPlan[] = [];
  for (const name of balancerNames) {
    const l = comp(name) as LoadBalancerComponent;
    if (comp(l.backends)?.kind !== "service") {
      issues.push({ field: `components.${name}.backends`, reason: `must name a service; '${l.backends}' is ${comp(l.backends) ? `a ${comp(l.backends)!.kind}` : "not a component"}` });
      continue;
    }
    const lb: LbPlan = {
      name,
      backends: l.backends,
      algorithm: l.algorithm,
      maxconn: l.maxconn,
      queueTimeout: l.queue_timeout,
      connectRetries: l.connect_retries,
      weights: l.weights,
      health: l.health_check,
      rateLimit: l.rate_limit !== undefined ? nginxRateLimit(l.rate_limit, `components.${name}.rate_limit`, issues) : undefined,
      tls: l.tls ? { resumption: l.tls.resumption > 0, key: l.tls.key } : undefined,
    };
    // TLS is realized where clients connect: the entry balancer, with no gateway in front of it
    // (a geo route's entry is one the clients enter through: regions/placement.ts says why TLS there is not realized)
    const geoEntryBalancer = fronts.length === 1 && own(s.geo, fronts[0]!)?.includes(name) === true;
    if (lb.tls && name !== lbName && !geoEntryBalancer) issues.push({ field: `components.${name}.tls`, reason: "TLS is realized on the balancer clients enter through only (services call the balancers between them in plain HTTP)" });
    if (lb.tls && cdnName && (comp(cdnName) as { origin?: string }).origin === name) issues.push({ field: `components.${name}.tls`, reason: "TLS on a CDN's origin is not realized (nginx reaches its origin in plain HTTP)" });
    if (lb.tls && lb.rateLimit) issues.push({ field: `components.${name}.tls`, reason: "TLS with a rate_limit is not realized (the nginx gateway in front of HAProxy would take the clients' connections)" });
    if (lb.rateLimit && name !== lbName) issues.push({ field: `components.${name}.rate_limit`, reason: "a rate limit is realized on the balancer clients enter through only" });
    if (lb.weights && lb.weights.length !== placesOf(l.backends)) {
      issues.push({ field: `components.${name}.weights`, reason: `has ${lb.weights.length} weights for ${placesOf(l.backends)} replicas` });
    }
    balancers.push(lb);
  }
  // Clients calling a service of several replicas straight: the model's client spreads them round
  // robin (simulation.ts OP_SLOT without a balancer); an HAProxy roundrobin with no maxconn does it.
  const entryService = services[0];
  if (!lbName && entryService && entryService.name === serviceName && entryService.places > 1 && !entryService.autoscaling) {
    let name = `${entryService.name}_clients_rr`;
    while (comp(name)) name += "_";
    balancers.unshift({ name, backends: entryService.name, algorithm: "round_robin", queueTimeout: IMPLICIT_QUEUE_TIMEOUT_S, connectRetries: 0, implicit: true });
  }
  const lb = balancers.find((b) => b.name === lbName) ?? balancers.find((b) => b.implicit);
  // Every auto-scaled service behind a balancer of its own gets a scaler (scaled-pools.ts).
  issues.push(...scaledPoolIssues(services, balancers));
  const links = planLinks(s, lb, services, cdnName !== undefined, s.regions !== undefined || s.geo !== undefined, issues);

  const functions: FunctionPlan[] = [];
  for (const name of byKind.get("function") ?? []) {
    const f = comp(name) as FunctionComponent;
    const handlers: Record<string, readonly Step[]> = Object.create(null);
    for (const cls of Object.keys(s.load.classes)) {
      const handler = own(f.handlers, cls);
      if (handler) {
        checkFunctionSteps(handler, `components.${name}.handlers.${cls}`, s, issues);
        handlers[cls] = handler;
      } else if (f.service !== undefined) handlers[cls] = [{ service: f.service }];
    }
    functions.push({
      name, maxInstances: f.max_instances, concurrency: f.concurrency, coldStart: f.cold_start, idleTimeout: f.idle_timeout,
      provisioned: f.provisioned, timeout: f.timeout, onThrottle: f.on_throttle, queue: f.queue, queueTimeout: f.queue_timeout, handlers,
      ...(f.network !== undefined ? { network: f.network } : {}), calls: calledBy(Object.values(handlers).flat()),
    });
  }

  const caches: CachePlan[] = [];
  for (const cacheName of cacheNames) {
    const k = comp(cacheName) as CacheComponent;
    caches.push({
      name: cacheName,
      capacity: k.capacity,
      ttl: k.ttl,
      valueSize: k.value_size,
      service: k.service,
      evictionSamples: k.eviction === "sampled" ? k.samples ?? REDIS_SAMPLES : REDIS_MAX_SAMPLES,
      // the widest key the classes draw (or the database holds): sizing writes keys that long
      largestKey: Math.max(0, ...Object.values(s.load.classes).map((cl) => (cl.keys?.count ?? 1) - 1), dbName ? (comp(dbName) as DatabaseComponent).keys - 1 : 0),
    });
  }
  const cache = caches[0];
  for (const p of [...services, ...functions]) {
    const called = p.calls.filter((c) => cacheNames.includes(c));
    if (called.length > 1) issues.push({ field: `components.${p.name}`, reason: `'${p.name}' calls the caches ${called.join(", ")}: a process of the reference app holds one cache connection` });
  }

  let db: DbPlan | undefined;
  if (dbName) {
    const d = comp(dbName) as DatabaseComponent;
    // As the engine's compile(): the key space is the largest key count of any class or database.
    let keySpace = 1;
    for (const cl of Object.values(s.load.classes)) if (cl.keys) keySpace = Math.max(keySpace, cl.keys.count);
    for (const c of Object.values(s.components)) if (c.kind === "database") keySpace = Math.max(keySpace, c.keys);
    db = {
      name: dbName,
      keys: d.keys,
      read: d.read,
      write: d.write,
      replicas: d.replicas,
      shards: d.shards?.count ?? 1,
      byRange: d.shards?.by === "range",
      keySpace,
      readFrom: d.read_from,
      lag: d.replication_lag,
      synchronous: d.replication === "synchronous",
      failovers: (s.failures ?? []).flatMap((f) => ("fail_primary" in f && f.fail_primary === dbName ? [{ at: f.at, shard: f.shard, promoteAfter: f.promote_after }] : [])),
      maxConnections: d.max_connections,
      // withGate (below) sets both once the app's connections are counted
      serverMaxConnections: d.max_connections,
      gate: undefined,
      pool: d.pool,
      table: d.table ? { rows: d.table.rows, growth: d.table.growth, indexes: d.table.indexes, columns: queriedColumns(s, dbName) } : undefined,
    };
    if (d.table) {
      if (d.table.rows > MAX_TABLE_ROWS) issues.push({ field: `components.${dbName}.table.rows`, reason: `seeding more than ${MAX_TABLE_ROWS} rows is not realized` });
      if (!Number.isInteger(d.table.growth)) issues.push({ field: `components.${dbName}.table.growth`, reason: "a write inserts whole rows: a fractional growth is not realized" });
      if (db.shards > 1) issues.push({ field: `components.${dbName}.table`, reason: "a table on a sharded database is not realized" });
    }
    if (db.shards > 1 && (byKind.get("queue") ?? []).some((q) => ((comp(q) as QueueComponent).handler ?? []).length > 0)) {
      issues.push({ field: `components.${dbName}.shards`, reason: "queue workers writing to a sharded database are not realized (their writes go to one server)" });
    }
    if (db.failovers.length > 0 && functions.some((p) => p.calls.includes(dbName))) {
      issues.push({ field: "failures", reason: "a database failover with a function calling the database is not realized (the dispatcher's pool is not repointed to the promoted replica)" });
    }
    if (db.failovers.length > 0 && services.some((p) => p.calls.includes(dbName) && p.autoscaling)) {
      issues.push({ field: "failures", reason: "a database failover with an auto-scaled service is not realized (a replica started after the failover would connect to the old primary)" });
    }
    if (db.failovers.length > 0 && (byKind.get("queue") ?? []).some((q) => ((comp(q) as QueueComponent).handler ?? []).length > 0)) {
      issues.push({ field: "failures", reason: "a database failover with queue workers writing to the database is not realized (the workers' pool is not repointed to the promoted replica)" });
    }
    if (db.readFrom !== "primary" && db.replicas === 0) {
      issues.push({ field: `components.${dbName}.read_from`, reason: `is '${db.readFrom}' but replicas is 0` });
    }
    db = withGate(db, connectionsPerServer(db, [...services, ...functions.map(functionCaller)], queues0(s, byKind)));
    if (db.gate && db.failovers.length > 0) {
      issues.push({ field: "failures", reason: `a database failover with max_connections ${db.maxConnections} below the app's connections is not realized (the gate in front of each server, parts/pgbouncer.ts, is not repointed to the promoted replica)` });
    }
  }

  const queues: QueuePlan[] = [];
  for (const name of byKind.get("queue") ?? []) {
    const q = comp(name) as QueueComponent;
    const handler = q.handler ?? [];
    handler.forEach((step, i) => {
      const target = "call" in step ? comp(step.call) : undefined;
      if (target?.kind !== "database" || !("call" in step) || (step.op !== "read" && step.op !== "write")) {
        issues.push({ field: `components.${name}.handler[${i}]`, reason: "a worker's handler can only hold { call: <database>, op: read | write } steps in the reference app" });
      }
    });
    queues.push({
      name,
      // One consumer per partition, as in the model (workers do not apply to a partitioned queue).
      workers: q.partitions ?? q.workers,
      prefetch: q.prefetch,
      service: q.service,
      handler,
      maxLength: q.max_length,
      overflow: q.overflow,
      retries: q.retries,
      failureRate: q.failure_rate,
      partitions: q.partitions,
    });
  }

  let cdn: CdnPlan | undefined;
  if (cdnName) {
    const d = comp(cdnName);
    if (lb?.rateLimit) {
      issues.push({ field: `components.${lbName}.rate_limit`, reason: `a rate-limited balancer behind the CDN '${cdnName}' is not realized (the limit's nginx gateway would sit between the edge cache and HAProxy)` });
    }
    // With regions the CDN's origin is the users' entry (a geo route, or the one component the
    // classes start at): each origin region's edge sends its misses to that region's geo router.
    const withRegions = s.regions !== undefined || s.geo !== undefined;
    const origin = withRegions ? (fronts.length === 1 ? fronts[0] : undefined) : lbName;
    if (d?.kind === "cdn" && (d.origin !== origin || origin === undefined)) {
      const want = withRegions ? `the users' entry${origin !== undefined ? ` '${origin}'` : ""} (what the other classes start at: its geo routers are the edge's way in)` : `'${lbName ?? "a load_balancer"}'`;
      issues.push({ field: `components.${cdnName}.origin`, reason: `the reference app puts the CDN in front of the load balancer; origin must be ${want}` });
    }
    // Without a ttl the simulator's edge never expires an object; a year is nginx's stand-in.
    cdn = { name: cdnName, ttl: (d?.kind === "cdn" ? d.ttl : undefined) ?? CDN_TTL_UNSET_S, ...(d?.kind === "cdn" ? { edgeLatency: d.edge_latency } : {}) };
  }

  const classes: ClassPlan[] = [];
  for (const [name, cl] of Object.entries(s.load.classes)) {
    const field = `load.classes.${name}`;
    if (!cl.http) {
      issues.push({ field: `${field}.http`, reason: "the reference app needs { method, path } to serve this class" });
      continue;
    }
    const first = cl.flow[0];
    const target = first && "call" in first ? first.call : undefined;
    let via: ClassPlan["via"] = "lb";
    if (target && target === cdnName) via = "cdn";
    else if (target === undefined || (target !== lbName && target !== serviceName && (target !== fronts[0] || own(s.geo, target) === undefined))) {
      issues.push({ field: `${field}.flow`, reason: `must start with { call: ${[cdnName, lbName, serviceName].filter(Boolean).join(" | ")} } so the reference app can serve it` });
    }
    const placeholders = cl.http.path.match(/\{[^}]*\}/g) ?? [];
    if (placeholders.some((p) => p !== "{key}") || placeholders.length > 1) {
      issues.push({ field: `${field}.http.path`, reason: "the only path parameter the reference app serves is one {key}" });
    }
    const keyCount = placeholders.length ? (cl.keys?.count ?? db?.keys) : cl.keys?.count;
    if (placeholders.length && keyCount === undefined) {
      issues.push({ field: `${field}.keys`, reason: "a path with {key} needs keys.count (or a database's keys)" });
    }
    // Payloads: the answer's size is realized (its body padded, uncompressed, to the wire size), and
    // the request's (the load generators pad its body); what the app has no part for is refused by name.
    if (cl.request_size !== undefined && meanOf(cl.request_size) > MAX_SIZED_BODY / 4) {
      issues.push({ field: `${field}.request_size`, reason: `request bodies above ${MAX_SIZED_BODY / 4 / 2 ** 20} MiB on average are not realized (the service reads a body whole, up to ${MAX_SIZED_BODY / 2 ** 20} MiB)` });
    }
    const page = cl.pagination;
    if (page && db) {
      // a walk of `pages` full pages from the request's first row must fit in the seeded rows (service/pages.ts)
      const rows = db.table?.rows ?? db.keys;
      if (page.page_size * page.pages > rows) issues.push({ field: `${field}.pagination`, reason: `a walk of ${page.pages} pages of ${page.page_size} rows reads ${page.page_size * page.pages} rows, more than the ${rows} the database '${db.name}' is seeded with` });
      if (db.shards > 1) issues.push({ field: `${field}.pagination`, reason: "pagination over a sharded database is not realized (a page's keyset query reads one server)" });
    }
    // the wire size the model gives each call: a page (after compression) with pagination, else the
    // class's response_size after compression (model/payload.ts classPayload)
    const responseSize = classPayload(cl).response;
    if (cl.browser_cache?.revalidate) {
      issues.push({ field: `${field}.browser_cache.revalidate`, reason: "revalidate steps are not realized: the app revalidates through the class's own entry, running the entry service's <class>/revalidate handler" });
    }
    if (cl.browser_cache && via === "cdn") issues.push({ field: `${field}.browser_cache`, reason: "a browser cache in front of the CDN is not realized" });
    const browserCache = cl.browser_cache ? { maxAge: cl.browser_cache.max_age, etag: cl.browser_cache.etag } : undefined;
    classes.push({
      name, method: cl.http.method, path: cl.http.path, keyCount, via,
      ...(responseSize ? { responseSize } : {}), ...(cl.request_size ? { requestSize: cl.request_size } : {}), ...(browserCache ? { browserCache } : {}),
      ...(page ? { pagination: { pageSize: page.page_size, rowSize: page.row_size, pages: page.pages } } : {}),
    });
  }

  let regions: RegionPlan | undefined;
  if (s.regions !== undefined || s.geo !== undefined) {
    // who reaches what: each service's calls, and each queue's consumer's (its handler's)
    const callsOf = new Map<string, readonly string[]>([...services.map((p) => [p.name, p.calls] as const), ...queues.map((q) => [q.name, calledBy(q.handler)] as const)]);
    const r = planRegions(s, fronts.length === 1 ? fronts[0] : undefined, callsOf);
    issues.push(...r.issues);
    regions = r.plan;
  }
  let realtime: RealtimePlan | undefined;
  if (realtimeName) {
    const r = comp(realtimeName) as RealtimeComponent;
    const conn = own(s.load.connections, realtimeName);
    realtime = {
      name: realtimeName,
      instances: r.instances,
      maxConnections: r.max_connections,
      balance: r.balance,
      ...(r.memory !== undefined ? { memory: r.memory } : {}),
      memoryBase: r.memory_base,
      memoryPerConnection: r.memory_per_connection,
      messageSize: r.message_size,
      restartAfter: r.restart_after,
      channels: { count: r.channels.count, s: r.channels.popularity === "zipf" ? (r.channels.s ?? 1) : 0 },
      ...(r.network ? { network: r.network } : {}),
      send: r.send,
      ...(r.backbone ? { backbone: r.backbone.service } : {}),
      reconnect: r.reconnect,
      ...(conn ? { connections: { rate: conn.rate, lifetime: conn.lifetime, messages: conn.messages } } : {}),
      publishers: services.filter((p) => p.calls.includes(realtimeName)).map((p) => p.name),
    };
    // HAProxy holds every connection of the pool at once (one frontend and one server session each).
    if (r.instances * r.max_connections > MAX_REALTIME_CONNECTIONS) {
      issues.push({ field: `components.${realtimeName}.max_connections`, reason: `${r.instances} x ${r.max_connections} connections is more than the ${MAX_REALTIME_CONNECTIONS} the reference app's HAProxy and one host's file descriptors are set up for` });
    }
    if (r.send_buffer !== undefined) issues.push({ field: `components.${realtimeName}.send_buffer`, reason: "a send buffer that drops messages past a backlog is not realized (the servers queue every copy in the socket)" });
    if (r.backbone?.latency !== undefined) issues.push({ field: `components.${realtimeName}.backbone.latency`, reason: "a backbone latency is not injected (the backbone is a real Redis on loopback: its own latency is what the app has; calibration measures it)" });
  }

  if (issues.length > 0 || !service) return { ok: false, issues };
  return {
    ok: true,
    plan: {
      name: s.name,
      seed: s.seed,
      interval: s.simulation.interval,
      classes,
      lb,
      service,
      services,
      balancers,
      cache,
      caches,
      db,
      queues,
      cdn,
      ...(regions ? { regions } : {}),
      functions,
      ...(realtime ? { realtime } : {}),
      links,
    },
  };
}

/**
 * The components' `bandwidth` the link relay realizes (LinkPlan), and an issue for each other one.
 * Realized: the links of the balancers and services, where every message they send is on a path
 * the relay can stand on and frame (plain HTTP between the users, HAProxy and the replicas:
 * link-routes.ts), with regions nowhere.
 */
function planLinks(s: Scenario, lb: LbPlan | undefined, services: readonly ServicePlan[], cdn: boolean, regions: boolean, issues: PlanIssue[]): LinkPlan[] {
  const links: LinkPlan[] = [];
  const entry = services[0];
  for (const [name, c] of Object.entries(s.components)) {
    const bytesPerSecond = linkBytesPerSecond(c);
    if (bytesPerSecond === undefined) continue;
    const refuse = (why: string) => issues.push({ field: `components.${name}.bandwidth`, reason: `a link is not realized ${why}` });
    if (regions) {
      refuse("with regions: the link relay stands on the paths on the host, not between the regions' relays and geo routers");
      continue;
    }
    if (c.kind === "load_balancer") {
      if (name === lb?.name && lb.tls) refuse("on a balancer terminating TLS: the link relay in front of HAProxy frames HTTP messages, which TLS hides");
      else if (name === lb?.name && lb.rateLimit) refuse("beside a rate_limit (the nginx gateway would stand between the link relay and HAProxy)");
      else if (name === lb?.name && cdn) refuse("behind a CDN (nginx's edge would stand between the link relay and HAProxy)");
      else links.push({ component: name, kind: "balancer", bytesPerSecond });
    } else if (c.kind === "service") {
      // the entry's users reach one replica straight only when it has one place (else the implicit balancer fronts it)
      if (name === entry?.name && !lb && entry.places > 1) refuse("on an auto-scaled service no balancer fronts (the users' requests would reach its replicas without a route each)");
      else links.push({ component: name, kind: "service", bytesPerSecond });
    } else if (c.kind === "cache") {
      // its replies reach the services through the link relay's RESP routes; a function's instances reach Redis straight
      const fn = Object.entries(s.components).find(([, f]) => f.kind === "function" && calledBy(Object.values(f.handlers ?? {}).flat()).includes(name));
      if (fn) refuse(`on a cache a function calls ('${fn[0]}': its instances reach Redis without the link relay's route)`);
      else links.push({ component: name, kind: "cache", bytesPerSecond });
    } else if (c.kind === "database") {
      // its answers reach the services through the link relay's PostgreSQL routes (parts/pg-framer.ts),
      // realized where one server answers only the services' product reads
      const other = Object.entries(s.components).find(([, f]) => (f.kind === "function" && calledBy(Object.values(f.handlers ?? {}).flat()).includes(name)) || (f.kind === "queue" && calledBy(f.handler ?? []).includes(name)));
      const paged = Object.entries(s.load.classes).find(([, cl]) => cl.pagination !== undefined);
      if ((c.replicas ?? 0) > 0 || c.shards !== undefined) refuse("on a database with replicas or shards yet (one server only: its lag monitors and routing are not on the link relay's routes)");
      else if (c.table !== undefined) refuse("on a database with a table (its reads answer an id, not a sized row)");
      else if (paged) refuse(`with a paginated class ('${paged[0]}': a page's rows carry their other columns beside row_size)`);
      else if (other) refuse(`on a database a ${other[1].kind} calls ('${other[0]}': its processes reach PostgreSQL without the link relay's route)`);
      else links.push({ component: name, kind: "database", bytesPerSecond });
    } else {
      refuse(`on a ${c.kind}: the link relay (parts/link-relay.ts) frames the HTTP messages of balancers and services, Redis's replies and PostgreSQL's answers; a ${c.kind}'s answers take other paths (its own protocol)`);
    }
  }
  return links;
}

/** The link relay's routes (link-routes.ts): one per path with a link at either end. */
export function linkRoutesNeeded(plan: AppPlan): number {
  return linkRoutes(plan).length;
}

/** The most connections a realtime pool may hold at once in the reference app (instances x max_connections). */
export const MAX_REALTIME_CONNECTIONS = 20_000;

/** TCP ports a run of the plan listens on: every process plus the admin endpoint. */
/**
 * A component's ports as a crossing reaches it, named before any is known (regionPorts counts the
 * routes): a balancer's one, a service's replicas', a database's servers (every shard's primary
 * and replicas), a cache's one, and the broker every queue shares.
 */
function regionTargets(plan: AppPlan, c: string): string[] {
  const n = (k: number) => Array.from({ length: k }, (_, i) => `${c}#${i}`);
  if (plan.balancers.some((b) => b.name === c) || plan.caches.some((k) => k.name === c)) return n(1);
  if (plan.db?.name === c) return n(plan.db.shards * (1 + plan.db.replicas));
  if (plan.queues.some((q) => q.name === c)) return ["broker"];
  return n(plan.services.find((p) => p.name === c)?.replicas ?? 0);
}

export function portsNeeded(plan: AppPlan): number {
  return (
    1 +
    // each server, and with a gate its PgBouncer
    (plan.db ? plan.db.shards * (1 + plan.db.replicas) * (plan.db.gate ? 2 : 1) : 0) +
    plan.caches.length +
    plan.services.reduce((n, p) => n + p.places, 0) +
    plan.queues.reduce((n, q) => n + q.workers, 0) +
    plan.balancers.length +
    (plan.lb?.rateLimit ? 1 : 0) +
    // the resilience gateway, when the users' calls to the entry retry or break
    (plan.service.resilience ? 1 : 0) +
    // the CDN's edge: with regions, a server per origin region of the users, and the edge relay's route in front of each
    (plan.cdn ? (plan.regions ? plan.regions.origins.length : 1) * (plan.cdn.edgeLatency ? 2 : 1) : 0) +
    (plan.regions ? regionPorts(plan.regions, (c) => regionTargets(plan, c)) : 0) +
    plan.functions.length +
    (plan.realtime ? plan.realtime.instances + 2 : 0) +
    linkRoutesNeeded(plan)
  );
}

// Features the simulator models but the real app has no part for. Each is refused by name rather
// than ignored, so a measured run is never compared with a prediction of a different system.
// (None is left for a component kind; what a part cannot hold in a combination is refused where it is planned.)
const UNREALIZED: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

function scalingPlan(a: AutoscalingSpec): ScalingPlan {
  const { min, max, metric, target, interval, step_out, step_in, cooldown_out, cooldown_in, boot } = a;
  return { min, max, metric, target, interval, step_out, step_in, cooldown_out, cooldown_in, boot };
}

/**
 * The model's token bucket as nginx's limit_req: a rate in whole requests per second, else per
 * minute (within 1% of the YAML's), and burst - 1. An issue when neither is within 1%.
 */
export function nginxRateLimit(rl: { rate: number; burst?: number }, field: string, issues: PlanIssue[]): RateLimitPlan | undefined {
  const burst = Math.max(1, Math.round(rl.burst ?? 1));
  const near = (n: number, x: number) => n >= 1 && Math.abs(n - x) / x <= 0.01;
  const perSecond = Math.round(rl.rate);
  const perMinute = Math.round(rl.rate * 60);
  const nginxRate = near(perSecond, rl.rate) ? `${perSecond}r/s` : near(perMinute, rl.rate * 60) ? `${perMinute}r/m` : undefined;
  if (!nginxRate) {
    issues.push({
      field,
      reason: `nginx's limit_req cannot hold rate ${rl.rate}/s: it counts whole requests per second or per minute (${(rl.rate * 60).toPrecision(3)}/min is not within 1% of one)`,
    });
    return undefined;
  }
  return { rate: rl.rate, burst, nginxRate, nginxBurst: burst - 1 };
}

function refuseUnrealizedFeatures(s: Scenario, serviceName: string | undefined, issues: PlanIssue[]): void {
  // Regions, geo routes and users placed in regions: regions/placement.ts (planRegions) says what it refuses.
  for (const [name, comp] of Object.entries(s.components)) {
    const c = comp as unknown as Record<string, unknown>;
    // `bandwidth`: planLinks says which links the link relay realizes and refuses the others.
    for (const [feature, reason] of Object.entries(UNREALIZED[String(c.kind)] ?? {})) {
      if (c[feature] !== undefined) issues.push({ field: `components.${name}.${feature}`, reason });
    }
  }
  // A service other than the entry is called by other services: they carry its retries and breaker
  // out (service/resilience.ts on service/peers.ts's calls). The entry's callers are the users: the
  // resilience gateway (gateway/gateway.ts) in front of the entry runs them, one breaker and budget
  // for all users as the model keeps one per called service. Where it cannot stand in front of
  // every user's request, that is refused by name.
  const entry = serviceName !== undefined ? own(s.components, serviceName) : undefined;
  if (entry?.kind === "service") {
    for (const feature of ["retries", "circuit_breaker"] as const) {
      if (entry[feature] === undefined) continue;
      const field = `components.${serviceName}.${feature}`;
      const cdn = Object.entries(s.components).find(([, c]) => c.kind === "cdn")?.[0];
      const tls = Object.entries(s.components).find(([, c]) => c.kind === "load_balancer" && c.backends === serviceName && c.tls !== undefined)?.[0];
      if (cdn) issues.push({ field, reason: `on the service users enter with the CDN '${cdn}': the resilience gateway that runs the users' ${feature} stands in front of the balancer, and classes served through the CDN would not pass it` });
      else if (s.regions !== undefined || s.geo !== undefined) issues.push({ field, reason: `with regions: each origin region's users enter through their own geo router, and the resilience gateway that runs the users' ${feature} stands in front of one entry` });
      else if (tls) issues.push({ field, reason: `with TLS on '${tls}': the resilience gateway that runs the users' ${feature} would hold its own pooled TLS connections to HAProxy, so the handshakes the model draws per client connection would not happen` });
    }
  }
  // Scheduled crashes of service replicas and cache losses are injected through the app's faults by
  // the validation harness (validation/measure.ts, validation/cache-loss-validate.ts).
  (s.failures ?? []).forEach((f, i) => {
    const field = `failures[${i}]`;
    if ("crash" in f) {
      // a realtime instance's crash: the run's faults (realtime kill/restart) inject it, as the service's
      if (own(s.components, f.crash)?.kind === "realtime") return;
      if (f.crash !== serviceName) issues.push({ field: `${field}.crash`, reason: `only the service '${serviceName ?? "?"}' can be crashed in the reference app` });
      return;
    }
    // A scheduled cache loss (the model holds `lose` to a cache) is the admin's restart of Redis (killed, started again empty), injected
    // by validation/cache-loss-validate.ts.
    if ("lose" in f) return;
    // A database failover: the launcher's schedule (RunningApp.failover) kills the primary and
    // promotes a replica (the database and its replicas are checked with the database's plan).
    if ("fail_primary" in f) return;
    // A region outage: the launcher's schedule (RunningApp.regions.schedule) stops the region's services.
    if ("region" in f) return;
    issues.push({ field, reason: "random failures (mtbf/mttr) are not realized by the reference app: only scheduled crashes of service replicas ({ at, crash: <service>, replica, restart_after }), database failovers ({ at, fail_primary: <database>, promote_after }), cache losses ({ at, lose: <cache> }) and region outages ({ at, region, for }) are injected" });
  });
}

/** A function as a caller of the database: its dispatcher's one pool, a connection per invocation slot (poolFor). */
export function functionCaller(f: FunctionPlan): Pick<ServicePlan, "name" | "places" | "concurrency" | "calls"> {
  return { name: `${f.name} (dispatcher)`, places: 1, concurrency: f.maxInstances * f.concurrency, calls: f.calls };
}

/** A function's handler: what a service's may hold, less what the dispatcher does not make for its instances. */
function checkFunctionSteps(steps: readonly Step[], field: string, s: Scenario, issues: PlanIssue[]): void {
  const before = issues.length;
  checkSteps(steps, field, s, issues);
  if (issues.length > before) return;
  const walk = (xs: readonly Step[], at: string): void => xs.forEach((step, i) => {
    const f = `${at}[${i}]`;
    const refuse = (what: string) => issues.push({ field: f, reason: `${what} from a function's handler is not realized: the dispatcher makes its instances' calls to the cache and the database only` });
    if ("publish" in step) refuse(`a publish to '${step.publish}'`);
    else if ("call" in step) {
      const kind = own(s.components, step.call)?.kind;
      if (kind !== "cache" && kind !== "database") refuse(`a call to the ${kind} '${step.call}'`);
      walk(step.hit ?? [], `${f}.hit`);
      walk(step.miss ?? [], `${f}.miss`);
    } else if ("branch" in step) step.branch.forEach((b, j) => walk(b.flow, `${f}.branch[${j}].flow`));
    else if ("parallel" in step) step.parallel.forEach((p, j) => walk(p, `${f}.parallel[${j}]`));
  });
  walk(steps, field);
}

/**
 * Sizes on a call to a cache, as Redis carries them (model/payload.ts callSizes; the link relay's
 * RESP framer counts a reply's bulk strings and a command's arguments after its key): a get's
 * `response_size` is the value a hit returns, a set's `request_size` the value it stores, both the
 * cache's `value_size` (what the services pad every value to: one constant). Nothing else has a
 * size in Redis (a GET sends its key, a SET is answered +OK). With the cache's `bandwidth`, every
 * get needs its `response_size`: the model's link carries sized answers only, Redis's every value.
 */
function cacheCallSizes(step: Extract<Step, { call: string }>, c: CacheComponent, f: string, s: Scenario, issues: PlanIssue[]): void {
  const op = step.op;
  const value = c.value_size;
  const asValue = (k: "request_size" | "response_size", what: string) => {
    const d = step[k];
    if (d === undefined) return;
    if (d.dist !== "constant" || d.value !== value) issues.push({ field: `${f}.${k}`, reason: `${what} is the cached value, which the services pad to the cache's value_size (${value} B): give ${k}: ${value}B (a constant), or change value_size` });
  };
  const none = (k: "request_size" | "response_size", why: string) => {
    if (step[k] !== undefined) issues.push({ field: `${f}.${k}`, reason: `a ${op ?? "cache call"} to the cache '${step.call}' carries no ${k === "request_size" ? "request" : "response"} size in Redis: ${why}` });
  };
  if (op === "get") {
    none("request_size", "a GET sends its key only");
    asValue("response_size", "a get's response_size");
    if (c.bandwidth !== undefined && step.response_size === undefined) issues.push({ field: `${f}.response_size`, reason: `the cache '${step.call}' has a bandwidth: give this get its response_size (${value}B, the value a hit returns), as the link carries every value Redis returns and the model only sized answers` });
  } else if (op === "set") {
    asValue("request_size", "a set's request_size");
    // the model puts a set's value on the caller's link: the relay stands on the way to a linked cache only
    const caller = /^components\.([^.]+)\./.exec(f)?.[1];
    const callerLinked = caller !== undefined && (s.components[caller] as { bandwidth?: number } | undefined)?.bandwidth !== undefined;
    if (step.request_size !== undefined && callerLinked && c.bandwidth === undefined) issues.push({ field: `${f}.request_size`, reason: `'${caller}' has a bandwidth and the cache '${step.call}' none: the link relay stands only on the way to a cache with a link, so this value would not cross '${caller}''s link as the model's does (give '${step.call}' a bandwidth, or drop the size)` });
    none("response_size", "Redis answers a SET with +OK");
  } else {
    none("request_size", "it carries a key only");
    none("response_size", "Redis answers it with an integer");
  }
}

/**
 * Sizes on a call to a database, as PostgreSQL carries them (the link relay's pg framer counts an
 * answer's row values): a read's `response_size`, drawn per call, is the product row padded to it
 * (service/db.ts PADDED_READ_SQL; a draw below the row's own values, about 20 B, gives those). A
 * read's request, and a write's request and answer, carry no size the app realizes. With the
 * database's `bandwidth`, every read needs its `response_size`: the model's link carries sized
 * answers only, PostgreSQL every row.
 */
function databaseCallSizes(step: Extract<Step, { call: string }>, c: DatabaseComponent, f: string, issues: PlanIssue[]): void {
  const none = (k: "request_size" | "response_size", why: string) => {
    if (step[k] !== undefined) issues.push({ field: `${f}.${k}`, reason: `a ${step.op ?? "database call"} to the database '${step.call}' carries no ${k === "request_size" ? "request" : "response"} size the app realizes: ${why}` });
  };
  if (step.op === "read") {
    none("request_size", "a read sends its query only");
    if (step.response_size !== undefined && meanOf(step.response_size) > MAX_SIZED_BODY / 4) issues.push({ field: `${f}.response_size`, reason: `sizes above ${MAX_SIZED_BODY / 4 / 2 ** 20} MiB on average are not realized on a read` });
    if (c.bandwidth !== undefined && step.response_size === undefined) issues.push({ field: `${f}.response_size`, reason: `the database '${step.call}' has a bandwidth: give this read its response_size, as the link carries every row PostgreSQL returns and the model only sized answers` });
  } else {
    none("request_size", "a write's parameters are a key and a cost");
    none("response_size", "a write answers no row");
  }
}

function checkSteps(steps: readonly Step[], field: string, s: Scenario, issues: PlanIssue[]): void {
  steps.forEach((step, i) => {
    const f = `${field}[${i}]`;
    if ("visit" in step) {
      issues.push({ field: f, reason: "'visit' steps name abstract stations; a service handler can use service, call, publish, branch, parallel" });
    } else if ("call" in step) {
      const target = own(s.components, step.call);
      // sizes on a call to another service (directly or through its balancer): the caller pads its
      // call's body and asks the callee for an answer of the size it drew (service/peers.ts)
      const sized = target?.kind === "service" || target?.kind === "load_balancer";
      if (target?.kind === "cache") cacheCallSizes(step, target, f, s, issues);
      if (target?.kind === "database") databaseCallSizes(step, target, f, issues);
      for (const k of ["request_size", "response_size"] as const) {
        const size = step[k];
        if (size === undefined || target?.kind === "cache" || target?.kind === "database") continue;
        if (!sized) issues.push({ field: `${f}.${k}`, reason: `sizes on a handler's calls are realized on calls to a service, a load_balancer, a cache or a database only: a call to ${target ? `the ${target.kind} '${step.call}'` : `'${step.call}'`} carries no padded body` });
        else if (meanOf(size) > MAX_SIZED_BODY / 4) issues.push({ field: `${f}.${k}`, reason: `sizes above ${MAX_SIZED_BODY / 4 / 2 ** 20} MiB on average are not realized on a call (the callee reads a body whole, up to ${MAX_SIZED_BODY / 2 ** 20} MiB)` });
      }
      if (!target && own(s.geo, step.call) !== undefined) issues.push({ field: `${f}.call`, reason: `a service calling the geo route '${step.call}' is not realized: only the users' flows start with one (their geo router)` });
      else if (!target) issues.push({ field: `${f}.call`, reason: `no component named '${step.call}'` });
      else if (target.kind === "cache") {
        if (step.op !== "get" && step.op !== "set" && step.op !== "delete") issues.push({ field: `${f}.op`, reason: "a cache call needs op: get | set | delete" });
      } else if (target.kind === "database") {
        if (step.op !== "read" && step.op !== "write") issues.push({ field: `${f}.op`, reason: "a database call needs op: read | write" });
      } else if (target.kind === "realtime") {
        // a server-side publish to a channel drawn by popularity (realtime/publish.ts)
        if (step.op !== undefined) issues.push({ field: `${f}.op`, reason: `a call to the realtime component '${step.call}' takes no op` });
      } else if (target.kind === "service" || target.kind === "load_balancer" || target.kind === "function") {
        // another service, directly or through its balancer, or a function's dispatcher: an HTTP call to it for the same class
        if (step.op !== undefined) issues.push({ field: `${f}.op`, reason: `a call to the ${target.kind} '${step.call}' takes no op` });
      } else issues.push({ field: `${f}.call`, reason: `a handler can call a cache, a database, a service, a load_balancer, a function or a realtime component, not a ${target.kind}` });
      checkSteps(step.hit ?? [], `${f}.hit`, s, issues);
      checkSteps(step.miss ?? [], `${f}.miss`, s, issues);
    } else if ("publish" in step) {
      if (own(s.components, step.publish)?.kind !== "queue") issues.push({ field: `${f}.publish`, reason: `'${step.publish}' is not a queue component` });
    } else if ("branch" in step) {
      step.branch.forEach((b, j) => checkSteps(b.flow, `${f}.branch[${j}].flow`, s, issues));
    } else if ("parallel" in step) {
      step.parallel.forEach((p, j) => checkSteps(p, `${f}.parallel[${j}]`, s, issues));
    }
  });
}

/** The columns (besides id) that reads of database `db` query `by`, in the order they first appear. */
function queriedColumns(s: Scenario, db: string): string[] {
  const cols: string[] = [];
  const walk = (steps: readonly Step[]): void => {
    for (const st of steps) {
      if ("call" in st) {
        if (st.call === db && st.op !== "write" && st.by !== undefined && st.by !== "id" && !cols.includes(st.by)) cols.push(st.by);
        walk(st.hit ?? []);
        walk(st.miss ?? []);
      } else if ("branch" in st) for (const b of st.branch) walk(b.flow);
      else if ("parallel" in st) for (const f of st.parallel) walk(f);
    }
  };
  for (const cl of Object.values(s.load.classes)) walk(cl.flow);
  for (const c of Object.values(s.components)) {
    if (c.kind === "service") for (const f of Object.values(c.handlers ?? {})) walk(f);
    if (c.kind === "queue") walk(c.handler ?? []);
    if (c.kind === "function") for (const f of Object.values(c.handlers ?? {})) walk(f);
  }
  return cols;
}
