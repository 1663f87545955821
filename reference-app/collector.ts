// Samples the run's parts every interval into one time series (JSON lines, <run dir>/timeseries.jsonl):
// HAProxy queue and session counts from its stats socket, Redis INFO, pg_stat_replication and the
// app's queries running at once (pg_stat_activity) on the primary, the RabbitMQ queue depths, for each auto-scaled service its instance count, per function
// its dispatcher's counters and instances alive (function/dispatcher.ts /metrics) and, for a realtime
// component, each WebSocket server's connections, messages, memory and delivery figures. The validation harness compares these with the simulator's.
import { Effect, Scope } from "effect";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { haproxyCommand, parseStat, type ServerStat } from "./parts/haproxy.ts";
import { queueDepth, type Broker } from "./parts/rabbitmq.ts";
import { APP_ROLE } from "./parts/postgres.ts";
import type { QueueNames } from "./config.ts";
import type { InstanceCount } from "./scaling.ts";
import { sumMetrics } from "./prom.ts";

export interface CollectorTargets {
  readonly haproxySocket?: string;
  readonly redisPort?: number;
  /** The primary, read with the superuser (pg_stat_replication's lag columns need it). */
  readonly pg?: { readonly port: number; readonly database: string; readonly user: string; readonly password: string };
  readonly redisPassword?: string;
  readonly broker?: Broker;
  readonly queues: ReadonlyArray<{ readonly name: string; readonly names: QueueNames }>;
  /** The entry service's auto-scaler: its replica count now (reference-app/scaling.ts). */
  readonly instances?: () => InstanceCount;
  /** Every auto-scaled pool's replica count now, by service name (reference-app/scaled-pools.ts). */
  readonly pools?: () => Record<string, InstanceCount>;
  /** Each function's dispatcher /metrics. */
  readonly functions?: ReadonlyArray<{ readonly name: string; readonly metricsUrl: string }>;
  /** A realtime component's WebSocket servers (realtime/server.ts /metrics). */
  readonly realtime?: ReadonlyArray<{ readonly name: string; readonly metricsUrl: string }>;
  /** The users' resilience gateway (gateway/gateway.ts): its base URL. */
  readonly gatewayUrl?: string;
}

/** The resilience gateway at one instant: its counts since it started, the breaker's state and seconds open. */
export interface GatewaySample {
  readonly calls: number;
  readonly attempts: number;
  readonly retries: number;
  readonly budgetDenied: number;
  readonly timeouts: number;
  readonly shortCircuited: number;
  readonly breakerOpened: number;
  readonly failed: number;
  readonly breaker?: { readonly state: string; readonly openSeconds: number };
}

/** A function's dispatcher at one instant: instances alive now, counters since it started. */
export interface FunctionSample {
  readonly instances: number;
  readonly cold: number;
  readonly warm: number;
  readonly throttled: number;
  readonly timeouts: number;
  readonly started: number;
  readonly reaped: number;
  /** Cold starts completed and their seconds, fork to ready (the real start plus the drawn init). */
  readonly coldStartCount: number;
  readonly coldStartSum: number;
}

const FN_METRICS: ReadonlyArray<[keyof FunctionSample, string]> = [
  ["instances", "headroom_function_instances"],
  ["cold", 'headroom_function_invocations_total{start="cold"}'],
  ["warm", 'headroom_function_invocations_total{start="warm"}'],
  ["throttled", "headroom_function_throttled_total"],
  ["timeouts", "headroom_function_timeouts_total"],
  ["started", "headroom_function_instances_started_total"],
  ["reaped", "headroom_function_instances_reaped_total"],
  ["coldStartCount", "headroom_function_cold_start_seconds_count"],
  ["coldStartSum", "headroom_function_cold_start_seconds_sum"],
];

/** The dispatcher's Prometheus text as a FunctionSample (one function per dispatcher: its `function` label dropped). */
export function parseFunctionMetrics(text: string): FunctionSample {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? "").split(",").filter((l) => l !== "" && !l.startsWith("function="));
    values.set(labels.length ? `${m[1]}{${labels.join(",")}}` : m[1]!, Number(m[3]));
  }
  const out: Record<string, number> = {};
  for (const [k, name] of FN_METRICS) {
    const v = values.get(name);
    if (v === undefined) throw new Error(`no ${name} in the dispatcher's metrics`);
    out[k] = v;
  }
  return out as unknown as FunctionSample;
}

/** One realtime instance's figures in a sample (counters are cumulative since it started). */
export interface RealtimeInstanceSample {
  readonly name: string;
  readonly connections: number;
  readonly connection_seconds: number;
  readonly refused: number;
  readonly messages_in: number;
  readonly messages_out: number;
  readonly send_seconds: number;
  readonly memory_model: number;
  readonly memory_rss: number;
  readonly out_of_memory: number;
  readonly delivery_count: number;
  readonly delivery_sum: number;
}

export interface Sample {
  readonly t: number;
  readonly lb?: { readonly servers: readonly ServerStat[]; readonly queued: number; readonly sessions: number } | null;
  readonly cache?: {
    readonly hits: number; readonly misses: number; readonly evicted: number;
    readonly keys: number; readonly used_memory: number; readonly maxmemory: number;
  } | null;
  readonly replication?: ReadonlyArray<{
    readonly client_port: number; readonly state: string;
    readonly replay_lag_s: number | null; readonly replay_lag_bytes: number;
  }> | null;
  /**
   * On the primary (shard 0's), the app role's sessions from pg_stat_activity (client backends:
   * a scan's parallel workers belong to its query): `active` the queries running at this
   * instant, `connections` its backends. Behind a gate (parts/pgbouncer.ts)
   * neither can pass the model's max_connections.
   */
  readonly dbQueries?: { readonly active: number; readonly connections: number } | null;
  /** `partitions`: a partitioned queue's depth per partition (`depth` is their sum). */
  readonly queues?: Record<string, { readonly depth: number; readonly consumers: number; readonly dead: number; readonly partitions?: readonly number[] } | null>;
  /** The entry service's replicas not off (booting, serving, draining), as the simulator's instance series counts them. */
  readonly instances?: InstanceCount;
  /** Per auto-scaled service (the entry's included), its replicas as `instances` counts them. */
  readonly pools?: Record<string, InstanceCount>;
  /** Per function: its dispatcher's instances and counters (null: it did not answer). */
  readonly functions?: Record<string, FunctionSample | null>;
  /** Each realtime instance's figures; null for one that is down (crashed or out of memory). */
  readonly realtime?: ReadonlyArray<RealtimeInstanceSample | null>;
  /** The users' resilience gateway, when the entry service has retries or a breaker (null: it did not answer). */
  readonly gateway?: GatewaySample | null;
}

/** Reads one realtime instance's /metrics. */
export async function realtimeSample(name: string, metricsUrl: string): Promise<RealtimeInstanceSample> {
  const r = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
  if (!r.ok) throw new Error(`${metricsUrl}: ${r.status}`);
  const m = sumMetrics(await r.text());
  const g = (k: string) => m.get(k) ?? 0;
  return {
    name,
    connections: g("headroom_rt_connections"),
    connection_seconds: g("headroom_rt_connection_seconds_total"),
    refused: g("headroom_rt_refused_total"),
    messages_in: g("headroom_rt_messages_in_total"),
    messages_out: g("headroom_rt_messages_out_total"),
    send_seconds: g("headroom_rt_send_seconds_total"),
    memory_model: g("headroom_rt_memory_model_bytes"),
    memory_rss: g("headroom_rt_memory_rss_bytes"),
    out_of_memory: g("headroom_rt_out_of_memory_total"),
    delivery_count: g("headroom_rt_delivery_seconds_count"),
    delivery_sum: g("headroom_rt_delivery_seconds_sum"),
  };
}

const field = (info: string, name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? 0);

export async function sampleOnce(targets: CollectorTargets, redis?: Redis, pgPool?: pg.Pool): Promise<Sample> {
  const settle = async <T>(f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch {
      return null;
    }
  };
  const [lb, cache, replication, dbQueries, queues, realtime] = await Promise.all([
    targets.haproxySocket
      ? settle(async () => {
          const rows = parseStat(await haproxyCommand(targets.haproxySocket!, "show stat"));
          const be = rows.find((r) => r.name === "BACKEND");
          return { servers: rows.filter((r) => r.name !== "BACKEND"), queued: be?.qcur ?? 0, sessions: be?.scur ?? 0 };
        })
      : undefined,
    redis
      ? settle(async () => {
          const info = await redis.info();
          return {
            hits: field(info, "keyspace_hits"),
            misses: field(info, "keyspace_misses"),
            evicted: field(info, "evicted_keys"),
            keys: Number(/^db0:keys=(\d+)/m.exec(info)?.[1] ?? 0),
            used_memory: field(info, "used_memory"),
            maxmemory: field(info, "maxmemory"),
          };
        })
      : undefined,
    pgPool
      ? settle(async () => {
          const r = await pgPool.query(
            "SELECT client_port, state, EXTRACT(EPOCH FROM replay_lag)::float8 AS lag, " +
              "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS bytes FROM pg_stat_replication ORDER BY client_port",
          );
          return r.rows.map((row) => ({ client_port: row.client_port, state: row.state, replay_lag_s: row.lag, replay_lag_bytes: row.bytes ?? 0 }));
        })
      : undefined,
    pgPool
      ? settle(async () => {
          const r = await pgPool.query<{ active: number; connections: number }>(
            // client backends only: a scan's parallel workers are its query's, not more queries
            "SELECT count(*) FILTER (WHERE state = 'active')::int AS active, count(*)::int AS connections FROM pg_stat_activity WHERE usename = $1 AND backend_type = 'client backend'",
            [APP_ROLE],
          );
          return { active: r.rows[0]?.active ?? 0, connections: r.rows[0]?.connections ?? 0 };
        })
      : undefined,
    targets.broker && targets.queues.length
      ? Object.fromEntries(
          await Promise.all(
            targets.queues.map(async (q) => [
              q.name,
              await settle(async () => {
                const dead = await queueDepth(targets.broker!, q.names.dlq);
                if (q.names.partitions) {
                  // A partitioned queue: the total as one queue's, and each partition's depth.
                  const parts = await Promise.all(q.names.partitions.map((n) => queueDepth(targets.broker!, n)));
                  const depth = parts.map((p) => p.messages);
                  return { depth: depth.reduce((a, b) => a + b, 0), consumers: parts.reduce((a, p) => a + p.consumers, 0), dead: dead.messages, partitions: depth };
                }
                const main = await queueDepth(targets.broker!, q.names.queue);
                return { depth: main.messages, consumers: main.consumers, dead: dead.messages };
              }),
            ]),
          ),
        )
      : undefined,
    targets.realtime?.length ? Promise.all(targets.realtime.map((x) => settle(() => realtimeSample(x.name, x.metricsUrl)))) : undefined,
  ]);
  const functions = targets.functions?.length
    ? Object.fromEntries(await Promise.all(targets.functions.map(async (f) => [f.name, await settle(async () => {
        const r = await fetch(f.metricsUrl, { signal: AbortSignal.timeout(2000) });
        if (!r.ok) throw new Error(`${r.status}`);
        return parseFunctionMetrics(await r.text());
      })] as const)))
    : undefined;
  const gateway = targets.gatewayUrl
    ? await settle(async (): Promise<GatewaySample> => {
        const r = await fetch(`${targets.gatewayUrl}/_headroom/gateway`, { signal: AbortSignal.timeout(2000) });
        if (!r.ok) throw new Error(`${r.status}`);
        const g = (await r.json()) as { counts: Omit<GatewaySample, "breaker">; breaker?: { state: string; openSeconds: number } };
        return { ...g.counts, ...(g.breaker ? { breaker: { state: g.breaker.state, openSeconds: g.breaker.openSeconds } } : {}) };
      })
    : undefined;
  return { t: Date.now(), lb, cache, replication, dbQueries, queues, instances: targets.instances?.(), ...(targets.pools ? { pools: targets.pools() } : {}), functions, ...(realtime ? { realtime } : {}), ...(gateway !== undefined ? { gateway } : {}) };
}

export interface Collector {
  readonly path: string;
  /** Samples now and appends the line (also used by tests to avoid waiting for the timer). */
  sampleNow(): Promise<Sample>;
}

export const startCollector = (runPath: string, targets: CollectorTargets, intervalSeconds: number): Effect.Effect<Collector, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const path = join(runPath, "timeseries.jsonl");
      // One series per run: a reused --run-dir starts a new file.
      const file: FileHandle = await open(path, "w");
      const redis = targets.redisPort !== undefined ? new Redis({ host: "127.0.0.1", port: targets.redisPort, password: targets.redisPassword, maxRetriesPerRequest: 0, enableOfflineQueue: false }) : undefined;
      redis?.on("error", () => {});
      const pgPool = targets.pg ? new pg.Pool({ host: "127.0.0.1", port: targets.pg.port, user: targets.pg.user, password: targets.pg.password, database: targets.pg.database, max: 1, connectionTimeoutMillis: 1000 }) : undefined;
      pgPool?.on("error", () => {});
      let chain: Promise<unknown> = Promise.resolve();
      const sampleNow = () => {
        const next = chain.then(async () => {
          const s = await sampleOnce(targets, redis, pgPool);
          await file.appendFile(JSON.stringify(s) + "\n");
          return s;
        });
        chain = next.catch(() => {});
        return next;
      };
      const timer = setInterval(() => void sampleNow().catch(() => {}), Math.max(100, intervalSeconds * 1000));
      return { path, sampleNow, timer, file, redis, pgPool, idle: () => chain };
    }),
    (c) =>
      Effect.promise(async () => {
        clearInterval(c.timer);
        await c.idle();
        await c.file.close();
        c.redis?.disconnect();
        await c.pgPool?.end().catch(() => {});
      }),
  );
