// The service's side of cache-aside on the run's private Redis: GET, SET with the YAML's TTL and
// values padded to the YAML's value_size (so Redis maxmemory, sized from capacity x value_size,
// holds `capacity` keys). A failing Redis counts as a miss: the service degrades to the database.
import { Redis } from "ioredis";
import type { CachePlan } from "../plan.ts";
import type { ServiceMetrics } from "./metrics.ts";

export class Cache {
  private readonly redis: Redis;

  constructor(
    private readonly plan: CachePlan & { port: number; password: string },
    private readonly metrics: ServiceMetrics,
  ) {
    this.redis = new Redis({ host: "127.0.0.1", port: plan.port, password: plan.password, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    this.redis.on("error", () => { /* reported per operation */ });
  }

  /**
   * Resolves once the connection is ready (it rejects commands before: no offline queue); a Redis
   * of another region is reached over the relay, so its connection and AUTH take a few crossings.
   */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.redis.status === "ready") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`redis on 127.0.0.1:${this.plan.port} not ready after ${timeoutMs} ms`)), timeoutMs);
      this.redis.once("ready", () => (clearTimeout(t), resolve()));
    });
  }

  /** The cached value, or undefined on a miss (or when Redis is unreachable). */
  async get(key: string): Promise<string | undefined> {
    try {
      const t0 = performance.now();
      const v = await this.redis.get(key);
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
      if (this.plan.ttl !== undefined) await this.redis.set(key, padded, "PX", Math.max(1, Math.round(this.plan.ttl * 1000)));
      else await this.redis.set(key, padded);
      this.metrics.callTime.observe({ kind: "cache", op: "set" }, (performance.now() - t0) / 1000);
    } catch {
      this.metrics.cacheErrors.inc();
    }
  }

  async delete(key: string): Promise<void> {
    try {
      const t0 = performance.now();
      await this.redis.del(key);
      this.metrics.callTime.observe({ kind: "cache", op: "delete" }, (performance.now() - t0) / 1000);
    } catch {
      this.metrics.cacheErrors.inc();
    }
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
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
