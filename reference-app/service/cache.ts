// The service's side of cache-aside on the run's private Redis: GET, SET with the YAML's TTL and
// values padded to the YAML's value_size (so Redis maxmemory, sized from capacity x value_size,
// holds `capacity` keys). A failing Redis counts as a miss: the service degrades to the database.
// One connection, or with `connections` (a cache with a link: config.ts) a pool the commands take
// an idle connection from (the least busy when none is idle), so replies to concurrent calls are on
// different connections and cross the link side by side; trades Redis clients for that.
import { Redis } from "ioredis";
import type { CachePlan } from "../plan.ts";
import type { ServiceMetrics } from "./metrics.ts";

export class Cache {
  private readonly pool: Redis[];
  /** Commands in flight per connection of the pool. */
  private readonly busy: Int32Array;

  constructor(
    private readonly plan: CachePlan & { port: number; password: string; connections?: number },
    private readonly metrics: ServiceMetrics,
  ) {
    this.pool = Array.from({ length: Math.max(1, plan.connections ?? 1) }, () => {
      const r = new Redis({ host: "127.0.0.1", port: plan.port, password: plan.password, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
      r.on("error", () => { /* reported per operation */ });
      return r;
    });
    this.busy = new Int32Array(this.pool.length);
  }

  /** Runs f on an idle connection (the least busy if none is). */
  private async use<T>(f: (r: Redis) => Promise<T>): Promise<T> {
    let i = 0;
    for (let j = 1; j < this.busy.length && this.busy[i] > 0; j++) if (this.busy[j] < this.busy[i]) i = j;
    this.busy[i]++;
    try {
      return await f(this.pool[i]!);
    } finally {
      this.busy[i]--;
    }
  }

  /**
   * Resolves once the connection is ready (it rejects commands before: no offline queue); a Redis
   * of another region is reached over the relay, so its connection and AUTH take a few crossings.
   */
  async ready(timeoutMs = 10_000): Promise<void> {
    await Promise.all(this.pool.map((r) => r.status === "ready" ? undefined : new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`redis on 127.0.0.1:${this.plan.port} not ready after ${timeoutMs} ms`)), timeoutMs);
      r.once("ready", () => (clearTimeout(t), resolve()));
    })));
  }

  /** The cached value, or undefined on a miss (or when Redis is unreachable). */
  async get(key: string): Promise<string | undefined> {
    try {
      const t0 = performance.now();
      const v = await this.use((r) => r.get(key));
      this.metrics.callTime.observe({ kind: "cache", op: "get" }, (performance.now() - t0) / 1000);
      if (v === null) {
        this.metrics.cacheMisses.inc();
        return undefined;
      }
      this.metrics.cacheHits.inc();
      return v;
    } catch {
      this.metrics.cacheErrors.inc();
      this.metrics.cacheMisses.inc();
      return undefined;
    }
  }

  async set(key: string, value: string): Promise<void> {
    const padded = pad(value, this.plan.valueSize);
    try {
      const t0 = performance.now();
      const ttl = this.plan.ttl;
      if (ttl !== undefined) await this.use((r) => r.set(key, padded, "PX", Math.max(1, Math.round(ttl * 1000))));
      else await this.use((r) => r.set(key, padded));
      this.metrics.callTime.observe({ kind: "cache", op: "set" }, (performance.now() - t0) / 1000);
    } catch {
      this.metrics.cacheErrors.inc();
    }
  }

  async delete(key: string): Promise<void> {
    try {
      const t0 = performance.now();
      await this.use((r) => r.del(key));
      this.metrics.callTime.observe({ kind: "cache", op: "delete" }, (performance.now() - t0) / 1000);
    } catch {
      this.metrics.cacheErrors.inc();
    }
  }

  async ping(): Promise<void> {
    await this.pool[0]!.ping();
  }

  async close(): Promise<void> {
    for (const r of this.pool) r.disconnect();
  }
}

/** Pads a JSON object to exactly `size` bytes with a "pad" field (no-op when it is already longer). */
export function pad(json: string, size: number): string {
  const bare = json.endsWith("}") ? json.slice(0, -1) : json;
  const overhead = ',"pad":""}'.length;
  const room = size - Buffer.byteLength(bare) - overhead;
  if (room < 0) return json;
  return `${bare},"pad":"${"x".repeat(room)}"}`;
}

/** The original JSON of a padded value. */
export function unpad(value: string): string {
  const i = value.lastIndexOf(',"pad":"');
  return i < 0 ? value : value.slice(0, i) + "}";
}
