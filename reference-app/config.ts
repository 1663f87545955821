// The JSON handed from the launcher to each service, worker and function process (written to the run dir with
// mode 0600 and passed by path): its part of the plan plus the addresses of the parts it talks to
// and the run's secrets for them (database and cache passwords, the admin token), which so stay
// out of argv and the environment that `ps` and /proc show.
import { readFileSync } from "node:fs";
import type { CachePlan, ClassPlan, DbPlan, FunctionPlan, QueuePlan, RealtimePlan, ServicePlan } from "./plan.ts";
import type { TracingConfig } from "./tracing.ts";
import type { ResilienceSpec } from "./service/resilience.ts";

export interface DbEndpoints {
  readonly database: string;
  /** The run's application role and its per-run password (this file is 0600, never argv). */
  readonly user: string;
  readonly password: string;
  readonly primary: number;
  /** Ports of the streaming replicas, in order. */
  readonly replicas: readonly number[];
  /**
   * With the model's max_connections gated (parts/pgbouncer.ts), `primary` and `replicas` are the
   * gates' ports and these the replicas' own, for the lag monitors (monitoring takes no modeled place).
   */
  readonly monitorPorts?: readonly number[];
}

export interface QueueNames {
  /** The queue a worker consumes (of a partitioned queue: its own partition's). */
  readonly queue: string;
  readonly dlq: string;
  /** A partitioned queue's partition queues, index = partition (parts/partitions.ts). */
  readonly partitions?: readonly string[];
}

export interface ServiceConfig {
  readonly role: "service";
  readonly index: number;
  readonly port: number;
  readonly seed: number;
  readonly service: ServicePlan;
  readonly classes: readonly ClassPlan[];
  /**
   * connections: Redis connections the process holds (1 when absent). A cache with a link gets one
   * per slot: Redis answers a connection's commands in order and the link relay sends a
   * connection's replies one after another, so with one connection the link was FIFO, not the
   * model's processor sharing (service/cache.ts).
   */
  readonly cache?: CachePlan & { readonly port: number; readonly password: string; readonly connections?: number };
  /** The database with this service's pool resolved (the YAML's, else poolFor's). */
  readonly db?: DbPlan & {
    readonly pool: NonNullable<DbPlan["pool"]>;
    readonly endpoints: DbEndpoints;
    readonly shardEndpoints: readonly DbEndpoints[];
    /** The YAML sets a pool: the model's one pool per replica for the whole database, a gate across every server (service/db.ts). */
    readonly modelPool: boolean;
    /** Servers of another region: each real port to the region relay's port this process connects on (regions/start.ts). */
    readonly relayPorts?: Readonly<Record<string, number>>;
  };
  readonly queues: ReadonlyArray<QueuePlan & { readonly names: QueueNames }>;
  readonly amqpUrl: string;
  /** Products an order may name (the database's keys), also where this service does not call the database itself. */
  readonly productKeys?: number;
  /** Per service (or balancer) this one calls: the base URLs to call it on (service/peers.ts). */
  readonly peers?: Readonly<Record<string, readonly string[]>>;
  /**
   * Per called target (a service or its balancer) whose service has `retries` or a
   * `circuit_breaker`: that service's name and policies, run on every call to it (service/resilience.ts).
   */
  readonly peerResilience?: Readonly<Record<string, { readonly service: string; readonly spec: ResilienceSpec }>>;
  /** Cache-Control max-age on GET answers of classes served through the CDN. */
  readonly cdnTtl?: number;
  /** Export traces (reference-app/tracing.ts); absent: no tracing. */
  readonly tracing?: TracingConfig;
  /** The run's admin token: the launcher's failover tells the service about it on POST /admin/db. */
  readonly token?: string;
  /** The realtime component its handlers publish to (a call to it): channels and the backbone's Redis. */
  readonly realtime?: RealtimePublishConfig;
}

/** Where a server-side publish goes: the realtime component's channels on its backbone Redis. */
export interface RealtimePublishConfig {
  readonly name: string;
  readonly channels: RealtimePlan["channels"];
  readonly redis: { readonly port: number; readonly password: string };
}

/** One WebSocket server of a realtime component (realtime/main.ts). */
export interface RealtimeConfig {
  readonly role: "realtime";
  readonly index: number;
  readonly port: number;
  readonly seed: number;
  readonly realtime: RealtimePlan;
  readonly redis: { readonly port: number; readonly password: string };
}

export interface WorkerConfig {
  readonly role: "worker";
  readonly index: number;
  readonly port: number;
  /** The run's admin token: the worker's pause/resume endpoints require it. */
  readonly token: string;
  readonly seed: number;
  readonly queue: QueuePlan & { readonly names: QueueNames };
  /** `relayPorts`: the database's servers in another region than the queue's, as for a service. */
  readonly db?: DbPlan & { readonly endpoints: DbEndpoints; readonly relayPorts?: Readonly<Record<string, number>> };
  readonly amqpUrl: string;
  readonly tracing?: TracingConfig;
}

/** A function's dispatcher process (function/main.ts): its plan, port and the run's seed, and the cache and database its handlers call (with their passwords). */
export interface FunctionConfig {
  readonly role: "function";
  readonly port: number;
  readonly seed: number;
  readonly fn: FunctionPlan;
  readonly cache?: ServiceConfig["cache"];
  /** As a service's: the dispatcher's one pool (poolFor with its invocation slots). */
  readonly db?: ServiceConfig["db"];
}

/** The users' resilience gateway (gateway/main.ts): the entry service's retries and breaker, run in front of the entry. */
export interface GatewayConfig {
  readonly role: "gateway";
  readonly port: number;
  readonly seed: number;
  /** Where the users' requests went without it: the rate-limit gateway, HAProxy or the link relay's front (http). */
  readonly upstream: string;
  /** The entry service, whose `timeout`, `retries` and `circuit_breaker` these are. */
  readonly service: string;
  readonly spec: ResilienceSpec;
}

export function readConfig<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
