// A CDN in a scenario with regions, started for real and measured against the simulator
// (fixtures/regions-cdn.yaml: east and west each an API behind a balancer, the users' geo route
// `api`; south's users have no region of their own and cross to east; the CDN at the edge of every
// region, its origin `api`). The model has one edge state for all callers and sends a miss
// through `api` from the caller's region (components/cdn); the app runs one nginx with a server
// per origin region, one shared cache, each server's misses to its region's geo router.
// Open Poisson load at 40/s, the fixture's class mix and keys (reference-app/regions/region-load.ts),
// 30 s from a cold edge, the model's window (after its 5 s warm-up) judged:
//  - every asset miss reaches its users' region's API, and only misses do (server counts exact);
//  - the CDN's hit ratio, and each region's API throughput, within 2.58 of the model's
//    per-replication standard deviations (what one 25 s run varies by) plus its 95% CI;
//  - the crossing: south's users' mean latency minus east's (same class mix, same shared cache:
//    the app's own per-request cost cancels) against the model's difference, within 2.58
//    standard errors of both means plus the model's CIs and the relay's own cost; west's minus
//    east's likewise (no crossing);
//  - west down: its users' hits still come from the edge, their misses and browses go to east
//    (each at least the 2 x 20 ms crossing the relay holds), nothing fails once its geo router
//    has seen the outage (about 2 s after it: the check of a balancer entry whose pool was killed
//    times out, GEO_CHECK_TIMEOUT_S);
//  - stopping leaves no process, port or dir (nginx's per-region servers included).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseScenario, runWindow, type Scenario } from "../../simulator/model/index.ts";
import { simulate, type SimResult } from "../../simulator/index.ts";
import { startAppPromise, type RunningApp } from "../launcher.ts";
import { appPorts, leftovers, metricSum, sdOfRun } from "../testing.ts";
import { driveRegionClasses, type ClassSample } from "./region-load.ts";
import { geoChoice, GEO_CHECK_S, GEO_CHECK_TIMEOUT_S } from "./start.ts";

const TEXT = readFileSync(fileURLToPath(new URL("./fixtures/regions-cdn.yaml", import.meta.url)), "utf8");
const Z99 = 2.576;
/** What the relay's own path adds to one round trip through it, at most (measured 0.8-1.1 ms: netns.e2e.test.ts). */
const RELAY_MS = 2;
/** The fixture's one-way latency between east and west. */
const EAST_WEST_MS = 20;

function parse(text: string): Scenario {
  const r = parseScenario(text, "regions-cdn.yaml");
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const se = (xs: readonly number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length);


let s: Scenario;
let sim: SimResult;
let app: RunningApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  s = parse(TEXT);
  sim = simulate(s);
  ({ app, stop } = await startAppPromise(s, { file: "regions-cdn.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

const served = (service: string, cls: string) => metricSum(app.tiers[service]!.map((r) => `${r.url}/metrics`), "headroom_http_requests_total", { class: cls, status: "200" });
const apiOf = (origin: string) => (origin === "west" ? "api-west" : "api-east");
const reachesApi = (x: ClassSample) => x.cls === "browse" || x.cache !== "HIT";

describe("a CDN with regions in the reference app", () => {
  it("serves each region's users from one shared edge cache, sends their misses through their own geo router, and matches the model", async () => {
    const { duration, warmup, replications: reps } = runWindow(s);
    expect(Object.keys(app.regions!.cdnUrls ?? {}).sort()).toEqual(["east", "south", "west"]);
    const samples = await driveRegionClasses(app, s, 40, duration, s.seed, "test:regions-cdn");
    expect(samples.filter((x) => x.status !== 200)).toEqual([]);
    // every request that got past the edge reached its users' region's API (south's: east's), exactly
    const assets = samples.filter((x) => x.cls === "asset");
    expect(new Set(assets.map((x) => x.cache))).toEqual(new Set(["HIT", "MISS"]));
    for (const api of ["api-east", "api-west"]) {
      const mine = samples.filter((x) => apiOf(x.origin) === api);
      expect(await served(api, "asset")).toBe(mine.filter((x) => x.cls === "asset" && x.cache !== "HIT").length);
      expect(await served(api, "browse")).toBe(mine.filter((x) => x.cls === "browse").length);
    }

    const window = samples.filter((x) => x.at >= warmup);
    const seconds = duration - warmup;
    const rows: string[] = [];
    const judge = (name: string, measured: number, e: { mean: number; ci95: number | null }, tol: number) => {
      rows.push(`${name}: measured ${measured.toFixed(3)}, model ${e.mean.toFixed(3)} +- ${(e.ci95 ?? 0).toFixed(3)}, tolerance ${tol.toFixed(3)}`);
      return Math.abs(measured - e.mean) < tol;
    };
    const verdicts: Array<[string, boolean]> = [];
    // the one shared edge: its hit ratio over the window
    const windowAssets = window.filter((x) => x.cls === "asset");
    const hit = windowAssets.filter((x) => x.cache === "HIT").length / windowAssets.length;
    const hr = sim.components.cdn!.hitRatio!;
    verdicts.push(["hit ratio", judge(`CDN hit ratio (${windowAssets.length} lookups)`, hit, hr, Z99 * sdOfRun(hr, reps) + (hr.ci95 ?? 0))]);
    // each region's API: the browses and the misses of its users (south's at east)
    for (const api of ["api-east", "api-west"]) {
      const tp = sim.components[api]!.throughput;
      const rate = window.filter((x) => apiOf(x.origin) === api && reachesApi(x)).length / seconds;
      verdicts.push([api, judge(`${api} throughput /s`, rate, tp, Z99 * sdOfRun(tp, reps) + (tp.ci95 ?? 0))]);
    }
    // the crossing: each origin's mean latency minus east's, as the model has it
    const ms = (o: string) => window.filter((x) => x.origin === o).map((x) => x.ms);
    const east = ms("east");
    for (const o of ["south", "west"]) {
      const xs = ms(o);
      const measured = mean(xs) - mean(east);
      const pe = sim.regions!.east!.latencyMs.mean!, po = sim.regions![o]!.latencyMs.mean!;
      const want = { mean: po.mean - pe.mean, ci95: (po.ci95 ?? 0) + (pe.ci95 ?? 0) };
      const tol = Z99 * Math.hypot(se(xs), se(east)) + want.ci95 + RELAY_MS;
      verdicts.push([`${o} - east`, judge(`${o} minus east, mean ms (n ${xs.length}, ${east.length})`, measured, want, tol)]);
    }
    const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    console.log(`regions + CDN, ${samples.length} requests at 40/s (load ${load}):\n  ${rows.join("\n  ")}`);
    expect(verdicts.filter(([, ok]) => !ok).map(([n]) => n)).toEqual([]);
  });

  it("west down: its users' hits still come from the edge, their misses and browses cross to east", async () => {
    const west = app.regions!.geoRouters.find((g) => g.region === "west")!;
    await app.regions!.down("west");
    const t0 = performance.now();
    while ((await geoChoice(west)) !== "lb-east" && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(await geoChoice(west)).toBe("lb-east");
    // an entry that is a balancer answers the router's check of a killed pool only at the check's
    // timeout (measured: 2.0-2.1 s), where a service entry refuses at once (app-regions.e2e.test.ts)
    const seenMs = performance.now() - t0;
    expect(seenMs).toBeLessThan((GEO_CHECK_TIMEOUT_S + GEO_CHECK_S * 5) * 1000);
    const before = { asset: await served("api-east", "asset"), browse: await served("api-east", "browse") };
    const samples = (await driveRegionClasses(app, s, 40, 6, s.seed + 1, "test:regions-cdn:outage"));
    expect(samples.filter((x) => x.status !== 200)).toEqual([]);
    const fromWest = samples.filter((x) => x.origin === "west");
    expect(fromWest.some((x) => x.cache === "HIT")).toBe(true);
    // every request past the edge, west's users' included, reached east's API
    expect(await served("api-east", "asset") - before.asset).toBe(samples.filter((x) => x.cls === "asset" && x.cache !== "HIT").length);
    expect(await served("api-east", "browse") - before.browse).toBe(samples.filter((x) => x.cls === "browse").length);
    // the relay holds each way's chunks 20 ms: a west request that reached an API crossed
    const crossed = fromWest.filter(reachesApi);
    expect(crossed.length).toBeGreaterThan(0);
    expect(Math.min(...crossed.map((x) => x.ms))).toBeGreaterThanOrEqual(2 * EAST_WEST_MS);
    console.log(`west down: seen by west's geo router after ${seenMs.toFixed(0)} ms; ${fromWest.length} requests of west's users, ${crossed.length} crossed to east (min ${Math.min(...crossed.map((x) => x.ms)).toFixed(1)} ms, mean ${mean(crossed.map((x) => x.ms)).toFixed(1)} ms), ${fromWest.length - crossed.length} edge hits (mean ${mean(fromWest.filter((x) => !reachesApi(x)).map((x) => x.ms)).toFixed(1)} ms)`);
    await app.regions!.up("west");
  });

  it("stopping leaves no process, port or dir: nginx's per-region servers, the relay and the geo routers included", async () => {
    const ports = [
      ...appPorts(app),
      ...Object.values(app.regions!.cdnUrls!).map((u) => Number(new URL(u).port)),
      ...app.regions!.geoRouters.map((g) => g.port),
      ...app.regions!.routes.map((r) => r.listenPort),
    ];
    await stop();
    expect(await leftovers(app.runDir, ports)).toEqual([]);
  });
});
