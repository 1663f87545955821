// The scenario's cache as a private redis-server on a free port: no persistence, allkeys-lru, and
// maxmemory sized so that it holds the YAML's capacity in keys. The per-key cost is measured with
// MEMORY USAGE on a value of the YAML's value_size, so the size follows this Redis build's overheads.
// Least privilege: bound to 127.0.0.1, no unix socket, and every client must AUTH with the run's
// random password (`requirepass`), given in a 0600 config file in a 0700 dir rather than on argv
// (which `ps` shows). Trade-off: one password for the launcher and the services alike (no ACL
// users per role), and `redis-cli` needs `-a`/`AUTH` with it.
import { Effect, Scope } from "effect";
import { mkdir, chmod, writeFile } from "node:fs/promises";
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

/** Measures bytes per cached key and sets maxmemory = baseline + capacity x that. */
async function sizeMemory(port: number, password: string, plan: CachePlan): Promise<{ maxmemory: number; bytesPerKey: number }> {
  const r = new Redis({ host: "127.0.0.1", port, password, maxRetriesPerRequest: 1 });
  try {
    const probe = "product:__probe__";
    const value = pad(JSON.stringify({ id: 0, name: "product 0", price_cents: 100, version: 0 }), plan.valueSize);
    await r.set(probe, value, "PX", 3_600_000);
    const bytesPerKey = Number(await r.call("MEMORY", "USAGE", probe, "SAMPLES", "0"));
    await r.del(probe);
    const info = await r.info("memory");
    const baseline = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    const maxmemory = baseline + plan.capacity * bytesPerKey;
    await r.config("SET", "maxmemory", String(maxmemory));
    return { maxmemory, bytesPerKey };
  } finally {
    r.disconnect();
  }
}

/** The run's redis.conf: no persistence, LRU, 127.0.0.1 only, no unix socket, the run's password. */
export function redisConfig(port: number, dir: string, password: string): string {
  return [
    `port ${port}`,
    "bind 127.0.0.1",
    "protected-mode yes",
    `requirepass ${password}`,
    'save ""',
    "appendonly no",
    `dir ${dir}`,
    "maxmemory-policy allkeys-lru",
    "daemonize no",
    "",
  ].join("\n");
}

export const startRedis = (plan: CachePlan, runPath: string, tools: Tools): Effect.Effect<RedisPart, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const dir = join(runPath, "state", "redis");
    const port = yield* freePort;
    const password = randomBytes(24).toString("hex");
    const confPath = join(dir, "redis.conf");
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dir, { recursive: true });
        await chmod(dir, 0o700);
        await writeFile(confPath, redisConfig(port, dir, password), { mode: 0o600 });
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
      try: () => sizeMemory(port, password, plan),
      catch: (e) => new StartFailed({ part: "redis", reason: `cannot size maxmemory: ${String(e)}` }),
    });
    return { port, password, control, ...sized };
  });
