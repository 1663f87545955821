// The scenario's cache as a private redis-server on a free port: no persistence, allkeys-lru, and
// maxmemory sized so that it holds the YAML's capacity in keys. The per-key cost is measured with
// MEMORY USAGE on a value of the YAML's value_size, so the size follows this Redis build's overheads.
import { Effect, Scope } from "effect";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { StartFailed, PortsExhausted } from "../errors.ts";
import { freePort, restartable, waitReady, type RestartableProc } from "../resources.ts";
import type { CachePlan } from "../plan.ts";
import type { Tools } from "../preflight.ts";
import { pad } from "../service/cache.ts";

export interface RedisPart {
  readonly port: number;
  readonly maxmemory: number;
  readonly bytesPerKey: number;
  readonly control: RestartableProc;
}

/** True when the Redis on `port` answers and is process `pid` (INFO's process_id), not another server. */
async function ping(port: number, pid: number): Promise<boolean> {
  const r = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 2000 });
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
async function sizeMemory(port: number, plan: CachePlan): Promise<{ maxmemory: number; bytesPerKey: number }> {
  const r = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1 });
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

export const startRedis = (plan: CachePlan, runPath: string, tools: Tools): Effect.Effect<RedisPart, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const dir = join(runPath, "state", "redis");
    yield* Effect.promise(() => mkdir(dir, { recursive: true }));
    const port = yield* freePort;
    const control = yield* restartable(
      {
        name: "redis",
        command: tools.redisServer,
        args: [
          "--port", String(port),
          "--bind", "127.0.0.1",
          "--save", "",
          "--appendonly", "no",
          "--dir", dir,
          "--maxmemory-policy", "allkeys-lru",
          "--daemonize", "no",
        ],
        logDir: join(runPath, "logs"),
      },
      (p) => waitReady("redis", p, () => ping(port, p.pid)),
    );
    const sized = yield* Effect.tryPromise({
      try: () => sizeMemory(port, plan),
      catch: (e) => new StartFailed({ part: "redis", reason: `cannot size maxmemory: ${String(e)}` }),
    });
    return { port, control, ...sized };
  });
