// The regional calibration's mapping (validation/calibrate-regions.ts): which parts share a cost,
// the crossings taken off each service's calls, and the fit recovering known hidden costs from a
// "real system" that is the model with them (its per-hop means built the way the services' metrics
// and the load generator read them).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate, type SimResult } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { applyCalibration, fitHops, storeCallMs } from "./calibrate.ts";
import { callExcess, calledBy, crossingMs, leastSquares, mergeServiceMs, regionalParts, shiftDist } from "./calibrate-regions.ts";
import { calibratedYaml } from "./calibrate.ts";
import { LevelError, withRate } from "./levels.ts";
import type { CalibratedParameter } from "./report.ts";

const root = join(import.meta.dirname, "..");
const load = (path: string) => scenarioOf(readFileSync(join(root, path), "utf8"), path);

// two regions 20 ms apart; each has a balancer, an API and its own cache; the database is in east,
// so west's misses cross; a CDN serves `asset` at the edge
const TWO_REGIONS = `
version: 1
name: t-regions-fit
seed: 5
simulation: { duration: 60s, warmup: 10s, replications: 2 }
regions:
  east: { latency: { west: 20ms } }
  west: {}
geo:
  api: [lb-east, lb-west]
load:
  model: open
  arrivals: poisson
  rate: 40/s
  regions: { east: 1, west: 1 }
  classes:
    asset:
      weight: 1
      http: { method: GET, path: "/static/{key}" }
      keys: { count: 200, popularity: zipf, s: 1.0 }
      flow: [{ call: cdn }]
    browse:
      weight: 2
      http: { method: GET, path: "/items/{key}" }
      keys: { count: 2000, popularity: zipf, s: 0.9 }
      flow: [{ call: api }]
components:
  cdn: { kind: cdn, origin: api, ttl: 1h, edge_latency: 10ms, objects: { count: 200, popularity: zipf, s: 1.0 } }
  lb-east: { kind: load_balancer, region: east, backends: api-east }
  lb-west: { kind: load_balancer, region: west, backends: api-west }
  api-east: { kind: service, region: east, concurrency: 4, handlers: { asset: [{ service: { dist: exponential, mean: 2ms } }], browse: [{ service: { dist: exponential, mean: 4ms } }, { call: cache-east, op: get, miss: [{ call: db, op: read }, { call: cache-east, op: set }] }] } }
  api-west: { kind: service, region: west, concurrency: 4, handlers: { asset: [{ service: { dist: exponential, mean: 2ms } }], browse: [{ service: { dist: exponential, mean: 4ms } }, { call: cache-west, op: get, miss: [{ call: db, op: read }, { call: cache-west, op: set }] }] } }
  cache-east: { kind: cache, region: east, capacity: 500, service: 0.1ms }
  cache-west: { kind: cache, region: west, capacity: 500, service: 0.1ms }
  db: { kind: database, region: east, keys: 2000, read: { dist: exponential, mean: 3ms }, write: { dist: exponential, mean: 5ms }, pool: { size: 4, timeout: 2s } }
`;

/** The costs the two-region tests hide in a simulation and expect the fit to find again. */
const SHARED_TRUTH: CalibratedParameter[] = [
  ...["lb-east", "lb-west"].map((lb) => ({ parameter: `components.${lb}.overhead`, valueMs: 0.8, how: "truth" })),
  ...["api-east", "api-west"].flatMap((sv) => [
    { parameter: `components.${sv}.call_overhead`, valueMs: 0.3, how: "truth" },
    { parameter: `components.${sv}.overhead`, valueMs: 1.2, how: "truth" },
  ]),
  // the edge's own cost, each way
  { parameter: "load.classes.asset.flow.0.network", valueMs: 0.9, how: "truth" },
];
const RATE = 40;
const WINDOW = { durationS: 60, warmupS: 10 };

/**
 * What a calibration run would measure on a system that has `truth`'s costs, made from a simulation
 * of it: each replica's clock (the class's latency less its time at the balancers), the services'
 * calls with the client's 0.6 ms (west's database calls `westCrossMs` more), the classes' means and,
 * with `regions`, each region's users' means.
 */
function measuredFrom(s: ReturnType<typeof scenarioOf>, truth: CalibratedParameter[], westCrossMs: number, regions: boolean) {
  const real: SimResult = simulate(withRate(applyCalibration(s, truth), RATE), { duration: WINDOW.durationS, warmup: WINDOW.warmupS, hops: true });
  const lbTime = (cls: string) => ["lb-east", "lb-west"].reduce((a, lb) => { const h = real.classes[cls].hopsMs!.components[lb]; return a + (h ? h.waitMs.mean + h.serviceMs.mean : 0); }, 0);
  const serviceMs = Object.fromEntries(["browse", "asset"].map((cls) => [cls, { meanMs: real.classes[cls].latencyMs.mean.mean - lbTime(cls), count: real.classes[cls].throughput.mean }]));
  const callsOf = (cache: string, crossMs: number) => ({
    cache: { meanMs: storeCallMs(real, cache)! + 0.6, perSecond: real.components[cache].throughput.mean },
    database: { meanMs: storeCallMs(real, "db")! + crossMs + 0.6, perSecond: real.components.db.throughput.mean / 2 },
  });
  const stats = (mean: number) => ({ requests: 100, failed: 0, throughput: 1, offeredRate: 1, latencyMs: { mean, p50: 0, p95: 0, p99: 0 } });
  const m = {
    engine: "model", requestsTotal: 1, scrapes: 2, generator: { reliable: true } as never,
    classes: Object.fromEntries(Object.entries(real.classes).map(([n, c]) => [n, stats(c.latencyMs.mean.mean)])),
    ...(regions ? { regions: Object.fromEntries(Object.entries(real.regions!).map(([g, x]) => [g, stats(x.latencyMs.mean.mean)])) } : {}),
    hops: { serviceMs: {}, calls: {} },
    hopsByService: {
      "api-east": { serviceMs, calls: callsOf("cache-east", 0) },
      "api-west": { serviceMs, calls: callsOf("cache-west", westCrossMs) },
    },
  };
  return { real, m };
}

describe("calibration with regions: the mapping", () => {
  it("shares over the balancers and services the geo routes reach; the CDN's classes apart", () => {
    const p = regionalParts(scenarioOf(TWO_REGIONS, "t.yaml"));
    expect(p.lbs).toEqual(["lb-east", "lb-west"]);
    expect(p.entries).toEqual(["api-east", "api-west"]);
    expect(p.viaLb).toEqual(["browse"]);
    expect(p.cdnClasses).toEqual(["asset"]);
    const m = regionalParts(load("scenarios/one-million-users.yaml"));
    expect(m.entries).toEqual(["api_east", "api_west"]);
    expect(m.viaLb).toEqual(["browse", "post"]);
    expect(m.cdnClasses).toEqual(["static_asset"]);
    // geo straight to the services: each class's edge instead of a balancer
    const d = regionalParts(load("scenarios/validation/two-regions.yaml"));
    expect(d.lbs).toEqual([]);
    expect(d.direct).toEqual(["read"]);
  });
  it("classes entering through balancers and classes entering the services directly are refused together, naming both", () => {
    const both = TWO_REGIONS.replace("api: [lb-east, lb-west]", "api: [lb-east, lb-west]\n  front: [api-east, api-west]").replace("flow: [{ call: cdn }]", "flow: [{ call: front }]");
    expect(() => regionalParts(scenarioOf(both, "t.yaml"))).toThrow(LevelError);
    expect(() => regionalParts(scenarioOf(both, "t.yaml"))).toThrow(/not both \(classes browse and asset\)/);
  });
  it("a crossing is the round trip between the caller's and the store's regions", () => {
    const s = load("scenarios/one-million-users.yaml");
    expect(crossingMs(s, "api_west", "db")).toBeCloseTo(64, 9); // normal, mean 32 ms one way
    expect(crossingMs(s, "api_east", "db")).toBe(0);
    expect([...calledBy(s, "api_west")].sort()).toEqual(["cache_west", "db", "notify"]);
  });
  it("takes each service's crossing off its calls: the excess is the client's cost alone", () => {
    const s = scenarioOf(TWO_REGIONS, "t.yaml");
    const model = (n: string) => (n === "db" ? 3.2 : 0.1);
    const calls = (db: number) => ({ serviceMs: {}, calls: { database: { meanMs: db, perSecond: 5 } } });
    // east 3.2 + 0.6; west the same plus 40 ms across and back
    expect(callExcess(s, { "api-east": calls(3.8), "api-west": calls(43.8) }, "database", model)).toBeCloseTo(0.6, 9);
    expect(callExcess(s, { "api-east": calls(3.8) }, "cache", model)).toBeUndefined();
    expect(mergeServiceMs({ a: { serviceMs: { x: { meanMs: 2, count: 1 } }, calls: {} }, b: { serviceMs: { x: { meanMs: 5, count: 2 } }, calls: {} } }, ["a", "b"])).toEqual({ x: { meanMs: 4, count: 3 } });
  });
  it("recovers known shared costs from a two-region system whose west service queries east's database", () => {
    const s = scenarioOf(TWO_REGIONS, "t.yaml");
    const { m } = measuredFrom(s, SHARED_TRUTH, 40, false);
    const got = Object.fromEntries(fitHops(s, m as never, RATE, WINDOW).map((p) => [p.parameter, p.valueMs]));
    // every balancer and every service gets the shared value; the CDN's class its edge
    expect(Object.keys(got).sort()).toEqual(["components.api-east.call_overhead", "components.api-east.overhead", "components.api-west.call_overhead", "components.api-west.overhead", "components.lb-east.overhead", "components.lb-west.overhead", "load.classes.asset.flow.0.network"]);
    expect(Math.abs(got["load.classes.asset.flow.0.network"] - 0.9)).toBeLessThan(0.1);
    // the model's own responses move a little with the fitted costs (other queueing): 0.05 ms
    expect(Math.abs(got["components.api-west.call_overhead"] - 0.3)).toBeLessThan(0.05);
    expect(got["components.api-east.call_overhead"]).toBe(got["components.api-west.call_overhead"]);
    expect(Math.abs(got["components.lb-east.overhead"] - 0.8)).toBeLessThan(0.1);
    expect(got["components.lb-west.overhead"]).toBe(got["components.lb-east.overhead"]);
    // the overhead absorbs what the model's own sampling noise leaves: within 0.15 ms
    expect(Math.abs(got["components.api-east.overhead"] - 1.2)).toBeLessThan(0.15);
  });

  it("fits a crossing's own cost per region pair: west's users pay the relay's hop on their database calls", () => {
    const s = scenarioOf(TWO_REGIONS, "t.yaml");
    const RELAY_MS = 1.5; // the crossing's own cost, each way, on top of the YAML's 20 ms
    const truth: CalibratedParameter[] = [
      ...SHARED_TRUTH,
      { parameter: "regions.east.latency.west", valueMs: 20 + RELAY_MS, dist: { dist: "constant", value: (20 + RELAY_MS) / 1000 }, how: "truth" },
    ];
    // west's users pay the relay on every crossing
    const { real, m } = measuredFrom(s, truth, 2 * (20 + RELAY_MS), true);
    const fit = fitHops(s, m as never, RATE, WINDOW);
    const got = Object.fromEntries(fit.map((p) => [p.parameter, p.valueMs]));
    // the pair's one-way latency: the YAML's 20 ms and the relay's 1.5, within 0.15 ms (the
    // calibration run's per-region means differ by 2 x 1.5 x west's share of crossing requests)
    expect(Math.abs(got["regions.east.latency.west"] - (20 + RELAY_MS))).toBeLessThan(0.15);
    const cross = fit.find((p) => p.parameter === "regions.east.latency.west")!;
    expect(cross.dist).toEqual(shiftDist({ dist: "constant", value: 0.02 }, (cross.valueMs - 20) / 1000));
    // the relay is the crossing's, not every call's: the shared call_overhead stays the client's 0.3
    expect(Math.abs(got["components.api-west.call_overhead"] - 0.3)).toBeLessThan(0.05);
    expect(Math.abs(got["components.lb-east.overhead"] - 0.8)).toBeLessThan(0.1);
    // the model with the fit: west's users over east's as the "measured" within 2%
    const model = simulate(withRate(applyCalibration(s, fit), RATE), { duration: WINDOW.durationS, warmup: WINDOW.warmupS });
    const over = (r: SimResult) => r.regions!.west.latencyMs.mean.mean - r.regions!.east.latencyMs.mean.mean;
    expect(Math.abs(over(model) / over(real) - 1)).toBeLessThan(0.02);
    // the calibrated copy carries the shifted latency where the YAML gives it
    expect(calibratedYaml(TWO_REGIONS, { parameters: [cross], rate: RATE, runs: [] })).toMatch(/ {2}east:\n {4}latency:\n {6}west: 21\.\d*ms # calibrated at 40 req\/s \(was "20ms"\)/);
  });
});

describe("calibration with regions: the small pieces", () => {
  it("shifts a latency by a constant, same spread; a family a shift leaves is refused", () => {
    expect(shiftDist({ dist: "normal", mean: 0.032, sd: 0.004 }, 0.001)).toEqual({ dist: "normal", mean: 0.033, sd: 0.004 });
    expect(shiftDist({ dist: "uniform", min: 0.01, max: 0.02 }, 0.001)).toEqual({ dist: "uniform", min: 0.011, max: 0.021 });
    expect(shiftDist({ dist: "exponential", mean: 0.02 }, 0.001)).toBeUndefined();
  });
  it("solves a small least-squares system", () => {
    const x = leastSquares([[2, 0], [0, 4]], [1, 2])!;
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0.5, 12);
    // three equations, one unknown: the mean of the ratios' weighted fit
    expect(leastSquares([[1], [1], [1]], [1, 2, 3])![0]).toBeCloseTo(2, 12);
    expect(leastSquares([[0]], [1])).toBeUndefined();
  });
});
