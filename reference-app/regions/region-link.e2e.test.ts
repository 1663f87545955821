// Bandwidth between regions realized (regions/fixtures/two-regions-bandwidth.yaml): every user in
// west enters api-west, which calls `core` in east (10 ms one way) over a 16 Mbit/s link each way,
// the region relay's processor-sharing links (regions/relay.ts). Open Poisson load at the YAML's
// 40/s for LOAD_S; the relay's counters restart at WARMUP_S and are read just before the load ends.
// Compared with the simulator's `regionLinks`:
//   - east->west (core's sized answers, lognormal 20 KB cv 0.5): bytes/s of the bodies the relay
//     counted vs the model's link throughput at the load the window really offered (its measured
//     arrivals over the model's), within the 3% or 3 standard errors of the window's sizes
//     where wider (the relay's own sums, as validate's link rows: validation/link-rows.ts);
//   - its busy share vs the model's utilization, the same band plus the heads' share (the relay
//     sends the HTTP heads, the model's link carries the sizes only) and the late releases' share
//     (the relay's timing: a late release holds the link that much longer; at most its late
//     seconds, measured by the relay, 3.6% of the busy time at load 4);
//   - west->east carries the requests, no sized body: only their heads and the call's JSON
//     envelope (class, key, the size asked: about 32 B), under 1% busy (the model has no bytes
//     there, and no such link in regionLinks).
// The mean transfer time on the link is printed beside the model's (M/G/1-PS: 10 ms alone,
// 16.7 ms at 40% busy), not judged here (links-beyond-entry.e2e judges transfer times by batches).
// About 50 s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { parseScenario, type Scenario } from "../../simulator/model/index.ts";
import { simulate } from "../../simulator/index.ts";
import { startAppPromise, type RunningApp } from "../launcher.ts";
import type { LinkReport } from "../parts/link-relay.ts";
import { driveRegions, type RegionSample } from "./region-load.ts";

const FILE = fileURLToPath(new URL("./fixtures/two-regions-bandwidth.yaml", import.meta.url));
const RATE = 40;
const WARMUP_S = 5;
const LOAD_S = 35;
const W = LOAD_S - WARMUP_S;
const TARGET = 0.03;

function parse(text: string): Scenario {
  const r = parseScenario(text, FILE);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}
const scenario = parse(readFileSync(FILE, "utf8"));

let app: RunningApp;
let stop: () => Promise<void>;
let samples: RegionSample[] = [];
let report: Record<string, LinkReport> = {};
const load: number[] = [];

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(scenario, { file: FILE }));
  const links = app.regions?.links;
  expect(links, "the region relay carries links").toBeDefined();
  load.push(loadavg()[0]!);
  const driving = driveRegions(app, RATE, LOAD_S, 19, "test:region-link");
  const t0 = performance.now();
  const at = (s: number) => new Promise((r) => setTimeout(r, Math.max(0, s * 1000 - (performance.now() - t0))));
  await at(WARMUP_S);
  await links!.reset();
  await at(LOAD_S - 0.1);
  report = Object.fromEntries((await links!.report()).map((r) => [r.name, r]));
  samples = await driving;
  load.push(loadavg()[0]!);
}, 150_000);
afterAll(async () => {
  await stop?.();
});

describe("bandwidth between regions in the reference app against the model (processor sharing)", () => {
  const sim = simulate(scenario);
  const model = sim.regionLinks?.["east->west"];
  /** The window's offered load over the model's: the predictions are scaled by it. */
  const ratio = () => samples.filter((s) => s.at >= WARMUP_S && s.at < LOAD_S).length / W / RATE;

  it("every request answered; the model has the one link with bytes", () => {
    expect(samples.filter((s) => s.status !== 200)).toEqual([]);
    expect(samples.length).toBeGreaterThan(0.8 * RATE * LOAD_S);
    expect(model).toBeDefined();
    expect(Object.keys(sim.regionLinks ?? {})).toEqual(["east->west"]);
    expect(Object.keys(report).sort()).toEqual(["east->west", "west->east"]);
  });

  it(`east->west: bytes/s within ${TARGET * 100}% or 3 standard errors of the window's sizes, and its busy share`, () => {
    const w = report["east->west"]!;
    const k = ratio();
    const bytes = w.bodyBytes / w.seconds, predicted = (model!.throughputBitsPerSecond.mean / 8) * k;
    const busy = w.busySeconds / w.seconds, predictedBusy = model!.utilization.mean * k;
    // the sizes' sampling error: the window's messages (the relay's own sums) and the model's (about as many per second, its replications' windows)
    const n = w.messages, mean = w.bodyBytes / n, sd = Math.sqrt(Math.max(0, w.bodySquares / n - mean * mean));
    const modelN = (n * (sim.run.durationS - sim.run.warmupS) * sim.run.replications) / w.seconds / k;
    const relSe = (sd / mean) * Math.sqrt(1 / n + 1 / modelN);
    const band = Math.max(TARGET, 3 * relSe), heads = w.headBytes / w.bodyBytes, late = (w.meanLateMs * w.transfers) / 1000 / w.seconds / predictedBusy;
    const err = bytes / predicted - 1, busyErr = busy / predictedBusy - 1;
    console.log(
      `load ${load.map((x) => x.toFixed(2)).join(" -> ")}; window ${w.seconds.toFixed(2)} s, ${n} answers, offered x${k.toFixed(4)}\n` +
        `east->west bytes/s ${bytes.toFixed(0)} vs ${predicted.toFixed(0)} (${(err * 100).toFixed(2)}% in ±${(band * 100).toFixed(2)}%); busy ${(busy * 100).toFixed(2)}% vs ${(predictedBusy * 100).toFixed(2)}% (${(busyErr * 100).toFixed(2)}% in ±${((band + heads + late) * 100).toFixed(2)}%: heads ${(heads * 100).toFixed(2)}%, late ${(late * 100).toFixed(2)}%); ` +
        `transfer ${w.meanTransferMs.toFixed(2)} ms vs ${model!.transferMs.mean.mean.toFixed(2)} ms (not judged); released ${w.meanLateMs.toFixed(3)} ms late on average`,
    );
    // one answer per request in the window, give or take those in flight at its edges
    expect(Math.abs(n - k * RATE * W)).toBeLessThan(0.02 * k * RATE * W + 5);
    expect(band).toBeLessThan(0.1); // the sizes' cv 0.5: about 5% at 3 SE
    expect(Math.abs(err)).toBeLessThanOrEqual(band);
    expect(Math.abs(busyErr)).toBeLessThanOrEqual(band + heads + late);
  });

  it("west->east carries the requests: their heads and the call's small JSON envelope (class, key, size asked), no sized body", () => {
    const w = report["west->east"]!;
    expect(w.messages).toBeGreaterThan(0.9 * ratio() * RATE * W);
    expect(w.headBytes).toBeGreaterThan(0);
    // the envelope only (about 32 B a request): the model has no bytes on this link
    expect(w.bodyBytes / w.messages).toBeLessThan(64);
    expect(w.busySeconds / w.seconds).toBeLessThan(0.01);
  });
});
