// Test load for regions in `app up`: open Poisson arrivals, each from an origin region drawn by the
// load's shares and sent to that region's own entry (its geo router), timed by the client, so a
// test can compare each region's users' latency with the model's per-region result. Used by the
// regions e2e tests (app-regions, app-regions-stores) and the regions validation (validation/regions-validate.ts).
// driveRegionClasses sends the scenario's class mix instead: each arrival's class drawn by weight
// and its key by the class's popularity, a class served through the CDN sent to the edge's server
// of its origin region (app-regions-cdn.e2e.test.ts).
import { KeySampler, Rng } from "../../simulator/random.ts";
import type { Scenario } from "../../simulator/model/index.ts";
import type { RunningApp } from "../launcher.ts";

export interface RegionSample {
  readonly origin: string;
  /** When it was sent: seconds from the load's start (its scheduled Poisson time). */
  readonly at: number;
  readonly ms: number;
  /** HTTP status; 0 when no answer came (refused, reset or 10 s without one). */
  readonly status: number;
}

/**
 * A request of driveRegionClasses: its class and key, and for a class served through the CDN the
 * edge's X-Cache-Status (HIT, MISS...), else the service's `cache` field ("hit" or "miss") when
 * its answer has one (a cache-aside read).
 */
export interface ClassSample extends RegionSample {
  readonly cls: string;
  readonly key?: number;
  readonly cache?: string;
}

/**
 * Open Poisson arrivals at `rate` for `seconds` (random stream `stream` of `seed`): each from an
 * origin region drawn by the load's shares, sent to the URL `target` gives for that origin at the
 * moment of its scheduled time (the client's clock: it waits for that moment).
 */
async function drivePoisson<T extends RegionSample>(
  app: RunningApp, rate: number, seconds: number, seed: number, stream: string,
  target: (origin: string, rng: Rng) => { url: string; tag: (res: Response | undefined, body: string) => Omit<T, keyof RegionSample> },
): Promise<T[]> {
  const rng = new Rng(seed, 0, stream);
  const origins = app.plan.regions!.origins;
  const out: Promise<T>[] = [];
  const t0 = performance.now();
  let t = 0;
  for (;;) {
    t += -Math.log(1 - rng.next()) / rate;
    if (t >= seconds) break;
    const u = rng.next();
    let acc = 0;
    const origin = origins.find((o) => (acc += o.share) > u)?.region ?? origins[origins.length - 1]!.region;
    const { url, tag } = target(origin, rng);
    const wait = t0 + t * 1000 - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const at = t;
    out.push((async () => {
      const start = performance.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        const body = await res.text();
        return { origin, at, ms: performance.now() - start, status: res.status, ...tag(res, body) } as T;
      } catch {
        return { origin, at, ms: performance.now() - start, status: 0, ...tag(undefined, "") } as T;
      }
    })());
  }
  return Promise.all(out);
}

/** Open Poisson arrivals at `rate` for `seconds` (random stream `stream` of `seed`), GET `path` at each origin's entry. */
export function driveRegions(app: RunningApp, rate: number, seconds: number, seed: number, stream: string, path = "/items"): Promise<RegionSample[]> {
  const urls = app.regions!.originUrls;
  return drivePoisson<RegionSample>(app, rate, seconds, seed, stream, (origin) => ({ url: `${urls[origin]}${path}`, tag: () => ({}) }));
}

/**
 * Open Poisson arrivals at `rate` for `seconds` with the scenario's class mix (GET classes only):
 * a class by weight, its `{key}` by its key popularity, sent to its origin region's entry, or to
 * the CDN's server for that region when the class is served through the CDN.
 */
export function driveRegionClasses(app: RunningApp, s: Scenario, rate: number, seconds: number, seed: number, stream: string): Promise<ClassSample[]> {
  const classes = app.plan.classes.map((c) => {
    const cl = s.load.classes[c.name]!;
    if (c.method !== "GET") throw new Error(`load.classes.${c.name}: driveRegionClasses sends GET requests only`);
    const keys = c.keyCount !== undefined ? new KeySampler(c.keyCount, cl.keys?.popularity === "zipf" ? (cl.keys.s ?? 1) : 0) : undefined;
    return { plan: c, weight: cl.weight, keys };
  });
  const total = classes.reduce((a, c) => a + c.weight, 0);
  const { originUrls, cdnUrls } = app.regions!;
  return drivePoisson<ClassSample>(app, rate, seconds, seed, stream, (origin, rng) => {
    const u = rng.next() * total;
    let acc = 0;
    const c = classes.find((x) => (acc += x.weight) > u) ?? classes[classes.length - 1]!;
    const base = c.plan.via === "cdn" ? cdnUrls![origin]! : originUrls[origin]!;
    const key = c.keys ? c.keys.sample(rng) : undefined;
    const path = key !== undefined ? c.plan.path.replace("{key}", String(key)) : c.plan.path;
    const cls = c.plan.name;
    const cacheOf = (res: Response | undefined, body: string): string | undefined => {
      if (!res) return undefined;
      if (c.plan.via === "cdn") return res.headers.get("x-cache-status") ?? "";
      try {
        const v = (JSON.parse(body) as { cache?: unknown }).cache;
        return typeof v === "string" ? v : undefined;
      } catch {
        return undefined;
      }
    };
    return { url: base + path, tag: (res, body) => {
      const cache = cacheOf(res, body);
      return { cls, ...(key !== undefined ? { key } : {}), ...(cache !== undefined ? { cache } : {}) };
    } };
  });
}
