// The scenario's cache as a private redis-server on a free port: no persistence, allkeys-lru with
// the plan's maxmemory-samples (the model's `eviction`), and maxmemory sized so that it holds the
// YAML's capacity in keys: measured by filling it with keys of the YAML's value_size at start, so
// the size follows this Redis build's overheads.
// Least privilege: bound to 127.0.0.1, no unix socket, and every client must AUTH with the run's
// random password (`requirepass`), given in a 0600 config file in a 0700 dir rather than on argv
// (which `ps` shows). Trade-off: one password for the launcher and the services alike (no ACL
// users per role), and `redis-cli` needs `-a`/`AUTH` with it.
import { Effect, Scope } from "effect";
import { appendFile, mkdir, chmod, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Redis } from "ioredis";
import { StartFailed, PortsExhausted } from "../errors.ts";
import { freePort, restartable, waitReady, type RestartableProc } from "../resources.ts";
import type { CachePlan } from "../plan.ts";
import type { Tools } from "../preflight.ts";
import { pad } from "../service/cache.ts";

export interface RedisPart {
  readonly port: number;
  /** The run's Redis password (requirepass). */
  readonly password: string;
  readonly maxmemory: number;
  readonly bytesPerKey: number;
  /** Keys held under that maxmemory in the last sizing trial (the YAML's capacity within 1%). */
  readonly held: number;
  readonly control: RestartableProc;
}

/** True when the Redis on `port` answers and is process `pid` (INFO's process_id), not another server. */
async function ping(port: number, password: string, pid: number): Promise<boolean> {
  const r = new Redis({ host: "127.0.0.1", port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 2000 });
  r.on("error", () => {});
  try {
    await r.connect();
    if ((await r.ping()) !== "PONG") return false;
    const id = /process_id:(\d+)/.exec(await r.info("server"))?.[1];
    if (id !== String(pid)) throw new Error(`127.0.0.1:${port} answers as Redis process ${id ?? "?"}, not ${pid}: another program has the port`);
    return true;
  } finally {
    r.disconnect();
  }
}

const SIZING_KEYS = 100_000;

/**
 * Sizes maxmemory so that Redis, evicting, holds the YAML's capacity in keys. Keys shaped like the
 * service's (`product:<n>`, the padded value, the TTL when the YAML has one) are written with no
 * limit: the growth of used_memory per key (dict buckets and allocator rounding included) gives a
 * first maxmemory. That is not what an evicting Redis holds (the clients' buffers and the memory a
 * flush leaves allocated count too: a 500-key cache of 100-byte values held 354 to 412 keys), so
 * the size is then corrected by trial: twice the capacity in keys is written under the limit, the
 * keys held are counted, and maxmemory is scaled until they are within 1% (at most 4 trials, under
 * a second for 10k keys). `clients` more connections (about 17 kB of buffers each) are allowed
 * for. Past SIZING_KEYS keys the first estimate is used, extrapolated per key.
 */
async function sizeMemory(port: number, password: string, plan: CachePlan, clients: number): Promise<{ maxmemory: number; bytesPerKey: number; held: number }> {
  const r = new Redis({ host: "127.0.0.1", port, password, maxRetriesPerRequest: 1 });
  try {
    const value = pad(JSON.stringify({ id: 0, name: "product 0", price_cents: 100, version: 0 }), plan.valueSize);
    const memory = async () => {
      const info = await r.info("memory");
      const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? 0);
      return { used: field("used_memory"), clients: field("mem_clients_normal") };
    };
    // keys as long as the widest the run uses (a key's memory grows with its length)
    const first = Math.max(0, 10 ** (String(plan.largestKey).length - 1) - 1);
    const write = async (n: number) => {
      for (let from = 0; from < n; from += 100) {
        const p = r.pipeline();
        for (let i = from; i < Math.min(n, from + 100); i++) {
          if (plan.ttl !== undefined) p.set(`product:${first + i}`, value, "PX", 3_600_000);
          else p.set(`product:${first + i}`, value);
        }
        await p.exec();
      }
    };
    const fillN = Math.min(plan.capacity, SIZING_KEYS);
    await write(fillN);
    await r.flushall("SYNC");
    const empty = await memory();
    await write(fillN);
    const bytesPerKey = ((await memory()).used - empty.used) / fillN;
    await r.flushall("SYNC");
    // the sizing client is one of the connections already counted in `empty`
    const others = Math.max(0, clients - 1) * empty.clients;
    let data = plan.capacity * bytesPerKey;
    let held = plan.capacity;
    for (let trial = 0; trial < 4 && plan.capacity <= SIZING_KEYS; trial++) {
      await r.config("SET", "maxmemory", String(Math.round(empty.used + data)));
      await write(2 * plan.capacity);
      held = await r.dbsize();
      await r.flushall("SYNC");
      if (Math.abs(held - plan.capacity) <= Math.max(1, 0.01 * plan.capacity)) break;
      data *= plan.capacity / Math.max(1, held);
    }
    const maxmemory = Math.round(empty.used + data + others);
    await r.config("SET", "maxmemory", String(maxmemory));
    return { maxmemory, bytesPerKey: Math.round(bytesPerKey), held };
  } finally {
    r.disconnect();
  }
}

/** The run's redis.conf: no persistence, LRU, 127.0.0.1 only, no unix socket, the run's password. */
export function redisConfig(port: number, dir: string, password: string, evictionSamples: number): string {
  return [
    `port ${port}`,
    "bind 127.0.0.1",
    "protected-mode yes",
    `requirepass ${password}`,
    'save ""',
    "appendonly no",
    `dir ${dir}`,
    "maxmemory-policy allkeys-lru",
    `maxmemory-samples ${evictionSamples}`,
    "daemonize no",
    "",
  ].join("\n");
}

/** `clients`: the connections the run will hold (service replicas, workers, the collector). */
export const startRedis = (plan: CachePlan, runPath: string, tools: Tools, clients = 1): Effect.Effect<RedisPart, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const dir = join(runPath, "state", "redis");
    const port = yield* freePort;
    const password = randomBytes(24).toString("hex");
    const confPath = join(dir, "redis.conf");
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dir, { recursive: true });
        await chmod(dir, 0o700);
        await writeFile(confPath, redisConfig(port, dir, password, plan.evictionSamples), { mode: 0o600 });
      },
      catch: (e) => new StartFailed({ part: "redis", reason: `cannot write ${confPath}: ${String(e)}` }),
    });
    const control = yield* restartable(
      {
        name: "redis",
        command: tools.redisServer,
        args: [confPath],
        logDir: join(runPath, "logs"),
      },
      (p) => waitReady("redis", p, () => ping(port, password, p.pid)),
    );
    const sized = yield* Effect.tryPromise({
      try: () => sizeMemory(port, password, plan, clients),
      catch: (e) => new StartFailed({ part: "redis", reason: `cannot size maxmemory: ${String(e)}` }),
    });
    // The size goes into the config file too, so a restarted Redis (the cache-loss fault: killed
    // and started again, empty) holds the same keys as the one sized here.
    yield* Effect.tryPromise({
      try: () => appendFile(confPath, `maxmemory ${sized.maxmemory}\n`),
      catch: (e) => new StartFailed({ part: "redis", reason: `cannot write ${confPath}: ${String(e)}` }),
    });
    return { port, password, control, ...sized };
  });

export interface BackbonePart {
  readonly port: number;
  /** Its own per-run password (requirepass), apart from the cache's. */
  readonly password: string;
  readonly control: RestartableProc;
}

/**
 * A realtime component's backbone: a private redis-server used only for pub/sub (no keys, no
 * maxmemory), with the same least-privilege settings as the cache's (127.0.0.1, no unix socket, a
 * per-run password in a 0600 file in a 0700 dir). Its own process, so the model's backbone (one
 * server, FIFO) is not shared with the cache's work.
 */
export const startBackboneRedis = (name: string, runPath: string, tools: Tools): Effect.Effect<BackbonePart, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const label = `redis-${name}`;
    const dir = join(runPath, "state", label);
    const port = yield* freePort;
    const password = randomBytes(24).toString("hex");
    const confPath = join(dir, "redis.conf");
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dir, { recursive: true });
        await chmod(dir, 0o700);
        await writeFile(confPath, redisConfig(port, dir, password, 5), { mode: 0o600 });
      },
      catch: (e) => new StartFailed({ part: label, reason: `cannot write ${confPath}: ${String(e)}` }),
    });
    const control = yield* restartable(
      { name: label, command: tools.redisServer, args: [confPath], logDir: join(runPath, "logs") },
      (p) => waitReady(label, p, () => ping(port, password, p.pid)),
    );
    return { port, password, control };
  });
