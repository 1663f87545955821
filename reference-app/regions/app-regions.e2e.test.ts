// Two regions started for real, measured against the simulator. East and west each have an API
// (exponential 4 ms) behind the users' geo route; both call `core` (exponential 3 ms) in east, so a
// west user's request crosses east-west once (20 ms one way: + 40 ms) and an east user's never.
// Open Poisson load at 30/s, half the users in each region, 20 s. Checked against `simulate`:
//  - geo routing: every request served by its own region's API (counts exact), so the share of
//    requests crossing regions is the west users' (within 3 binomial standard errors of the model's
//    api-west / total throughput);
//  - latency per origin region, mean, p50 and p95: the app's own per-request cost (HTTP on
//    loopback, the geo router, Node) is not in the model, so east's measured minus predicted value
//    of each statistic is that cost, and west must then measure predicted + that cost within the
//    sampling error of both (99%: 2.58 standard errors of the means; order-statistic intervals of
//    the quantiles, plus the simulator's own 95% CI) plus the relay's own cost per crossing
//    (RELAY_MS: measured 0.8-1.1 ms a round trip in netns.e2e.test.ts);
//  - an outage of west (its services killed): the geo router of west's users sends them to east
//    within a few health checks, each then crossing to api-east (+ 40 ms), as the model's failed-over
//    requests do (predicted with `failures: [{ region: west }]`: mean and p50 judged as above, the
//    cost taken from east's users in the same seconds; the p95 of about 120 samples is shown, not
//    judged), no request failed; back up, back to api-west;
//  - stopping leaves no process, port or dir (the relay and the geo routers included).
// About 60 s at load 10 (15-20 s of it simulating and starting).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseScenario, type Scenario } from "../../simulator/model/index.ts";
import { simulate } from "../../simulator/index.ts";
import type { SimResult } from "../../simulator/index.ts";
import { startAppPromise, type RunningApp } from "../launcher.ts";
import { appPorts, leftovers, metricSum } from "../testing.ts";
import { driveRegions, type RegionSample } from "./region-load.ts";
import { geoChoice, GEO_CHECK_S } from "./start.ts";

const TWO_REGIONS = readFileSync(fileURLToPath(new URL("./fixtures/two-regions.yaml", import.meta.url)), "utf8");

const RATE = 30;
const LOAD_S = 20;
const OUTAGE_LOAD_S = 8;
/** What the relay's own path adds to one round trip through it, at most (measured 0.8-1.1 ms: netns.e2e.test.ts). */
const RELAY_MS = 2;
const Z99 = 2.576;
/** The fixture's one-way latency between east and west. */
const ONE_WAY_MS = 20;

function parse(text: string): Scenario {
  const r = parseScenario(text, "two-regions.yaml");
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

type Sample = RegionSample;

/** Open Poisson arrivals at `rate` for `seconds`, each from east or west with the load's shares, to its region's geo router. */
const drive = (app: RunningApp, rate: number, seconds: number, seed: number): Promise<Sample[]> => driveRegions(app, rate, seconds, seed, "test:two-regions");

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

/**
 * The q-quantile of a sample and its 99% distribution-free interval (order statistics); not
 * resolved when the interval's upper rank falls past the sample (then its bound would be the max).
 */
function quantile(xs: readonly number[], q: number): { value: number; lo: number; hi: number; resolved: boolean } {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const at = (r: number) => s[Math.min(n - 1, Math.max(0, Math.round(r)))]!;
  const half = Z99 * Math.sqrt(n * q * (1 - q));
  return { value: at(q * n - 0.5), lo: at(q * n - half - 1), hi: at(q * n + half), resolved: q * n + half < n - 1 };
}

interface Stat {
  readonly name: "mean" | "p50" | "p95";
  readonly measured: number;
  /** Half-width of the measured value's 99% interval (the larger side for a quantile). */
  readonly err: number;
  /** False for a quantile the sample is too small to bound (not judged, only shown). */
  readonly resolved: boolean;
}

function stats(ms: readonly number[]): Stat[] {
  const q = (p: number) => {
    const x = quantile(ms, p);
    return { measured: x.value, err: Math.max(x.hi - x.value, x.value - x.lo), resolved: x.resolved };
  };
  return [
    { name: "mean", measured: mean(ms), err: (Z99 * sd(ms)) / Math.sqrt(ms.length), resolved: true },
    { name: "p50", ...q(0.5) },
    { name: "p95", ...q(0.95) },
  ];
}

const predicted = (r: SimResult, region: string, name: Stat["name"]) => r.regions![region]!.latencyMs[name];

let app: RunningApp;
let stop: () => Promise<void>;
let sim: SimResult;
let simOutage: SimResult;

beforeAll(async () => {
  const s = parse(TWO_REGIONS);
  sim = simulate(s);
  // the model's failed-over requests: west down for the whole run
  simOutage = simulate(parse(TWO_REGIONS + "failures:\n  - { region: west, at: 0s, for: 20m }\n"));
  ({ app, stop } = await startAppPromise(s, { file: "two-regions.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

const served = (service: string) => metricSum(app.tiers[service]!.map((r) => `${r.url}/metrics`), "headroom_http_requests_total", { class: "read", status: "200" });

describe("two regions in the reference app", () => {
  it("routes each region's users to their own region's API, and a west request's crossing costs 2 x 20 ms as predicted", async () => {
    const samples = await drive(app, RATE, LOAD_S, 11);
    expect(samples.filter((x) => x.status !== 200)).toEqual([]);
    const from = (o: string) => samples.filter((x) => x.origin === o).map((x) => x.ms);
    // geo routing: exact counts per API; every request reached core once
    expect(await served("api-east")).toBe(from("east").length);
    expect(await served("api-west")).toBe(from("west").length);
    expect(await served("core")).toBe(samples.length);
    // the share of requests that cross regions (west's), against the model's
    const share = from("west").length / samples.length;
    const tp = (c: string) => sim.components[c]!.throughput.mean;
    const want = tp("api-west") / (tp("api-east") + tp("api-west"));
    const shareErr = 3 * Math.sqrt((want * (1 - want)) / samples.length);
    console.log(`cross-region share: measured ${share.toFixed(3)} (n ${samples.length}), predicted ${want.toFixed(3)} +- ${shareErr.toFixed(3)}`);
    expect(Math.abs(share - want)).toBeLessThan(shareErr);

    const east = stats(from("east"));
    const west = stats(from("west"));
    const rows = east.map((e, i) => {
      const w = west[i]!;
      const pe = predicted(sim, "east", e.name), pw = predicted(sim, "west", w.name);
      // the app's own cost of a request, as east (no crossing) measures it
      const cost = e.measured - pe.mean;
      const wantWest = pw.mean + cost;
      const tol = e.err + w.err + (pe.ci95 ?? 0) + (pw.ci95 ?? 0) + RELAY_MS;
      const text = `${e.name}: east ${e.measured.toFixed(2)} (model ${pe.mean.toFixed(2)}, app cost ${cost.toFixed(2)}), west ${w.measured.toFixed(2)} (model ${pw.mean.toFixed(2)} + cost = ${wantWest.toFixed(2)}, tolerance ${tol.toFixed(2)})`;
      return { e, w, pe, cost, wantWest, tol, text };
    });
    const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    console.log(`two regions, ${samples.length} requests at ${RATE}/s (load ${load}), ms:\n  ${rows.map((r) => r.text).join("\n  ")}`);
    for (const { e, w, pe, cost, wantWest, tol } of rows) {
      expect(e.resolved && w.resolved).toBe(true);
      expect(cost).toBeGreaterThan(-(e.err + (pe.ci95 ?? 0))); // never faster than the model
      // east's users never cross: their median cost stays under one crossing's round trip
      // (2 x 20 ms; measured 6.6-9.4 ms at load 8-12: HTTP on loopback, the geo router, Node's
      // wake-ups; the mean's and the p95's reach 17 and 52 ms in that machine's bursts)
      if (e.name === "p50") expect(cost).toBeLessThan(2 * ONE_WAY_MS);
      expect(Math.abs(w.measured - wantWest)).toBeLessThan(tol);
    }
  });

  it("an outage of west sends west's users to east (through the relay: + 40 ms), and back when west is up", async () => {
    const west = app.regions!.geoRouters.find((g) => g.region === "west")!;
    expect(await geoChoice(west)).toBe("api-west");
    const before = await served("api-west");
    const t0 = performance.now();
    await app.regions!.down("west");
    while ((await geoChoice(west)) !== "api-east" && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    const seenMs = performance.now() - t0;
    console.log(`west down: its users' geo router sent them to api-east after ${seenMs.toFixed(0)} ms (checks every ${GEO_CHECK_S * 1000} ms)`);
    expect(await geoChoice(west)).toBe("api-east");
    expect(seenMs).toBeLessThan(GEO_CHECK_S * 1000 * 5);

    const samples = await drive(app, RATE, OUTAGE_LOAD_S, 12);
    expect(samples.filter((x) => x.status !== 200)).toEqual([]);
    const fromWest = samples.filter((x) => x.origin === "west").map((x) => x.ms);
    expect(await served("api-east")).toBeGreaterThan(0);
    // nothing reached api-west (its processes are gone); west's users paid the crossing to east
    // the app's cost as east's users measure it meanwhile (the same moments of the machine)
    const eastNow = stats(samples.filter((x) => x.origin === "east").map((x) => x.ms));
    const w = stats(fromWest);
    const rows: string[] = [];
    for (let i = 0; i < w.length; i++) {
      const e = eastNow[i]!, x = w[i]!;
      const pe = predicted(simOutage, "east", e.name);
      const cost = e.measured - pe.mean;
      const p = predicted(simOutage, "west", x.name);
      const tol = e.err + x.err + (p.ci95 ?? 0) + (pe.ci95 ?? 0) + RELAY_MS;
      // about 120 samples each bound the mean and the median, not the p95 (shown, not judged)
      const judged = x.resolved && e.resolved;
      rows.push(`${x.name}: west failed over ${x.measured.toFixed(2)} (model ${p.mean.toFixed(2)} + cost ${cost.toFixed(2)} = ${(p.mean + cost).toFixed(2)}, ${judged ? `tolerance ${tol.toFixed(2)}` : "too few samples to judge"})`);
      if (judged) expect(Math.abs(x.measured - (p.mean + cost))).toBeLessThan(tol);
    }
    console.log(`west down, ${fromWest.length} requests of west's users, ms:\n  ${rows.join("\n  ")}`);
    expect(simOutage.regions!.west!.counts.failedOver).toBeGreaterThan(0);
    expect(w.filter((x) => x.resolved).map((x) => x.name)).toEqual(["mean", "p50"]);

    await app.regions!.up("west");
    const t1 = performance.now();
    while ((await geoChoice(west)) !== "api-west" && performance.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(await geoChoice(west)).toBe("api-west");
    // api-west restarted: its counter starts again from 0; west's users reach it again
    const again = await drive(app, RATE, 1, 13);
    expect(again.filter((x) => x.status !== 200)).toEqual([]);
    expect(await served("api-west")).toBe(again.filter((x) => x.origin === "west").length);
    expect(before).toBeGreaterThan(0);
  });

  it("stopping leaves no process, port or dir: the relay and the geo routers included", async () => {
    const ports = [
      ...appPorts(app),
      ...app.regions!.geoRouters.map((g) => g.port),
      ...app.regions!.routes.map((r) => r.listenPort),
    ];
    expect(app.regions!.routes.length).toBe(2 + 1); // west > core; east > api-west, west > api-east
    await stop();
    expect(await leftovers(app.runDir, ports)).toEqual([]);
  });
});
