// Starts the real system a scenario describes, as one scoped Effect: plan and preflight first (so an
// unrealizable scenario or a missing binary fails before anything starts), then database, cache,
// broker queues, service replicas, workers, HAProxy, nginx, the collector and the admin endpoint.
// Every part is a scoped resource, released in reverse order on success, failure or interruption.
// `startApp` is the Effect; `startAppPromise` wraps it for callers outside Effect.
import { Cause, Effect, Exit, Scope } from "effect";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { StartFailed, Unrealizable, type AppError, type PortsExhausted } from "./errors.ts";
import { planApp, portsNeeded, type AppPlan, type ScenarioIn } from "./plan.ts";
import { preflight } from "./preflight.ts";
import { runDir, freePort, portAllocator, reaper } from "./resources.ts";
import { startPostgres, type PgCluster } from "./parts/postgres.ts";
import { startRedis, type RedisPart } from "./parts/redis.ts";
import { brokerAccess, brokerConnection, declareQueue, redactUrl } from "./parts/rabbitmq.ts";
import { startNodeProc } from "./parts/node-procs.ts";
import { startHaproxy, type HaproxyPart } from "./parts/haproxy.ts";
import { startNginx } from "./parts/nginx.ts";
import { startCollector, type Sample } from "./collector.ts";
import { startAdmin, BadTarget, type Faults } from "./admin.ts";
import type { QueueNames, ServiceConfig, WorkerConfig } from "./config.ts";
import type { TracingConfig } from "./tracing.ts";
import { startReceiver } from "../fit/otlp-receiver.ts";

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
  /** The balancer's (or the single replica's) base URL. */
  readonly url: string;
  readonly cdnUrl?: string;
  readonly adminUrl: string;
  readonly services: readonly { readonly name: string; readonly url: string }[];
  readonly workers: readonly { readonly name: string; readonly queue: string; readonly url: string }[];
  /** Every process's /metrics URL. */
  readonly metricsUrls: readonly string[];
  /** user/password: the services' role (no superuser) and its per-run password; kept out of run.json. */
  readonly db?: { readonly database: string; readonly primaryPort: number; readonly replicaPorts: readonly number[]; readonly user: string; readonly password: string };
  readonly redisPort?: number;
  /** The cache's per-run password (requirepass); kept out of run.json. */
  readonly redisPassword?: string;
  readonly haproxyStatsSocket?: string;
  /** The run's broker URL: its own user, per-run password and vhost where rabbitmqctl allowed; redacted in run.json. */
  readonly amqpUrl: string;
  readonly queues: Readonly<Record<string, QueueNames>>;
  readonly timeseriesPath: string;
  readonly faults: Faults;
  /** Takes one collector sample now and appends it to the time series. */
  sample(): Promise<Sample>;
}

export const startApp = (scenario: ScenarioIn, opts: AppOptions = {}): Effect.Effect<RunningApp, AppError, Scope.Scope> =>
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
    const allocate = opts.ports ?? freePort;
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

    let pgCluster: PgCluster | undefined;
    if (plan.db) {
      pgCluster = yield* startPostgres(plan.db, dir.path, tools);
      progress(`postgres primary 127.0.0.1:${pgCluster.primary.port}` + pgCluster.replicas.map((r) => `, ${r.label} 127.0.0.1:${r.port}`).join(""));
    }
    let redis: RedisPart | undefined;
    if (plan.cache) {
      redis = yield* startRedis(plan.cache, dir.path, tools);
      progress(`redis 127.0.0.1:${redis.port} (maxmemory ${redis.maxmemory} B = ${plan.cache.capacity} keys x ${redis.bytesPerKey} B + baseline)`);
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
      queues[q.name] = yield* declareQueue(broker!, runId, q, (n) => {
        watchdog.tell(`queue ${n.queue}`);
        watchdog.tell(`queue ${n.dlq}`);
      });
      progress(`queue ${q.name}: ${queues[q.name]!.queue} (dead letters: ${queues[q.name]!.dlq})`);
    }

    const dbConfig = plan.db && pgCluster ? { ...plan.db, endpoints: pgCluster.endpoints } : undefined;
    const servicePorts: number[] = [];
    for (let i = 0; i < plan.service.replicas; i++) servicePorts.push(yield* freePort);
    const serviceStarts = servicePorts.map((port, i) => {
      const cfg: ServiceConfig = {
        role: "service",
        index: i + 1,
        port,
        seed: plan.seed,
        service: plan.service,
        classes: plan.classes,
        cache: plan.cache && redis ? { ...plan.cache, port: redis.port, password: redis.password } : undefined,
        db: dbConfig,
        queues: plan.queues.map((q) => ({ ...q, names: queues[q.name]! })),
        amqpUrl,
        cdnTtl: plan.cdn?.ttl,
        tracing: tracing(plan.service.name, `${plan.service.name}-${i + 1}`),
      };
      return startNodeProc(`${plan.service.name}-${i + 1}`, cfg, dir.path);
    });

    const workerSpecs: Array<{ queue: string; cfg: WorkerConfig; name: string }> = [];
    for (const q of plan.queues) {
      for (let i = 0; i < q.workers; i++) {
        const port = yield* freePort;
        workerSpecs.push({
          queue: q.name,
          name: `worker-${q.name}-${i + 1}`,
          cfg: {
            role: "worker", index: i + 1, port, token, seed: plan.seed, queue: { ...q, names: queues[q.name]! }, db: dbConfig, amqpUrl,
            tracing: tracing(`${q.name}-worker`, `worker-${q.name}-${i + 1}`),
          },
        });
      }
    }
    const workerStarts = workerSpecs.map((w) => Effect.map(startNodeProc(w.name, w.cfg, dir.path), (part) => ({ ...part, queue: w.queue })));
    // Replicas and workers start together: each is a Node process whose start-up is mostly waiting.
    const [services, workers] = yield* Effect.all(
      [Effect.all(serviceStarts, { concurrency: "unbounded" }), Effect.all(workerStarts, { concurrency: "unbounded" })],
      { concurrency: "unbounded" },
    );
    progress(`${plan.service.name}: ${services.length} replica(s) on ${services.map((s) => `127.0.0.1:${s.port}`).join(", ")}`);
    if (workers.length) progress(`workers: ${workers.map((w) => `${w.name} 127.0.0.1:${w.port}`).join(", ")}`);

    let lb: HaproxyPart | undefined;
    if (plan.lb) {
      lb = yield* startHaproxy(plan.lb, servicePorts, dir.path, tools, plan.service.timeout);
      progress(`haproxy 127.0.0.1:${lb.port} -> ${servicePorts.length} replica(s), ${plan.lb.algorithm}`);
    }
    const originUrl = lb ? `http://127.0.0.1:${lb.port}` : `http://127.0.0.1:${servicePorts[0]}`;
    let cdnUrl: string | undefined;
    if (plan.cdn) {
      if (!lb) return yield* Effect.fail(new Unrealizable({ file, field: `components.${plan.cdn.name}`, reason: "a CDN needs a load balancer as origin" }));
      const nginx = yield* startNginx(plan.cdn, lb.port, dir.path, tools);
      cdnUrl = `http://127.0.0.1:${nginx.port}`;
      progress(`nginx edge cache ${cdnUrl} -> haproxy`);
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
      },
      plan.interval,
    );

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
    const faults: Faults = {
      killService: (i) => pick(services, i, "service replica").control.kill(),
      restartService: (i) => pick(services, i, "service replica").control.start(),
      stopDbReplica: (i) => pick(pgCluster?.replicas ?? [], i, "database replica").control.stop(),
      startDbReplica: (i) => pick(pgCluster?.replicas ?? [], i, "database replica").control.start(),
      flushCache: async () => {
        if (!redis) throw new BadTarget("this scenario has no cache");
        const r = new Redis({ host: "127.0.0.1", port: redis.port, password: redis.password, maxRetriesPerRequest: 1 });
        try {
          await r.flushall();
        } finally {
          r.disconnect();
        }
      },
      pauseWorkers: () => workerCall("/admin/pause"),
      resumeWorkers: () => workerCall("/admin/resume"),
      killWorker: (q, i) => pick(workersOf(q), i, `worker of ${q}`).control.kill(),
      restartWorker: (q, i) => pick(workersOf(q), i, `worker of ${q}`).control.start(),
    };

    const classUrl = Object.fromEntries(plan.classes.map((c) => [c.name, c.via === "cdn" && cdnUrl ? cdnUrl : originUrl]));
    const app: Omit<RunningApp, "adminUrl"> = {
      runId,
      runDir: dir.path,
      token,
      plan,
      classUrl,
      url: originUrl,
      cdnUrl,
      services: services.map((s) => ({ name: s.name, url: `http://127.0.0.1:${s.port}` })),
      workers: workers.map((w) => ({ name: w.name, queue: w.queue, url: `http://127.0.0.1:${w.port}` })),
      metricsUrls: [...services, ...workers].map((p) => `http://127.0.0.1:${p.port}/metrics`),
      db: pgCluster
        ? {
            database: pgCluster.endpoints.database,
            primaryPort: pgCluster.primary.port,
            replicaPorts: pgCluster.replicas.map((r) => r.port),
            user: pgCluster.endpoints.user,
            password: pgCluster.endpoints.password,
          }
        : undefined,
      redisPort: redis?.port,
      redisPassword: redis?.password,
      haproxyStatsSocket: lb?.statsSocket,
      amqpUrl,
      queues,
      timeseriesPath: collector.path,
      faults,
      sample: () => collector.sampleNow(),
    };
    const admin = yield* startAdmin(token, faults, () => publicView(app));
    const running: RunningApp = { ...app, adminUrl: `http://127.0.0.1:${admin.port}` };
    // The run's endpoints for other tools; the token and the passwords stay out of files.
    yield* Effect.promise(() => writeFile(join(dir.path, "run.json"), JSON.stringify(publicView(running), null, 2)));
    return running;
  });

/** What run.json and the admin's /status show: the run without its token, passwords and functions. */
function publicView(app: Omit<RunningApp, "adminUrl"> & { adminUrl?: string }): unknown {
  const { token: _token, faults: _faults, sample: _sample, redisPassword: _redisPassword, db, ...rest } = app;
  return { ...rest, amqpUrl: redactUrl(rest.amqpUrl), db: db ? { ...db, password: undefined } : undefined };
}

/** The launcher for Promise callers: resolves once everything is ready; `stop()` releases it all. */
export async function startAppPromise(scenario: ScenarioIn, opts: AppOptions = {}): Promise<{ app: RunningApp; stop: () => Promise<void> }> {
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
