// Starts the real system a scenario describes, as one scoped Effect: plan and preflight first (so an
// unrealizable scenario or a missing binary fails before anything starts), then database, cache,
// broker queues, every service's replicas, workers, a dispatcher per function, a realtime component's
// WebSocket servers (with their Redis backbone and HAProxy front), a HAProxy per balancer, nginx, the
// users' resilience gateway when the entry service retries or breaks, the collector and the admin endpoint.
// Every part is a scoped resource, released in reverse order on success, failure or interruption.
// `startApp` is the Effect; `startAppPromise` wraps it for callers outside Effect.
import { Cause, Effect, Exit, FiberRef, Scope } from "effect";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { StartFailed, Unrealizable, type AppError, type PortsExhausted } from "./errors.ts";
import { planApp, poolFor, portsNeeded, type AppPlan, type ServicePlan } from "./plan.ts";
import type { CircuitBreakerSpec, RetriesSpec, Scenario } from "../simulator/model/index.ts";
import { preflight } from "./preflight.ts";
import { runDir, freePort, portAllocator, reaper } from "./resources.ts";
import { startPostgres, type PgCluster } from "./parts/postgres.ts";
import { PgFailover, type FailoverEvent } from "./parts/pg-failover.ts";
import { startBackboneRedis, startRedis, type BackbonePart, type RedisPart } from "./parts/redis.ts";
import { startWsHaproxy } from "./parts/haproxy-ws.ts";
import { brokerAccess, brokerConnection, declareQueue, redactUrl } from "./parts/rabbitmq.ts";
import { declarePartitions } from "./parts/partitions.ts";
import { startNodeProc } from "./parts/node-procs.ts";
import { runCertificate } from "./parts/tls-cert.ts";
import { startHaproxy, enableServer, drainServer, haproxyCommand, type HaproxyPart } from "./parts/haproxy.ts";
import { startNginx } from "./parts/nginx.ts";
import { startCollector, type Sample } from "./collector.ts";
import { startAdmin, BadTarget, type Faults } from "./admin.ts";
import type { FunctionConfig, GatewayConfig, QueueNames, RealtimeConfig, ServiceConfig, WorkerConfig } from "./config.ts";
import { PoolScaler, type InstanceCount, type ScalingEvent } from "./scaling.ts";
import { scaledPools } from "./scaled-pools.ts";
import { sumMetrics } from "./prom.ts";
import type { TracingConfig } from "./tracing.ts";
import { startReceiver } from "./otlp-receiver.ts";
import { startEdgeRelay, startGeoRouters, startRelayRoutes, type GeoRouter, type RelayRoutes } from "./regions/start.ts";
import { peerKey, startRunLinks } from "./parts/link-relay-proc.ts";
import type { LinkReport } from "./parts/link-relay.ts";

export interface AppOptions {
  /** Keep logs and the time series here (created if missing); default: a temp dir removed at the end. */
  readonly runDir?: string;
  /** The scenario's file, for error messages. */
  readonly file?: string;
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Default AMQP_URL, else amqp://guest:guest@127.0.0.1:5672. */
  readonly amqpUrl?: string;
  /** Called as each part becomes ready (the CLI prints it). */
  readonly onProgress?: (part: string) => void;
  /** Where every part gets its TCP port (default: a free ephemeral port of 127.0.0.1); for tests. */
  readonly ports?: Effect.Effect<number, PortsExhausted>;
  /**
   * Append the replicas' and workers' traces to this file (OTLP/JSON lines), received over OTLP/HTTP
   * on an ephemeral port of 127.0.0.1 with the run's token (reference-app/tracing.ts). Default: no tracing.
   */
  readonly traces?: string;
}

export interface RunningApp {
  readonly runId: string;
  readonly runDir: string;
  readonly token: string;
  readonly plan: AppPlan;
  /** Where clients send each request class (the CDN for classes routed through it, else the balancer). */
  readonly classUrl: Readonly<Record<string, string>>;
  /** Where clients enter: the resilience gateway, else the rate-limit gateway, else the balancer (or the single replica). */
  readonly url: string;
  /**
   * The users' resilience gateway (gateway/gateway.ts), when the entry service has `retries` or a
   * `circuit_breaker`: it sends every request to `upstream` (where clients entered without it)
   * through one ResilientCaller; /metrics and /_headroom/gateway count calls, retries, short-circuits.
   */
  readonly resilienceGateway?: { readonly url: string; readonly upstream: string; readonly metricsUrl: string; readonly pid: number };
  /** HAProxy's URL, when the scenario has a load balancer (behind the gateway when rate-limited); https when it terminates TLS. */
  readonly lbUrl?: string;
  /** The run's CA certificate when the balancer terminates TLS: the one root a client of `url` trusts (removed with the run). */
  readonly caFile?: string;
  readonly cdnUrl?: string;
  readonly adminUrl: string;
  /** The entry service's replicas (the one clients reach; faults and the auto-scaler act on it). */
  readonly services: readonly { readonly name: string; readonly url: string }[];
  /** Every service's replicas by service name, the entry's included: each its own pool of processes. */
  readonly tiers: Readonly<Record<string, readonly { readonly name: string; readonly url: string }[]>>;
  /**
   * The realtime component (plan.realtime): clients connect to `url` (HAProxy's WebSocket front,
   * ws://127.0.0.1:PORT/ws?channel=N); each instance serves /metrics on its own port.
   */
  readonly realtime?: {
    readonly name: string;
    readonly url: string;
    readonly instances: readonly { readonly name: string; readonly url: string }[];
    readonly metricsUrls: readonly string[];
    readonly haproxyStatsSocket: string;
    readonly backbonePort: number;
    /** The backbone Redis's per-run password (the test reads its own service time from INFO commandstats). */
    readonly backbonePassword: string;
  };
  /**
   * The components' egress links (plan.links), realized by the link relay: its figures per link
   * (transfers, bytes, busy share, mean transfer time, how late its releases were) since the start
   * or the last reset.
   */
  readonly links?: {
    readonly pid: number;
    report(): Promise<LinkReport[]>;
    reset(): Promise<void>;
  };
  /** Every balancer's URL by component name (the entry's is also lbUrl). */
  readonly balancerUrls: Readonly<Record<string, string>>;
  readonly workers: readonly { readonly name: string; readonly queue: string; readonly url: string }[];
  /** The /metrics URLs of the entry service's replicas and the workers (what validation adds up). */
  readonly metricsUrls: readonly string[];
  /** Per service, its replicas' /metrics URLs. */
  readonly serviceMetricsUrls: Readonly<Record<string, readonly string[]>>;
  /** Every function's dispatcher (function/main.ts) by component name: where services call it, and its /metrics. */
  readonly functions: Readonly<Record<string, { readonly url: string; readonly metricsUrl: string }>>;
  /** user/password: the services' role (no superuser) and its per-run password; kept out of run.json. */
  readonly db?: DbAccess;
  /** Every shard's servers (the first is `db`); one entry when the database is not sharded. Passwords kept out of run.json. */
  readonly dbShards: readonly DbAccess[];
  /** The first cache's Redis (the one the collector samples and the cache faults act on). */
  readonly redisPort?: number;
  /** Every cache's Redis port, by cache name. */
  readonly redisPorts: Readonly<Record<string, number>>;
  /** The cache's per-run password (requirepass); kept out of run.json. */
  readonly redisPassword?: string;
  readonly haproxyStatsSocket?: string;
  /** The run's broker URL: its own user, per-run password and vhost where rabbitmqctl allowed; redacted in run.json. */
  readonly amqpUrl: string;
  readonly queues: Readonly<Record<string, QueueNames>>;
  readonly timeseriesPath: string;
  readonly faults: Faults;
  /** The auto-scaler of the entry service, when it has `autoscaling` (the same as scalers[plan.service.name]). */
  readonly scaling?: ScalerView;
  /**
   * Every auto-scaled service's scaler by service name (scaled-pools.ts): one per pool behind a
   * balancer of its own, the entry's included; {} when no service has `autoscaling`.
   */
  readonly scalers: Readonly<Record<string, ScalerView>>;
  /**
   * The scenario's regions (regions/start.ts): where each origin region's users enter (its geo
   * router), the relay's routes that carry every crossing, and outages of a whole region.
   */
  readonly regions?: {
    /** Per origin region of the users: the URL of its geo router (requests from there enter here). */
    readonly originUrls: Readonly<Record<string, string>>;
    /** With a CDN, per origin region of the users: the URL of the edge's server for them (its misses go to their geo router). */
    readonly cdnUrls?: Readonly<Record<string, string>>;
    readonly geoRouters: readonly GeoRouter[];
    /** The relay's pid (0: nothing crosses) and its routes. */
    readonly relayPid: number;
    readonly routes: RelayRoutes["routes"];
    /** The links between regions (`regions.<a>.bandwidth.<b>`) the relay's routes cross, each way, and their figures. */
    readonly links?: RelayRoutes["links"];
    /**
     * A region outage: every relay route into it cut (no crossing reaches its services, balancers,
     * cache, database or broker), every replica of its services and every worker of its queues
     * killed (its balancers then have no server).
     */
    down(region: string): Promise<void>;
    /** The region back: its cache flushed (cold, as in the model), its routes restored, its processes started again (ready when each answers /healthz). */
    up(region: string): Promise<void>;
    /** Runs the YAML's `failures: - { region, at, for }` from `startMs` (the load's t = 0). */
    schedule(startMs: number, onError?: (e: unknown) => void): void;
  };
  /** Takes one collector sample now and appends it to the time series. */
  sample(): Promise<Sample>;
  /** The database's failovers (when it has replicas): on demand (faults.failPrimary/promote) or on the YAML's schedule. */
  readonly failover?: {
    readonly events: readonly FailoverEvent[];
    /** The shard's primary now (undefined between its failure and the promotion). */
    primaryPort(shard: number): number | undefined;
    /** The ports of the forwarders that put the replication lag on the wire (parts/wal-delay.ts). */
    wirePorts(): number[];
    /**
     * Runs the YAML's `failures: - { at, fail_primary, shard, promote_after }` from `startMs`
     * (Date.now() of the load's first request: the simulator's t = 0): the kill at `at`, the
     * promotion `promote_after` later. Errors go to onError.
     */
    schedule(startMs: number, onError?: (e: unknown) => void): void;
  };
}

/** One auto-scaled pool's scaler (scaling.ts) as a run shows it. */
export interface ScalerView {
  /** Every place's base URL (place i at index i - 1), standby places included: a place that is off answers nothing. */
  readonly urls: readonly string[];
  readonly events: readonly ScalingEvent[];
  readonly evaluations: ReadonlyArray<{ t: number; value: number; serving: number }>;
  instances(): InstanceCount;
  /** Restarts the evaluation clock now (the validation harness calls it as the load starts). */
  begin(): void;
}

/** One PostgreSQL cluster's servers and the services' role on it (no superuser) with its per-run password. */
export interface DbAccess {
  readonly database: string;
  readonly primaryPort: number;
  readonly replicaPorts: readonly number[];
  readonly user: string;
  readonly password: string;
  /** The gates the app connects through (parts/pgbouncer.ts), primary's then replicas', when the model's max_connections can bind. */
  readonly gatePorts?: readonly number[];
}

/** `relayPorts` on a database config when some of its servers are reached through the region relay. */
const withVia = (m: Record<string, number> | undefined): { relayPorts?: Record<string, number> } => (m ? { relayPorts: m } : {});

const dbAccess = (c: PgCluster): DbAccess => ({
  database: c.endpoints.database,
  primaryPort: c.primary.port,
  replicaPorts: c.replicas.map((r) => r.port),
  user: c.endpoints.user,
  password: c.endpoints.password,
  ...(c.endpoints.primary !== c.primary.port ? { gatePorts: [c.endpoints.primary, ...c.endpoints.replicas] } : {}),
});

export const startApp = (scenario: Scenario, opts: AppOptions = {}): Effect.Effect<RunningApp, AppError, Scope.Scope> =>
  Effect.gen(function* () {
    const file = opts.file ?? "scenario";
    const planned = planApp(scenario);
    if (!planned.ok) {
      const [first, ...rest] = planned.issues;
      return yield* Effect.fail(
        new Unrealizable({
          file,
          field: first!.field,
          reason: first!.reason + rest.map((i) => `\n${file}: ${i.field}: ${i.reason}`).join(""),
        }),
      );
    }
    const plan: AppPlan = opts.seed !== undefined ? { ...planned.plan, seed: opts.seed } : planned.plan;
    const tools = yield* preflight(plan, opts.amqpUrl ?? process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672");
    const progress = opts.onProgress ?? (() => {});
    // Every port the run needs is taken before anything starts, so an exhausted range fails here;
    // the parts then get these (in the order they ask: database, cache, replicas, workers, HAProxy,
    // nginx, admin) through the run's allocator.
    // (the allocator in force before this run's: `freePort` itself would, once the run's is set and
    // its reserve spent, ask the run's allocator again, forever)
    const allocate = opts.ports ?? (yield* FiberRef.get(portAllocator));
    const reserved = yield* Effect.forEach(Array.from({ length: portsNeeded(plan) }), () => allocate);
    yield* Effect.locallyScoped(
      portAllocator,
      Effect.suspend(() => (reserved.length > 0 ? Effect.succeed(reserved.shift()!) : allocate)),
    );

    const dir = yield* runDir(opts.runDir);
    progress(`run dir ${dir.path}`);
    const watchdog = yield* reaper(dir);
    const token = randomBytes(24).toString("hex");
    const runId = `${plan.name.replace(/[^a-z0-9-]/g, "-")}-${randomBytes(4).toString("hex")}`;
    // Acquired before the replicas and workers, so it is released after them: their last spans,
    // flushed as they stop, still reach the file.
    const traceReceiver = opts.traces === undefined ? undefined : yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => startReceiver(opts.traces!, token), catch: (e) => new StartFailed({ part: "trace receiver", reason: String(e) }) }),
      (r) => Effect.promise(() => r.close()),
    );
    if (traceReceiver) progress(`trace receiver ${traceReceiver.url} -> ${opts.traces}`);
    const tracing = (serviceName: string, instanceId: string): TracingConfig | undefined =>
      traceReceiver ? { endpoint: traceReceiver.url, token, serviceName, instanceId } : undefined;

    // One cluster per shard (the first is the database's when it has one shard); two at a time,
    // as initdb and pg_basebackup are mostly waiting on the disk and the child processes.
    const pgShards: PgCluster[] = plan.db
      ? yield* Effect.forEach(
          Array.from({ length: plan.db.shards }, (_, i) => i),
          (i) =>
            Effect.tap(startPostgres(plan.db!, dir.path, tools, i), (c) =>
              Effect.sync(() => progress(`postgres ${plan.db!.shards > 1 ? `shard ${i} ` : ""}primary 127.0.0.1:${c.primary.port}` + c.replicas.map((r) => `, ${r.label} 127.0.0.1:${r.port}`).join("") +
                (plan.db!.gate ? `; max_connections ${plan.db!.gate.size} gated by pgbouncer on 127.0.0.1:${[c.endpoints.primary, ...c.endpoints.replicas].join(", ")}` : ""))),
            ),
          { concurrency: 2 },
        )
      : [];
    const pgCluster: PgCluster | undefined = pgShards[0];
    // A Redis per cache; `redis` is the first's (the collector samples it, the cache faults act on it).
    const redisOf = new Map<string, RedisPart>();
    for (const k of plan.caches) {
      // every replica of a service that calls it and every queue worker holds a connection, and so does the collector
      const users = plan.services.filter((p) => p.calls.includes(k.name));
      const clients = users.reduce((a, p) => a + p.replicas, 0) + plan.queues.reduce((a, q) => a + q.workers, 0) + 1;
      const part = yield* startRedis(k, dir.path, tools, clients);
      redisOf.set(k.name, part);
      progress(`redis ${plan.caches.length > 1 ? `${k.name} ` : ""}127.0.0.1:${part.port} (maxmemory ${part.maxmemory} B: ${part.held} keys of ${k.capacity} held when sized, about ${part.bytesPerKey} B each)`);
    }
    const redis: RedisPart | undefined = plan.cache ? redisOf.get(plan.cache.name) : undefined;
    // the cache a service or function calls (a process calls at most one: plan.ts)
    const cacheFor = (calls: readonly string[]) => {
      const k = plan.caches.find((c) => calls.includes(c.name));
      return k ? { plan: k, part: redisOf.get(k.name)! } : undefined;
    };
    // The realtime component's pub/sub backbone: a Redis of its own, before the services that publish to it.
    let backbone: BackbonePart | undefined;
    if (plan.realtime) {
      backbone = yield* startBackboneRedis(plan.realtime.name, dir.path, tools);
      progress(`redis ${plan.realtime.name} backbone 127.0.0.1:${backbone.port} (pub/sub only)`);
    }
    // The run's own vhost and user on the broker, when rabbitmqctl allows (see parts/rabbitmq.ts).
    let amqpUrl = tools.amqpUrl;
    if (plan.queues.length) {
      const access = yield* brokerAccess(tools.amqpUrl, runId, tools.rabbitmqctl, (name) => watchdog.tell(`rabbitmq ${tools.rabbitmqctl} ${name}`));
      amqpUrl = access.url;
      progress(access.vhost ? `rabbitmq vhost ${access.vhost} (its own user, per-run password)` : `rabbitmq shared vhost of ${redactUrl(amqpUrl)} (${access.shared})`);
    }
    watchdog.tell(`amqp ${amqpUrl}`);
    const broker = plan.queues.length ? yield* brokerConnection(amqpUrl) : undefined;
    const queues: Record<string, QueueNames> = {};
    for (const q of plan.queues) {
      if (q.partitions !== undefined) {
        const p = yield* declarePartitions(broker!, runId, { ...q, partitions: q.partitions }, (n) => [...n.partitions, n.dlq].forEach((name) => watchdog.tell(`queue ${name}`)));
        queues[q.name] = { queue: p.partitions[0]!, dlq: p.dlq, partitions: p.partitions };
        progress(`queue ${q.name}: ${p.partitions.length} partitions ${p.partitions[0]}..${p.partitions.length - 1} (dead letters: ${p.dlq})`);
        continue;
      }
      queues[q.name] = yield* declareQueue(broker!, runId, q, (n) => {
        watchdog.tell(`queue ${n.queue}`);
        watchdog.tell(`queue ${n.dlq}`);
      });
      progress(`queue ${q.name}: ${queues[q.name]!.queue} (dead letters: ${queues[q.name]!.dlq})`);
    }

    const dbConfig = plan.db && pgCluster ? { ...plan.db, endpoints: pgCluster.endpoints, shardEndpoints: pgShards.map((c) => c.endpoints) } : undefined;
    // Every service place's port and every balancer's, taken before any starts: a caller's config
    // names the addresses of the services it calls.
    const portsOf = new Map<string, number[]>();
    for (const sp of plan.services) {
      const ports: number[] = [];
      // One port and config per replica place: an auto-scaled pool prepares its maximum, runs its start count.
      for (let i = 0; i < sp.places; i++) ports.push(yield* freePort);
      portsOf.set(sp.name, ports);
    }
    const lbPorts = new Map<string, number>();
    for (const b of plan.balancers) lbPorts.set(b.name, yield* freePort);
    const fnPorts = new Map<string, number>();
    for (const f of plan.functions) fnPorts.set(f.name, yield* freePort);
    const servicePorts = portsOf.get(plan.service.name)!;
    // Regions: a component as its callers reach it (a balancer's port, else its running replicas';
    // a database's servers, the cache's, the broker of a queue), and the relay carrying every
    // crossing between regions, started before the callers.
    const brokerAt = new URL(amqpUrl);
    const brokerPort = Number(brokerAt.port || 5672);
    const reachedOn = (c: string): number[] => {
      if (lbPorts.has(c)) return [lbPorts.get(c)!];
      if (redisOf.has(c)) return [redisOf.get(c)!.port];
      // the ports the app connects on: the servers', or their gates' (parts/pgbouncer.ts)
      if (plan.db?.name === c) return pgShards.flatMap((x) => [x.endpoints.primary, ...x.endpoints.replicas]);
      if (plan.queues.some((q) => q.name === c)) return [brokerPort];
      return (portsOf.get(c) ?? []).slice(0, plan.services.find((p) => p.name === c)?.replicas ?? 0);
    };
    const hostOf = (c: string) => (plan.queues.some((q) => q.name === c) ? brokerAt.hostname : "127.0.0.1");
    const relay: RelayRoutes | undefined = plan.regions ? yield* startRelayRoutes(plan.regions, reachedOn, plan.seed, dir.path, progress, hostOf) : undefined;
    // A call from a service (or a queue's consumer) of one region to another region's service,
    // balancer, cache, database or broker goes through its relay route.
    const via = (caller: string, port: number) => (relay ? relay.portFor(plan.regions!.regionOf[caller], port) : port);
    // The database's servers as `caller` reaches them: each real port to the port it connects on (only those that differ).
    const dbVia = (caller: string): Record<string, number> | undefined => {
      // a database with a link (no regions then): each server to its link relay route, in the servers' order
      const routed = runLinks?.peers.get(peerKey(caller, plan.db?.name ?? ""));
      if (routed) return Object.fromEntries(pgShards.flatMap((x) => [x.endpoints.primary, ...x.endpoints.replicas]).map((p, i) => [String(p), routed[i]!]));
      const m = Object.fromEntries(pgShards.flatMap((x) => [x.endpoints.primary, ...x.endpoints.replicas]).filter((p) => via(caller, p) !== p).map((p) => [String(p), via(caller, p)]));
      return Object.keys(m).length ? m : undefined;
    };
    // The broker as `caller` reaches it: its URL with the relay's address when its queues are in another region.
    const amqpVia = (caller: string): string => {
      const p = via(caller, brokerPort);
      if (p === brokerPort) return amqpUrl;
      const u = new URL(amqpUrl);
      u.hostname = "127.0.0.1";
      u.port = String(p);
      return u.toString();
    };
    // The components' egress links (plan.links): the link relay on their paths (link-routes.ts),
    // listening before the callers it stands between start (HAProxy's servers and the services'
    // peers point at its routes).
    const dbServers = pgShards.flatMap((x) => [x.endpoints.primary, ...x.endpoints.replicas]);
    const runLinks = yield* startRunLinks(plan, (c, place) => lbPorts.get(c) ?? redisOf.get(c)?.port ?? (plan.db?.name === c ? dbServers[place]! : portsOf.get(c)![place]!), dir.path, progress);
    const peersOf = (sp: ServicePlan): Record<string, string[]> | undefined => {
      const peers: Record<string, string[]> = Object.create(null);
      for (const c of sp.calls) {
        const lbPort = lbPorts.get(c) ?? fnPorts.get(c);
        const callee = plan.services.find((p) => p.name === c);
        const routed = runLinks?.peers.get(peerKey(sp.name, c));
        if (routed) peers[c] = routed.map((p) => `http://127.0.0.1:${p}`);
        else if (lbPort !== undefined) peers[c] = [`http://127.0.0.1:${via(sp.name, lbPort)}`];
        else if (callee) peers[c] = portsOf.get(c)!.slice(0, callee.replicas).map((p) => `http://127.0.0.1:${via(sp.name, p)}`);
      }
      return Object.keys(peers).length ? { ...peers } : undefined;
    };
    // The called service behind each target (itself, or a balancer's backends) when it has retries
    // or a breaker: the model's callers apply them, so the caller's process runs them.
    const peerResilienceOf = (sp: ServicePlan): ServiceConfig["peerResilience"] => {
      const out: Record<string, { service: string; spec: { retries?: RetriesSpec; circuit_breaker?: CircuitBreakerSpec; timeout?: number } }> = Object.create(null);
      for (const c of sp.calls) {
        const viaLb = plan.balancers.find((b) => b.name === c);
        const callee = plan.services.find((p) => p.name === (viaLb ? viaLb.backends : c));
        if (callee?.resilience) out[c] = { service: callee.name, spec: { ...callee.resilience, timeout: callee.timeout } };
      }
      return Object.keys(out).length ? { ...out } : undefined;
    };
    const startService = (sp: ServicePlan) => portsOf.get(sp.name)!.map((port, i) => {
      const cfg: ServiceConfig = {
        role: "service",
        index: i + 1,
        port,
        seed: plan.seed,
        service: sp,
        classes: plan.classes,
        // a cache with a link: through the link relay's route (link-routes.ts)
        // with a connection per slot, so its replies share the link as the model's (config.ts)
        cache: ((k) => {
          if (!k) return undefined;
          const route = runLinks?.peers.get(peerKey(sp.name, k.plan.name))?.[0];
          return { ...k.plan, port: route ?? via(sp.name, k.part.port), password: k.part.password, ...(route !== undefined ? { connections: sp.concurrency } : {}) };
        })(cacheFor(sp.calls)),
        db: dbConfig && sp.calls.includes(dbConfig.name) ? { ...dbConfig, pool: poolFor(dbConfig, sp.concurrency), modelPool: dbConfig.pool !== undefined, ...withVia(dbVia(sp.name)) } : undefined,
        queues: plan.queues.filter((q) => sp.calls.includes(q.name)).map((q) => ({ ...q, names: queues[q.name]! })),
        amqpUrl: amqpVia(sp.name),
        peers: peersOf(sp),
        peerResilience: peerResilienceOf(sp),
        productKeys: plan.db?.keys,
        cdnTtl: plan.cdn?.ttl,
        tracing: tracing(sp.name, `${sp.name}-${i + 1}`),
        // a database failover tells the service on POST /admin/db (parts/pg-failover.ts)
        token: dbConfig && sp.calls.includes(dbConfig.name) ? token : undefined,
        realtime: plan.realtime && backbone && sp.calls.includes(plan.realtime.name)
          ? { name: plan.realtime.name, channels: plan.realtime.channels, redis: { port: backbone.port, password: backbone.password } }
          : undefined,
      };
      return startNodeProc(`${sp.name}-${i + 1}`, cfg, dir.path, { standby: i >= sp.replicas });
    });
    const serviceStarts = startService(plan.service);
    const otherStarts = plan.services.slice(1).map((sp) => Effect.all(startService(sp), { concurrency: "unbounded" }));

    const workerSpecs: Array<{ queue: string; cfg: WorkerConfig; name: string }> = [];
    for (const q of plan.queues) {
      for (let i = 0; i < q.workers; i++) {
        const port = yield* freePort;
        workerSpecs.push({
          queue: q.name,
          name: `worker-${q.name}-${i + 1}`,
          cfg: {
            // A partitioned queue's worker i consumes partition i.
            // its database through the relay when the queue's region is another than the database's
            role: "worker", index: i + 1, port, token, seed: plan.seed, db: dbConfig ? { ...dbConfig, ...withVia(dbVia(q.name)) } : undefined, amqpUrl,
            queue: { ...q, names: q.partitions !== undefined ? { ...queues[q.name]!, queue: queues[q.name]!.partitions![i]! } : queues[q.name]! },
            tracing: tracing(`${q.name}-worker`, `worker-${q.name}-${i + 1}`),
          },
        });
      }
    }
    const realtimeSpecs: Array<{ name: string; cfg: RealtimeConfig }> = [];
    if (plan.realtime && backbone) {
      for (let i = 0; i < plan.realtime.instances; i++) {
        const port = yield* freePort;
        realtimeSpecs.push({
          name: `${plan.realtime.name}-${i + 1}`,
          cfg: { role: "realtime", index: i + 1, port, seed: plan.seed, realtime: plan.realtime, redis: { port: backbone.port, password: backbone.password } },
        });
      }
    }
    const realtimeStarts = realtimeSpecs.map((r) => startNodeProc(r.name, r.cfg, dir.path));
    const workerStarts = workerSpecs.map((w) => Effect.map(startNodeProc(w.name, w.cfg, dir.path), (part) => ({ ...part, queue: w.queue })));
    // A dispatcher per function: its own process (and process group, with the instances it forks),
    // ready once its provisioned instances started.
    // Its handlers' calls to the cache and the database go out from the dispatcher (one pool, a connection per invocation slot).
    const functionStarts = plan.functions.map((f) => startNodeProc(`function-${f.name}`, {
      role: "function", port: fnPorts.get(f.name)!, seed: plan.seed, fn: f,
      cache: ((k) => (k ? { ...k.plan, port: k.part.port, password: k.part.password } : undefined))(cacheFor(f.calls)),
      db: dbConfig && f.calls.includes(dbConfig.name) ? { ...dbConfig, pool: poolFor(dbConfig, f.maxInstances * f.concurrency), modelPool: dbConfig.pool !== undefined } : undefined,
    } satisfies FunctionConfig, dir.path));
    // Replicas, workers and dispatchers start together: each is a Node process whose start-up is mostly waiting.
    const [services, workers, others, fns, rtInstances] = yield* Effect.all(
      [
        Effect.all(serviceStarts, { concurrency: "unbounded" }),
        Effect.all(workerStarts, { concurrency: "unbounded" }),
        Effect.all(otherStarts, { concurrency: "unbounded" }),
        Effect.all(functionStarts, { concurrency: "unbounded" }),
        Effect.all(realtimeStarts, { concurrency: "unbounded" }),
      ],
      { concurrency: "unbounded" },
    );
    for (const [i, f] of plan.functions.entries()) {
      progress(`function ${f.name}: dispatcher 127.0.0.1:${fns[i]!.port} (${f.provisioned} provisioned, up to ${f.maxInstances} x ${f.concurrency}, idle ${f.idleTimeout} s, ${f.onThrottle === "queue" ? "queued" : "429"} beyond)`);
    }
    const functionUrls = Object.fromEntries(plan.functions.map((f, i) => [f.name, { url: `http://127.0.0.1:${fns[i]!.port}`, metricsUrl: `http://127.0.0.1:${fns[i]!.port}/metrics` }]));
    // Every place of each service (an auto-scaled pool's standby places too), and the ones running at the start.
    const tiersAll = Object.fromEntries(plan.services.map((sp, i) => [sp.name, i === 0 ? services : others[i - 1]!]));
    const tiers = Object.fromEntries(plan.services.map((sp) => [sp.name, tiersAll[sp.name]!.slice(0, sp.replicas)]));
    for (const sp of plan.services.slice(1)) {
      progress(`${sp.name}: ${sp.replicas} replica(s) on ${tiers[sp.name]!.map((s) => `127.0.0.1:${s.port}`).join(", ")}` +
        (sp.places > sp.replicas ? ` (+${sp.places - sp.replicas} standby place(s) for the auto-scaler)` : ""));
    }
    const started = services.slice(0, plan.service.replicas);
    progress(`${plan.service.name}: ${started.length} replica(s) on ${started.map((s) => `127.0.0.1:${s.port}`).join(", ")}` +
      (services.length > started.length ? ` (+${services.length - started.length} standby place(s) for the auto-scaler)` : ""));
    if (workers.length) progress(`workers: ${workers.map((w) => `${w.name} 127.0.0.1:${w.port}`).join(", ")}`);

    let lb: HaproxyPart | undefined;
    const lbParts = new Map<string, HaproxyPart>();
    let runCa: string | undefined;
    for (const b of plan.balancers) {
      const backend = plan.services.find((p) => p.name === b.backends)!;
      const entry = b === plan.lb;
      // TLS at the entry balancer (plan.ts refuses it elsewhere): the run's own certificate
      const cert = entry && b.tls ? yield* runCertificate(dir.path, tools.openssl, b.tls.key) : undefined;
      if (cert) runCa = cert.caFile;
      const part = yield* startHaproxy(b, runLinks?.servers.get(b.name) ?? portsOf.get(backend.name)!, dir.path, tools, backend.timeout, backend.replicas, entry ? "haproxy" : `haproxy-${b.name}`, lbPorts.get(b.name), cert?.pem);
      if (entry) lb = part;
      lbParts.set(b.name, part);
      progress(b.implicit
        ? `haproxy 127.0.0.1:${part.port} -> ${backend.name}: ${backend.replicas} replica(s), round robin (no balancer in the YAML: the clients' own round robin, as the model reads it)`
        : `haproxy${entry ? "" : ` ${b.name}`} 127.0.0.1:${part.port} -> ${backend.name}: ${backend.replicas} replica(s), ${b.algorithm}${b.health ? "" : ", no health checks"}` +
          (cert ? `, TLS (the run's certificate, ${b.tls!.key}; session resumption ${b.tls!.resumption ? "on" : "off"}; clients trust ${cert.caFile})` : ""));
    }
    // The realtime servers' WebSocket front (mode http, upgrade, timeout tunnel).
    let wsFront: { port: number; statsSocket: string } | undefined;
    if (plan.realtime) {
      const rt = plan.realtime;
      wsFront = yield* startWsHaproxy(rt, rtInstances.map((p) => p.port), dir.path, tools);
      progress(`haproxy ${rt.name} ws://127.0.0.1:${wsFront.port}/ws?channel=N -> ${rt.instances} WebSocket server(s) on ${rtInstances.map((p) => `127.0.0.1:${p.port}`).join(", ")}` +
        ` (${rt.balance}, ${rt.maxConnections} connections each${rt.memory !== undefined ? `, memory ${rt.memory} B as the model counts it` : ""})`);
    }
    // A rate-limited balancer: clients enter through an nginx gateway (limit_req, 429) in front of HAProxy.
    let gatewayUrl: string | undefined;
    if (plan.lb?.rateLimit && lb) {
      const gw = yield* startNginx({ kind: "gateway", limit: plan.lb.rateLimit }, [lb.port], dir.path, tools);
      gatewayUrl = `http://127.0.0.1:${gw.port}`;
      progress(`nginx rate-limit gateway ${gatewayUrl} -> haproxy (limit_req ${plan.lb.rateLimit.nginxRate} burst ${plan.lb.rateLimit.nginxBurst}: a bucket of ${plan.lb.rateLimit.burst}, 429)`);
    }

    // One scaler per auto-scaled pool, each acting on its own balancer's HAProxy (scaled-pools.ts).
    // The entry's logs to logs/autoscaler.log, another pool's to logs/autoscaler-<service>.log.
    const scalers = new Map<string, PoolScaler>();
    for (const pool of scaledPools(plan)) {
      const sp = pool.service;
      const a = pool.scaling;
      const part = lbParts.get(pool.balancer.name);
      if (!part) return yield* Effect.fail(new StartFailed({ part: `autoscaler of ${sp.name}`, reason: `its balancer ${pool.balancer.name} did not start` }));
      const places = tiersAll[sp.name]!;
      const socket = part.statsSocket;
      const entry = sp.name === plan.service.name;
      // The longest a drain waits for in-flight requests: the service's timeout (plus the balancer's
      // queue timeout), else a minute; then the replica is stopped anyway.
      const drainMs = ((sp.timeout ?? 55) + (pool.balancer.queueTimeout ?? 5)) * 1000;
      const bootTimers = new Set<NodeJS.Timeout>();
      const logFile = join(dir.path, "logs", entry ? "autoscaler.log" : `autoscaler-${sp.name}.log`);
      const log = (line: string) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
      const s = new PoolScaler(a, sp.concurrency, places.length, sp.replicas, {
        read: async (place) => {
          try {
            const r = await fetch(`http://127.0.0.1:${places[place - 1]!.port}/metrics`, { signal: AbortSignal.timeout(Math.max(500, a.interval * 500)) });
            if (!r.ok) return null;
            const m = sumMetrics(await r.text());
            return { busySeconds: m.get("headroom_slots_busy_seconds") ?? 0, requests: m.get("headroom_http_requests_total") ?? 0 };
          } catch {
            return null;
          }
        },
        boot: async (place) => {
          // The model's `boot` is the time from the decision to serving: the real start (process
          // spawned, /healthz answers) plus an injected wait for the rest; a real start longer than
          // `boot` makes the app's boot that long (the log says by how much).
          const t0 = performance.now();
          await places[place - 1]!.control.start();
          const realMs = performance.now() - t0;
          const injectMs = Math.max(0, a.boot * 1000 - realMs);
          log(`autoscaler: replica ${place} started in ${Math.round(realMs)} ms; injected ${Math.round(injectMs)} ms of the ${a.boot} s boot` +
            (realMs > a.boot * 1000 ? ` (the real start exceeds it by ${Math.round(realMs - a.boot * 1000)} ms)` : ""));
          await new Promise<void>((resolve) => {
            const t = setTimeout(() => (bootTimers.delete(t), resolve()), injectMs);
            bootTimers.add(t);
          });
          await enableServer(socket, place, undefined, pool.balancer.health !== undefined);
        },
        drain: async (place) => {
          await drainServer(socket, place, drainMs);
          await places[place - 1]!.control.stop();
        },
      }, log);
      // Released before the replicas and HAProxy (finalizers run in reverse): no step acts after it.
      yield* Effect.acquireRelease(Effect.sync(() => (s.begin(), s)), (x) => Effect.promise(async () => {
        for (const t of bootTimers) clearTimeout(t);
        await x.close();
      }));
      scalers.set(sp.name, s);
      progress(`autoscaler${entry ? "" : ` ${sp.name} (through ${pool.balancer.name})`}: ${a.metric} target ${a.target}, every ${a.interval} s, ${a.min}..${a.max} replicas, boot ${a.boot} s (real start + injected rest)`);
    }
    const scaler = scalers.get(plan.service.name);
    const lbScheme = runCa ? "https" : "http";
    // Regions: each origin region's users enter through its geo router, nearest healthy entry first.
    const geoRouters = plan.regions && relay ? yield* startGeoRouters(plan.regions, reachedOn, relay, dir.path, tools, progress) : [];
    const entryUrl = geoRouters.length > 0
      ? `http://127.0.0.1:${geoRouters[0]!.port}`
      : runLinks?.front !== undefined
        ? `http://127.0.0.1:${runLinks.front}`
        : gatewayUrl ?? (lb ? `${lbScheme}://127.0.0.1:${lb.port}` : `http://127.0.0.1:${servicePorts[0]}`);
    // The entry service's retries and breaker belong to its callers, the users: they run in the
    // resilience gateway in front of the entry (gateway/gateway.ts; plan.ts refuses the entries it
    // cannot stand in front of: regions, a CDN, TLS).
    let resilienceGateway: RunningApp["resilienceGateway"];
    if (plan.service.resilience) {
      const spec = { ...plan.service.resilience, timeout: plan.service.timeout };
      const gw = yield* startNodeProc("gateway", { role: "gateway", port: yield* freePort, seed: plan.seed, upstream: entryUrl, service: plan.service.name, spec } satisfies GatewayConfig, dir.path);
      const url = `http://127.0.0.1:${gw.port}`;
      resilienceGateway = { url, upstream: entryUrl, metricsUrl: `${url}/metrics`, pid: gw.control.current()?.pid ?? 0 };
      const r = spec.retries;
      progress(`resilience gateway ${url} -> ${entryUrl} (${plan.service.name}'s callers are the users: ` +
        [spec.timeout !== undefined ? `timeout ${spec.timeout * 1000} ms` : "", r ? `${r.attempts} attempts, backoff ${r.backoff * 1000} ms up to ${r.max_backoff * 1000} ms${r.jitter === "full" ? " with full jitter" : ""}${r.budget !== undefined ? `, budget ${+(r.budget * 100).toPrecision(3)}%` : ""}` : "", spec.circuit_breaker ? "one breaker for all users" : ""].filter(Boolean).join("; ") + ")");
    }
    const originUrl = resilienceGateway?.url ?? entryUrl;
    let cdnUrl: string | undefined;
    // With regions: the edge's server for each origin region's users, keyed by region.
    let cdnUrls: Record<string, string> | undefined;
    if (plan.cdn && geoRouters.length > 0) {
      // one nginx, one cache, a server per origin region whose misses go to that region's geo router
      const nginx = yield* startNginx({ kind: "cdn", plan: plan.cdn }, geoRouters.map((g) => g.port), dir.path, tools);
      for (const [i, g] of geoRouters.entries()) progress(`nginx edge cache of ${g.region}'s users 127.0.0.1:${nginx.ports[i]!} -> geo router 127.0.0.1:${g.port} (one cache for every region)`);
      // each region's users reach their server of the edge through the edge relay, which waits the model's edge_latency per request
      cdnUrls = plan.cdn.edgeLatency
        ? yield* startEdgeRelay(plan.cdn.name, plan.cdn.edgeLatency, geoRouters.map((g, i) => ({ region: g.region, port: nginx.ports[i]! })), plan.seed, dir.path, progress)
        : Object.fromEntries(geoRouters.map((g, i) => [g.region, `http://127.0.0.1:${nginx.ports[i]!}`]));
      cdnUrl = cdnUrls[geoRouters[0]!.region];
    } else if (plan.cdn) {
      if (!lb) return yield* Effect.fail(new Unrealizable({ file, field: `components.${plan.cdn.name}`, reason: "a CDN needs a load balancer as origin" }));
      const nginx = yield* startNginx({ kind: "cdn", plan: plan.cdn }, [lb.port], dir.path, tools);
      progress(`nginx edge cache http://127.0.0.1:${nginx.port} -> haproxy`);
      // the users reach the edge through the edge relay, which waits the model's edge_latency per
      // request, as each region's users do with regions (one route: the users are in one place)
      cdnUrl = plan.cdn.edgeLatency
        ? (yield* startEdgeRelay(plan.cdn.name, plan.cdn.edgeLatency, [{ region: "", port: nginx.port }], plan.seed, dir.path, progress))[""]
        : `http://127.0.0.1:${nginx.port}`;
    }

    const collector = yield* startCollector(
      dir.path,
      {
        haproxySocket: lb?.statsSocket,
        redisPort: redis?.port,
        redisPassword: redis?.password,
        pg: pgCluster ? { port: pgCluster.primary.port, database: pgCluster.endpoints.database, ...pgCluster.superuser } : undefined,
        broker,
        queues: plan.queues.map((q) => ({ name: q.name, names: queues[q.name]! })),
        instances: scaler ? () => scaler.instances() : undefined,
        pools: scalers.size > 0 ? () => Object.fromEntries([...scalers].map(([n, x]) => [n, x.instances()])) : undefined,
        functions: Object.entries(functionUrls).map(([name, f]) => ({ name, metricsUrl: f.metricsUrl })),
        realtime: rtInstances.map((p) => ({ name: p.name, metricsUrl: `http://127.0.0.1:${p.port}/metrics` })),
        gatewayUrl: resilienceGateway?.url,
      },
      plan.interval,
    );

    // Failovers: the processes holding database pools (every place of a service calling it) are told.
    let failover: PgFailover | undefined;
    const failoverTimers = new Set<NodeJS.Timeout>();
    if (plan.db && pgShards.length > 0 && plan.db.replicas > 0) {
      const dbName = plan.db.name;
      const targets = plan.services.filter((sp) => sp.calls.includes(dbName)).flatMap((sp) => portsOf.get(sp.name)!.slice(0, sp.replicas));
      const log = (line: string) => appendFileSync(join(dir.path, "logs", "failover.log"), `${new Date().toISOString()} ${line}\n`);
      const f = new PgFailover(pgShards, async (body) => {
        const told = await Promise.allSettled(targets.map(async (port) => {
          const r = await fetch(`http://127.0.0.1:${port}/admin/db`, {
            method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000),
          });
          if (!r.ok) throw new Error(`127.0.0.1:${port}: ${r.status} ${await r.text()}`);
        }));
        const failed = told.flatMap((x) => (x.status === "rejected" ? [String(x.reason)] : []));
        if (failed.length) log(`failover: ${failed.length} of ${targets.length} service processes not told of ${body.event}: ${failed.join("; ")}`);
      }, log);
      // Released before the services and the database (finalizers run in reverse): no step acts after it.
      yield* Effect.acquireRelease(Effect.succeed(f), (x) => Effect.promise(async () => {
        for (const t of failoverTimers) clearTimeout(t);
        await x.close();
      }));
      failover = f;
    }
    const onFailover = async (what: (f: PgFailover) => Promise<unknown>) => {
      if (!failover) throw new BadTarget("this scenario has no database with a replica to promote");
      try {
        await what(failover);
      } catch (e) {
        if (e instanceof RangeError) throw new BadTarget(e.message);
        throw e;
      }
    };

    const pick = <T>(list: readonly T[], i: number, what: string): T => {
      const v = list[i - 1];
      if (v === undefined) throw new BadTarget(`no ${what} ${i}; there are ${list.length} (numbered from 1)`);
      return v;
    };
    const workersOf = (queue: string) => {
      const list = workers.filter((w) => w.queue === queue);
      if (list.length === 0) throw new BadTarget(`no queue '${queue}' with workers`);
      return list;
    };
    const workerCall = async (path: string) => {
      await Promise.all(
        workers.map(async (w) => {
          const res = await fetch(`http://127.0.0.1:${w.port}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
          if (!res.ok) throw new Error(`${w.name}: ${res.status} ${await res.text()}`);
        }),
      );
    };
    const flushRedis = async (part: RedisPart) => {
      const r = new Redis({ host: "127.0.0.1", port: part.port, password: part.password, maxRetriesPerRequest: 1 });
      try {
        await r.flushall();
      } finally {
        r.disconnect();
      }
    };
    const faults: Faults = {
      killService: (i) => pick(services, i, "service replica").control.kill(),
      restartService: (i) => pick(services, i, "service replica").control.start(),
      stopDbReplica: (i) => pick(pgCluster?.replicas ?? [], i, "database replica").control.stop(),
      startDbReplica: (i) => pick(pgCluster?.replicas ?? [], i, "database replica").control.start(),
      failPrimary: (shard) => onFailover((f) => f.failPrimary(shard)),
      promote: (shard) => onFailover((f) => f.promote(shard)),
      flushCache: async () => {
        if (!redis) throw new BadTarget("this scenario has no cache");
        await flushRedis(redis);
      },
      restartCache: async () => {
        if (!redis) throw new BadTarget("this scenario has no cache");
        await redis.control.kill();
        await redis.control.start();
      },
      pauseWorkers: () => workerCall("/admin/pause"),
      resumeWorkers: () => workerCall("/admin/resume"),
      killWorker: (q, i) => pick(workersOf(q), i, `worker of ${q}`).control.kill(),
      restartWorker: (q, i) => pick(workersOf(q), i, `worker of ${q}`).control.start(),
      killRealtime: (i) => pick(rtInstances, i, "realtime instance").control.kill(),
      restartRealtime: (i) => pick(rtInstances, i, "realtime instance").control.start(),
    };

    const regionTimers = new Set<NodeJS.Timeout>();
    yield* Effect.addFinalizer(() => Effect.sync(() => regionTimers.forEach(clearTimeout)));
    // A region's processes: every replica of its services and every worker of its queues.
    const inRegion = (region: string) => {
      if (!plan.regions?.names.includes(region)) throw new BadTarget(`no region '${region}' (regions: ${plan.regions?.names.join(", ") ?? "none"})`);
      return [
        ...plan.services.filter((sp) => plan.regions!.regionOf[sp.name] === region).flatMap((sp) => tiers[sp.name]!),
        ...workers.filter((w) => plan.regions!.regionOf[w.queue] === region),
      ];
    };
    const servicesIn = (region: string) => plan.services.filter((sp) => plan.regions!.regionOf[sp.name] === region).flatMap((sp) => tiers[sp.name]!);
    // The geo routers' entries in `region`: in maintenance (no check, no request) or back (health up at once: their processes answer).
    const setGeoEntries = async (region: string, state: "maint" | "ready") => {
      for (const g of geoRouters) {
        for (const [i, e] of g.entries.entries()) {
          if (plan.regions!.regionOf[e.name] !== region) continue;
          await haproxyCommand(g.statsSocket, `set server service/e${i + 1} state ${state}`);
          if (state === "ready") await haproxyCommand(g.statsSocket, `set server service/e${i + 1} health up`);
        }
      }
    };
    const regionsView: RunningApp["regions"] = plan.regions && relay
      ? {
          originUrls: Object.fromEntries(geoRouters.map((g) => [g.region, `http://127.0.0.1:${g.port}`])),
          ...(cdnUrls ? { cdnUrls } : {}),
          geoRouters,
          relayPid: relay.pid,
          routes: relay.routes,
          ...(relay.links ? { links: relay.links } : {}),
          // Down: no crossing reaches the region (its relay routes cut: callers elsewhere fail, as
          // the model's region_down), its services and workers killed. Up: its cache comes back
          // empty (as the model's), the routes restored, the processes started again.
          down: async (region) => {
            await relay.cutInto(region, true);
            await Promise.all(inRegion(region).map((r) => r.control.kill()));
          },
          up: async (region) => {
            for (const k of plan.caches) if (plan.regions!.regionOf[k.name] === region) await flushRedis(redisOf.get(k.name)!);
            await relay.cutInto(region, false);
            await Promise.all(inRegion(region).map((r) => r.control.start()));
          },
          // A scheduled outage comes back at its time, as the model's: right after the region goes
          // down its services' replicas start again in standby, out of reach (the relay's routes into
          // the region cut, its entries in maintenance on every geo router), so at the outage's end
          // only the routes and the entries are restored, not a process start of seconds on a busy
          // machine (which made the region come back 5-7 s late at load 11). Its queues' workers
          // start at the end (in standby they would consume from a broker that stayed up).
          schedule: (startMs, onError = () => {}) => {
            for (const o of plan.regions!.outages) {
              const at = (ms: number, run: () => Promise<void>) => {
                const t = setTimeout(() => (regionTimers.delete(t), run().catch(onError)), Math.max(0, startMs + ms - Date.now()));
                regionTimers.add(t);
              };
              // the outage's start as a whole (down, maintenance, standby), which its end waits for; a
              // failure there is reported by its own timer, and the end restores the region anyway
              let going: Promise<unknown> = Promise.resolve();
              at(o.at * 1000, () => (going = (async () => {
                // the geo routers see the kill by their checks (as without standby), then are kept from the standby processes
                await regionsView!.down(o.region);
                await setGeoEntries(o.region, "maint");
                await Promise.all(servicesIn(o.region).map((r) => r.control.start()));
              })()));
              at((o.at + o.for) * 1000, async () => {
                for (const k of plan.caches) if (plan.regions!.regionOf[k.name] === o.region) await flushRedis(redisOf.get(k.name)!);
                await going.catch(() => {});
                await relay.cutInto(o.region, false);
                await setGeoEntries(o.region, "ready");
                await Promise.all(workers.filter((w) => plan.regions!.regionOf[w.queue] === o.region).map((w) => w.control.start()));
              });
            }
          },
        }
      : undefined;

    const classUrl = Object.fromEntries(plan.classes.map((c) => [c.name, c.via === "cdn" && cdnUrl ? cdnUrl : originUrl]));
    const app: Omit<RunningApp, "adminUrl"> = {
      runId,
      runDir: dir.path,
      token,
      plan,
      classUrl,
      url: originUrl,
      ...(resilienceGateway ? { resilienceGateway } : {}),
      lbUrl: lb ? `${lbScheme}://127.0.0.1:${lb.port}` : undefined,
      caFile: runCa,
      cdnUrl,
      services: services.map((s) => ({ name: s.name, url: `http://127.0.0.1:${s.port}` })),
      tiers: Object.fromEntries(Object.entries(tiers).map(([n, list]) => [n, list.map((s) => ({ name: s.name, url: `http://127.0.0.1:${s.port}` }))])),
      balancerUrls: Object.fromEntries([...lbPorts].map(([n, p]) => [n, `${n === plan.lb?.name ? lbScheme : "http"}://127.0.0.1:${p}`])),
      realtime: plan.realtime && wsFront && backbone
        ? {
            name: plan.realtime.name,
            url: `ws://127.0.0.1:${wsFront.port}/ws`,
            instances: rtInstances.map((p) => ({ name: p.name, url: `http://127.0.0.1:${p.port}` })),
            metricsUrls: rtInstances.map((p) => `http://127.0.0.1:${p.port}/metrics`),
            haproxyStatsSocket: wsFront.statsSocket,
            backbonePort: backbone.port,
            backbonePassword: backbone.password,
          }
        : undefined,
      serviceMetricsUrls: Object.fromEntries(Object.entries(tiers).map(([n, list]) => [n, list.map((s) => `http://127.0.0.1:${s.port}/metrics`)])),
      workers: workers.map((w) => ({ name: w.name, queue: w.queue, url: `http://127.0.0.1:${w.port}` })),
      functions: functionUrls,
      metricsUrls: [...services, ...workers].map((p) => `http://127.0.0.1:${p.port}/metrics`),
      db: pgCluster ? dbAccess(pgCluster) : undefined,
      dbShards: pgShards.map(dbAccess),
      redisPort: redis?.port,
      redisPorts: Object.fromEntries([...redisOf].map(([n, x]) => [n, x.port])),
      redisPassword: redis?.password,
      haproxyStatsSocket: lb?.statsSocket,
      amqpUrl,
      queues,
      timeseriesPath: collector.path,
      faults,
      scaling: scaler ? viewOf(scaler, portsOf.get(plan.service.name)!) : undefined,
      scalers: Object.fromEntries([...scalers].map(([n, x]) => [n, viewOf(x, portsOf.get(n)!)])),
      sample: () => collector.sampleNow(),
      ...(regionsView ? { regions: regionsView } : {}),
      ...(runLinks ? { links: { pid: runLinks.proc.pid, report: () => runLinks.proc.report(), reset: () => runLinks.proc.reset() } } : {}),
      failover: failover
        ? {
            events: failover.events,
            primaryPort: (shard) => failover!.primaryPort(shard),
            wirePorts: () => failover!.wirePorts(),
            schedule: (startMs, onError = () => {}) => {
              for (const fo of plan.db?.failovers ?? []) {
                const at = (ms: number, run: () => void) => {
                  const t = setTimeout(() => (failoverTimers.delete(t), run()), Math.max(0, startMs + ms - Date.now()));
                  failoverTimers.add(t);
                };
                // The promotion waits for the kill (a slow kill delays it, as the log then shows).
                let killed: Promise<boolean> = Promise.resolve(false);
                at(fo.at * 1000, () => { killed = failover!.failPrimary(fo.shard).then(() => true, (e) => (onError(e), false)); });
                at((fo.at + fo.promoteAfter) * 1000, () => void killed.then((ok) => (ok ? failover!.promote(fo.shard).catch(onError) : undefined)));
              }
            },
          }
        : undefined,
    };
    const admin = yield* startAdmin(token, faults, () => publicView(app));
    const running: RunningApp = { ...app, adminUrl: `http://127.0.0.1:${admin.port}` };
    // The run's endpoints for other tools; the token and the passwords stay out of files.
    yield* Effect.promise(() => writeFile(join(dir.path, "run.json"), JSON.stringify(publicView(running), null, 2)));
    return running;
  });

const viewOf = (x: PoolScaler, ports: readonly number[]): ScalerView => ({ urls: ports.map((p) => `http://127.0.0.1:${p}`), events: x.events, evaluations: x.evaluations, instances: () => x.instances(), begin: () => x.begin() });

/** What run.json and the admin's /status show: the run without its token, passwords and functions. */
function publicView(app: Omit<RunningApp, "adminUrl"> & { adminUrl?: string }): unknown {
  const { token: _token, faults: _faults, sample: _sample, scaling: _scaling, scalers: _scalers, failover: _failover, redisPassword: _redisPassword, db, dbShards, ...rest } = app;
  return { ...rest, amqpUrl: redactUrl(rest.amqpUrl), db: db ? { ...db, password: undefined } : undefined, dbShards: dbShards.map((d) => ({ ...d, password: undefined })) };
}

/** The launcher for Promise callers: resolves once everything is ready; `stop()` releases it all. */
export async function startAppPromise(scenario: Scenario, opts: AppOptions = {}): Promise<{ app: RunningApp; stop: () => Promise<void> }> {
  const scope = Effect.runSync(Scope.make());
  const exit = await Effect.runPromiseExit(Scope.extend(startApp(scenario, opts), scope));
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit));
    throw toError(exit.cause);
  }
  let stopped: Promise<void> | undefined;
  return {
    app: exit.value,
    stop: () => (stopped ??= Effect.runPromise(Scope.close(scope, Exit.void))),
  };
}

function toError(cause: Cause.Cause<AppError>): Error {
  const e = Cause.squash(cause);
  return e instanceof Error ? e : new Error(String(e));
}
