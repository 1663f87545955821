// Several caches, one per region, started for real (fixtures/regions-caches.yaml: east and west
// each an API reading through its own region's Redis, the database in east; the shape of
// one-million-users' regional caches). Open Poisson load at 40/s for 20 s, half the users in each
// region, keys Zipf 1.0 over 500 (reference-app/regions/region-load.ts), both caches cold at the
// start as in the model. Checked:
//  - each region's users are answered through their own cache: every key a region's users asked
//    for missed at least once in that region (a cache shared by both regions would have missed
//    the keys the other region fetched first), and the services' hit and miss counters agree with
//    the answers;
//  - each cache's hit ratio over the model's window (after its 4 s warm-up) within 2.58 of the
//    model's per-replication standard deviations (one 16 s run's spread) plus its 95% CI;
//  - stopping leaves no process, port or dir (both Redis included).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseScenario, runWindow, type Scenario } from "../../simulator/model/index.ts";
import { simulate, type SimResult } from "../../simulator/index.ts";
import { startAppPromise, type RunningApp } from "../launcher.ts";
import { appPorts, leftovers, metricSum, sdOfRun } from "../testing.ts";
import { driveRegionClasses } from "./region-load.ts";

const TEXT = readFileSync(fileURLToPath(new URL("./fixtures/regions-caches.yaml", import.meta.url)), "utf8");
const Z99 = 2.576;

function parse(text: string): Scenario {
  const r = parseScenario(text, "regions-caches.yaml");
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}


let s: Scenario;
let sim: SimResult;
let app: RunningApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  s = parse(TEXT);
  sim = simulate(s);
  ({ app, stop } = await startAppPromise(s, { file: "regions-caches.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

describe("a cache per region in the reference app", () => {
  it("answers each region's users through their own region's cache, each hit ratio as the model's", async () => {
    const { duration, warmup, replications: reps } = runWindow(s);
    expect(Object.keys(app.redisPorts).sort()).toEqual(["cache-east", "cache-west"]);
    // each answer says hit or miss (the service's `cache` field), each sample its key
    const sent = await driveRegionClasses(app, s, 40, duration, s.seed, "test:regions-caches");
    expect(sent.filter((x) => x.status !== 200)).toEqual([]);
    const counters = async (api: string) => {
      const urls = app.tiers[api]!.map((r) => `${r.url}/metrics`);
      return { hits: await metricSum(urls, "headroom_cache_hits_total"), misses: await metricSum(urls, "headroom_cache_misses_total") };
    };
    const rows: string[] = [];
    const verdicts: Array<[string, boolean]> = [];
    for (const region of ["east", "west"]) {
      const api = `api-${region}`;
      const mine = sent.filter((x) => x.origin === region);
      const c = await counters(api);
      expect(c.hits + c.misses).toBe(mine.length);
      const distinct = new Set(mine.map((x) => x.key)).size;
      // each key missed at least once in this region's own cache
      expect(c.misses).toBeGreaterThanOrEqual(distinct);
      expect(mine.filter((x) => x.cache === "miss").length).toBe(c.misses);
      const win = mine.filter((x) => x.at >= warmup);
      const hit = win.filter((x) => x.cache === "hit").length / win.length;
      const hr = sim.components[`cache-${region}`]!.hitRatio!;
      const tol = Z99 * sdOfRun(hr, reps) + (hr.ci95 ?? 0);
      rows.push(`cache-${region} hit ratio (${win.length} gets, ${distinct} keys, ${c.misses} misses in all): measured ${hit.toFixed(3)}, model ${hr.mean.toFixed(3)} +- ${(hr.ci95 ?? 0).toFixed(3)}, tolerance ${tol.toFixed(3)}`);
      verdicts.push([`cache-${region}`, Math.abs(hit - hr.mean) < tol]);
    }
    const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    console.log(`a cache per region, ${sent.length} requests at 40/s (load ${load}):\n  ${rows.join("\n  ")}`);
    expect(verdicts.filter(([, ok]) => !ok).map(([n]) => n)).toEqual([]);
  });

  it("stopping leaves no process, port or dir: both Redis included", async () => {
    const ports = [...appPorts(app), ...app.regions!.geoRouters.map((g) => g.port), ...app.regions!.routes.map((r) => r.listenPort)];
    expect(ports).toEqual(expect.arrayContaining(Object.values(app.redisPorts)));
    await stop();
    expect(await leftovers(app.runDir, ports)).toEqual([]);
  });
});
