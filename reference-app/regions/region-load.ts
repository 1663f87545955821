// Test load for regions in `app up`: open Poisson arrivals, each from an origin region drawn by the
// load's shares and sent to that region's own entry (its geo router), timed by the client, so a
// test can compare each region's users' latency with the model's per-region result. Used by the
// regions e2e tests (app-regions, app-regions-stores) and the regions validation (validation/regions-validate.ts).
import { Rng } from "../../simulator/random.ts";
import type { RunningApp } from "../launcher.ts";

export interface RegionSample {
  readonly origin: string;
  /** When it was sent: seconds from the load's start (its scheduled Poisson time). */
  readonly at: number;
  readonly ms: number;
  /** HTTP status; 0 when no answer came (refused, reset or 10 s without one). */
  readonly status: number;
}

/** Open Poisson arrivals at `rate` for `seconds` (random stream `stream` of `seed`), GET `path` at each origin's entry. */
export async function driveRegions(app: RunningApp, rate: number, seconds: number, seed: number, stream: string, path = "/items"): Promise<RegionSample[]> {
  const rng = new Rng(seed, 0, stream);
  const urls = app.regions!.originUrls;
  const origins = app.plan.regions!.origins;
  const out: Promise<RegionSample>[] = [];
  const t0 = performance.now();
  let t = 0;
  for (;;) {
    t += -Math.log(1 - rng.next()) / rate;
    if (t >= seconds) break;
    const u = rng.next();
    let acc = 0;
    const origin = origins.find((o) => (acc += o.share) > u)?.region ?? origins[origins.length - 1]!.region;
    const wait = t0 + t * 1000 - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const at = t;
    out.push((async () => {
      const start = performance.now();
      try {
        const res = await fetch(`${urls[origin]}${path}`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        return { origin, at, ms: performance.now() - start, status: res.status };
      } catch {
        return { origin, at, ms: performance.now() - start, status: 0 };
      }
    })());
  }
  return Promise.all(out);
}
