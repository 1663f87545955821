// Turns a decoded scenario into the reference app's plan: which real part realizes each component,
// with its settings. Pure and synchronous, so a scenario the app cannot realize is rejected before
// anything starts. Reads the scenario structurally (the subset it needs), in normalized units.
import type { DistLike } from "./sampler.ts";
import { REDIS_SAMPLES } from "../simulator/index.ts";

/** Redis's largest maxmemory-samples (config.c bounds it to 1..64). */
const REDIS_MAX_SAMPLES = 64;

// ---------------------------------------------------------------- the scenario subset read here

export type StepIn =
  | { readonly visit: string; readonly service?: DistLike }
  | { readonly branch: ReadonlyArray<{ readonly p: number; readonly flow: ReadonlyArray<StepIn> }> }
  | { readonly call: string; readonly op?: string; readonly hit?: ReadonlyArray<StepIn>; readonly miss?: ReadonlyArray<StepIn>; readonly network?: DistLike }
  | { readonly parallel: ReadonlyArray<ReadonlyArray<StepIn>> }
  | { readonly publish: string; readonly network?: DistLike }
  | { readonly service: DistLike };

export interface ScenarioIn {
  readonly name: string;
  readonly seed?: number;
  readonly simulation?: { readonly interval?: number };
  readonly regions?: Readonly<Record<string, unknown>>;
  readonly geo?: Readonly<Record<string, unknown>>;
  readonly failures?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly load: {
    readonly regions?: Readonly<Record<string, number>>;
    readonly classes: Readonly<Record<string, {
      readonly weight?: number;
      readonly http?: { readonly method?: string; readonly path: string };
      readonly keys?: { readonly count: number };
      readonly flow: ReadonlyArray<StepIn>;
    }>>;
  };
  readonly components: Readonly<Record<string, { readonly kind: string } & Record<string, unknown>>>;
}

// ---------------------------------------------------------------- the plan

export type Step = StepIn;

/** A CDN without `ttl`: the simulator keeps objects forever, nginx for a year (max-age and inactive). */
export const CDN_TTL_UNSET_S = 365 * 24 * 3600;

export interface ClassPlan {
  readonly name: string;
  readonly method: string;
  /** The path template, e.g. /products/{key}. */
  readonly path: string;
  /** Keys are integers 0..keyCount-1 when the path has {key}. */
  readonly keyCount?: number;
  /** Where a client sends it: through the CDN or straight to the load balancer. */
  readonly via: "cdn" | "lb";
}

export interface LbPlan {
  readonly name: string;
  readonly algorithm: string;
  readonly maxconn?: number;
  readonly queueTimeout: number;
  /** HAProxy `retries`: attempts on a refused connection, 1 s apart, before a 503. */
  readonly connectRetries: number;
  readonly weights?: readonly number[];
  readonly health: { readonly interval: number; readonly rise: number; readonly fall: number };
  /** The YAML's token bucket, realized by an nginx gateway in front of HAProxy (see nginxRateLimit). */
  readonly rateLimit?: RateLimitPlan;
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
  readonly handlers: Readonly<Record<string, readonly Step[]>>;
  readonly network?: DistLike;
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
  readonly replicas: number;
  readonly readFrom: "primary" | "replicas" | "any";
  readonly lag?: DistLike;
  readonly maxConnections: number;
  readonly pool: { readonly size: number; readonly timeout: number };
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
}

export interface CdnPlan {
  readonly name: string;
  readonly ttl: number;
}

export interface AppPlan {
  readonly name: string;
  readonly seed: number;
  readonly interval: number;
  readonly classes: readonly ClassPlan[];
  readonly lb?: LbPlan;
  readonly service: ServicePlan;
  readonly cache?: CachePlan;
  readonly db?: DbPlan;
  readonly queues: readonly QueuePlan[];
  readonly cdn?: CdnPlan;
}

/** Why a scenario cannot be realized: the field and the reason. */
export interface PlanIssue {
  readonly field: string;
  readonly reason: string;
}

export const REALIZED_KINDS = ["load_balancer", "service", "cache", "database", "queue", "cdn"] as const;

// ---------------------------------------------------------------- planning

const num = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
// Names come from the file: read only the record's own entries, never Object.prototype's
// (`constructor`, `toString`, ...).
const own = <V>(r: Readonly<Record<string, V>> | undefined, k: string): V | undefined => (r !== undefined && Object.hasOwn(r, k) ? r[k] : undefined);

export function planApp(s: ScenarioIn): { ok: true; plan: AppPlan } | { ok: false; issues: PlanIssue[] } {
  const issues: PlanIssue[] = [];
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
  const serviceName = one("service");
  const lbName = one("load_balancer");
  const cacheName = one("cache");
  const dbName = one("database");
  const cdnName = one("cdn");
  if (!serviceName) issues.push({ field: "components", reason: "the reference app needs one component of kind service" });

  const c = (name: string) => own(s.components, name) as Record<string, unknown>;
  refuseUnrealizedFeatures(s, serviceName, issues);

  let service: ServicePlan | undefined;
  if (serviceName) {
    const sv = c(serviceName);
    const handlers = Object.assign(Object.create(null) as Record<string, readonly Step[]>, sv.handlers ?? {});
    // As in the simulator: a class without a handler does the service's own `service` time.
    for (const cls of Object.keys(s.load.classes)) {
      if (own(handlers, cls)) continue;
      if (sv.service !== undefined) handlers[cls] = [{ service: sv.service } as unknown as Step];
      else issues.push({ field: `components.${serviceName}.handlers`, reason: `no handler for class '${cls}' and no service time` });
    }
    const autoscaling = sv.autoscaling !== undefined ? scalingPlan(sv.autoscaling as Record<string, unknown>) : undefined;
    service = {
      name: serviceName,
      replicas: num(sv.replicas, 1),
      places: Math.max(num(sv.replicas, 1), autoscaling?.max ?? 0),
      autoscaling,
      concurrency: num(sv.concurrency, 1),
      backlog: typeof sv.backlog === "number" ? sv.backlog : undefined,
      timeout: typeof sv.timeout === "number" ? sv.timeout : undefined,
      handlers,
      network: sv.network as DistLike | undefined,
    };
    for (const [cls, steps] of Object.entries(handlers)) {
      if (!own(s.load.classes, cls)) issues.push({ field: `components.${serviceName}.handlers.${cls}`, reason: "no request class of that name in load.classes" });
      checkSteps(steps, `components.${serviceName}.handlers.${cls}`, s, issues);
    }
  }

  let lb: LbPlan | undefined;
  if (lbName) {
    const l = c(lbName);
    if (l.backends !== serviceName) {
      issues.push({ field: `components.${lbName}.backends`, reason: `must name the service '${serviceName}'` });
    }
    const hc = (l.health_check ?? {}) as Record<string, unknown>;
    lb = {
      name: lbName,
      algorithm: String(l.algorithm ?? "round_robin"),
      maxconn: typeof l.maxconn === "number" ? l.maxconn : undefined,
      queueTimeout: num(l.queue_timeout, 5),
      connectRetries: num(l.connect_retries, 3),
      weights: l.weights as number[] | undefined,
      health: { interval: num(hc.interval, 2), rise: num(hc.rise, 2), fall: num(hc.fall, 3) },
      rateLimit: l.rate_limit !== undefined ? nginxRateLimit(l.rate_limit as { rate: number; burst?: number }, `components.${lbName}.rate_limit`, issues) : undefined,
    };
    if (lb.weights && service && lb.weights.length !== service.places) {
      issues.push({ field: `components.${lbName}.weights`, reason: `has ${lb.weights.length} weights for ${service.places} replicas` });
    }
  } else if (service && service.places > 1) {
    issues.push({
      field: `components.${serviceName}.${service.autoscaling ? "autoscaling" : "replicas"}`,
      reason: service.autoscaling
        ? "auto-scaling needs a load_balancer in front of the service (new replicas join it through HAProxy's runtime API)"
        : "more than one replica needs a load_balancer in front of the service",
    });
  }

  let cache: CachePlan | undefined;
  if (cacheName) {
    const k = c(cacheName);
    cache = {
      name: cacheName,
      capacity: num(k.capacity, 1000),
      ttl: typeof k.ttl === "number" ? k.ttl : undefined,
      valueSize: num(k.value_size, 1000),
      service: (k.service as DistLike | undefined) ?? { dist: "constant", value: 0 },
      evictionSamples: k.eviction === "sampled" ? num(k.samples, REDIS_SAMPLES) : REDIS_MAX_SAMPLES,
      // the widest key the classes draw (or the database holds): sizing writes keys that long
      largestKey: Math.max(0, ...Object.values(s.load.classes).map((cl) => num(cl.keys?.count, 1) - 1), dbName ? num(c(dbName).keys, 10000) - 1 : 0),
    };
  }

  let db: DbPlan | undefined;
  if (dbName) {
    const d = c(dbName);
    if (d.shards) issues.push({ field: `components.${dbName}.shards`, reason: "sharding is not realized by the reference app (one primary with replicas only)" });
    const pool = (d.pool ?? {}) as Record<string, unknown>;
    db = {
      name: dbName,
      keys: num(d.keys, 10000),
      read: d.read as DistLike,
      write: d.write as DistLike,
      replicas: num(d.replicas, 0),
      readFrom: (d.read_from as DbPlan["readFrom"]) ?? "primary",
      lag: d.replication_lag as DistLike | undefined,
      maxConnections: num(d.max_connections, 100),
      pool: { size: num(pool.size, 10), timeout: num(pool.timeout, 30) },
    };
    if (db.readFrom !== "primary" && db.replicas === 0) {
      issues.push({ field: `components.${dbName}.read_from`, reason: `is '${db.readFrom}' but replicas is 0` });
    }
    const perServer = (service?.places ?? 1) * db.pool.size + 5;
    if (perServer > db.maxConnections) {
      issues.push({ field: `components.${dbName}.max_connections`, reason: `${db.maxConnections} is below the ${perServer} connections the service pools (+5 for workers and monitoring) can open` });
    }
  }

  const queues: QueuePlan[] = [];
  for (const name of byKind.get("queue") ?? []) {
    const q = c(name);
    if (q.partitions !== undefined) issues.push({ field: `components.${name}.partitions`, reason: "partitioned (Kafka-style) queues are not realized by the reference app; RabbitMQ queues only" });
    const handler = (q.handler ?? []) as readonly Step[];
    handler.forEach((step, i) => {
      const target = "call" in step ? own(s.components, step.call) : undefined;
      if (target?.kind !== "database" || !("call" in step) || (step.op !== "read" && step.op !== "write")) {
        issues.push({ field: `components.${name}.handler[${i}]`, reason: "a worker's handler can only hold { call: <database>, op: read | write } steps in the reference app" });
      }
    });
    queues.push({
      name,
      workers: num(q.workers, 1),
      prefetch: num(q.prefetch, 1),
      service: q.service as DistLike,
      handler,
      maxLength: typeof q.max_length === "number" ? q.max_length : undefined,
      overflow: (q.overflow as QueuePlan["overflow"]) ?? "reject_publish",
      retries: num(q.retries, 0),
      failureRate: num(q.failure_rate, 0),
    });
  }

  let cdn: CdnPlan | undefined;
  if (cdnName) {
    const d = c(cdnName);
    if (lb?.rateLimit) {
      issues.push({ field: `components.${lbName}.rate_limit`, reason: `a rate-limited balancer behind the CDN '${cdnName}' is not realized (the limit's nginx gateway would sit between the edge cache and HAProxy)` });
    }
    if (d.origin !== lbName) issues.push({ field: `components.${cdnName}.origin`, reason: `the reference app puts the CDN in front of the load balancer; origin must be '${lbName}'` });
    // Without a ttl the simulator's edge never expires an object; a year is nginx's stand-in.
    cdn = { name: cdnName, ttl: num(d.ttl, CDN_TTL_UNSET_S) };
  }

  const classes: ClassPlan[] = [];
  for (const [name, cl] of Object.entries(s.load.classes)) {
    const field = `load.classes.${name}`;
    if (!cl.http) {
      issues.push({ field: `${field}.http`, reason: "the reference app needs { method, path } to serve this class" });
      continue;
    }
    const first = cl.flow[0] as Record<string, unknown> | undefined;
    const target = first && typeof first.call === "string" ? first.call : undefined;
    let via: ClassPlan["via"] = "lb";
    if (target && target === cdnName) via = "cdn";
    else if (target !== lbName && target !== serviceName) {
      issues.push({ field: `${field}.flow`, reason: `must start with { call: ${[cdnName, lbName, serviceName].filter(Boolean).join(" | ")} } so the reference app can serve it` });
    }
    const placeholders = cl.http.path.match(/\{[^}]*\}/g) ?? [];
    if (placeholders.some((p) => p !== "{key}") || placeholders.length > 1) {
      issues.push({ field: `${field}.http.path`, reason: "the only path parameter the reference app serves is one {key}" });
    }
    const keyCount = placeholders.length ? (cl.keys?.count ?? db?.keys) : undefined;
    if (placeholders.length && keyCount === undefined) {
      issues.push({ field: `${field}.keys`, reason: "a path with {key} needs keys.count (or a database's keys)" });
    }
    classes.push({ name, method: cl.http.method ?? "GET", path: cl.http.path, keyCount, via });
  }

  if (issues.length > 0 || !service) return { ok: false, issues };
  return {
    ok: true,
    plan: {
      name: s.name,
      seed: s.seed ?? 1,
      interval: s.simulation?.interval ?? 1,
      classes,
      lb,
      service,
      cache,
      db,
      queues,
      cdn,
    },
  };
}

/** TCP ports a run of the plan listens on: every process plus the admin endpoint. */
export function portsNeeded(plan: AppPlan): number {
  return (
    1 +
    (plan.db ? 1 + plan.db.replicas : 0) +
    (plan.cache ? 1 : 0) +
    plan.service.places +
    plan.queues.reduce((n, q) => n + q.workers, 0) +
    (plan.lb ? 1 : 0) +
    (plan.lb?.rateLimit ? 1 : 0) +
    (plan.cdn ? 1 : 0)
  );
}

// Features the simulator models but the real app has no part for. Each is refused by name rather
// than ignored, so a measured run is never compared with a prediction of a different system.
const UNREALIZED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  service: {
    retries: "retries belong to the service's callers; under app up those are the k6 load, which does not retry (validate:dynamics sends such a scenario from its own client, which does)",
    circuit_breaker: "a circuit breaker belongs to the service's callers; under app up those are the k6 load, which has none (validate:dynamics sends such a scenario from its own client, which has it)",
  },
};

function scalingPlan(a: Record<string, unknown>): ScalingPlan {
  const metric = a.metric === "in_flight" || a.metric === "rps" ? a.metric : "utilization";
  return {
    min: num(a.min, 1),
    max: num(a.max, 1),
    metric,
    target: num(a.target, 0.7),
    interval: num(a.interval, 10),
    step_out: typeof a.step_out === "number" ? a.step_out : undefined,
    step_in: num(a.step_in, 1),
    cooldown_out: num(a.cooldown_out, 30),
    cooldown_in: num(a.cooldown_in, 120),
    boot: num(a.boot, 30),
  };
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

function refuseUnrealizedFeatures(s: ScenarioIn, serviceName: string | undefined, issues: PlanIssue[]): void {
  const single = "the reference app runs on one host, in one region";
  if (s.regions !== undefined) issues.push({ field: "regions", reason: `regions and inter-region latency are not realized: ${single}` });
  if (s.geo !== undefined) issues.push({ field: "geo", reason: `geo routing is not realized: ${single}` });
  if (s.load.regions !== undefined) issues.push({ field: "load.regions", reason: `users placed in regions are not realized: ${single}` });
  for (const [name, comp] of Object.entries(s.components)) {
    const c = comp as Record<string, unknown>;
    if (c.region !== undefined) issues.push({ field: `components.${name}.region`, reason: `regions are not realized: ${single}` });
    for (const [feature, reason] of Object.entries(UNREALIZED[String(c.kind)] ?? {})) {
      if (c[feature] !== undefined) issues.push({ field: `components.${name}.${feature}`, reason });
    }
  }
  // Scheduled crashes of service replicas and cache losses are injected through the app's faults by
  // the validation harness (validation/measure.ts, validation/cache-loss-validate.ts).
  (s.failures ?? []).forEach((f, i) => {
    const field = `failures[${i}]`;
    if (typeof f.crash === "string" && f.at !== undefined) {
      if (f.crash !== serviceName) issues.push({ field: `${field}.crash`, reason: `only the service '${serviceName ?? "?"}' can be crashed in the reference app` });
      return;
    }
    // A scheduled cache loss (the model holds `lose` to a cache) is the admin's FLUSHALL, injected
    // by validation/cache-loss-validate.ts.
    if (typeof f.lose === "string" && f.at !== undefined) return;
    const what = "fail_primary" in f ? "a database failover (fail_primary)" : "lose" in f ? "losing a cache (lose)" : "region" in f ? "a region outage" : "random failures (mtbf/mttr)";
    issues.push({ field, reason: `${what} is not realized by the reference app: only scheduled crashes of service replicas ({ at, crash: <service>, replica, restart_after }) and cache losses ({ at, lose: <cache> }) are injected` });
  });
}

function checkSteps(steps: readonly Step[], field: string, s: ScenarioIn, issues: PlanIssue[]): void {
  steps.forEach((step, i) => {
    const f = `${field}[${i}]`;
    if ("visit" in step) {
      issues.push({ field: f, reason: "'visit' steps name abstract stations; a service handler can use service, call, publish, branch, parallel" });
    } else if ("call" in step) {
      const target = own(s.components, step.call);
      if (!target) issues.push({ field: `${f}.call`, reason: `no component named '${step.call}'` });
      else if (target.kind === "cache") {
        if (step.op !== "get" && step.op !== "set" && step.op !== "delete") issues.push({ field: `${f}.op`, reason: "a cache call needs op: get | set | delete" });
      } else if (target.kind === "database") {
        if (step.op !== "read" && step.op !== "write") issues.push({ field: `${f}.op`, reason: "a database call needs op: read | write" });
      } else issues.push({ field: `${f}.call`, reason: `a handler can call a cache or a database, not a ${target.kind}` });
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
