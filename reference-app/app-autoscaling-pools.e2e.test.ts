// Auto-scaling of a pool clients do not enter (npm run test:app; issue 15): web (the entry, behind
// lb) calls back through back-lb, and both services have `autoscaling`, so the run has two scalers,
// each on its own balancer's HAProxy (scaled-pools.ts). Under a Poisson load of 40 req/s back's one
// replica is 80% busy against a target of 60%: its scaler starts a second replica through back-lb;
// web's stays at one (its 64 slots are a few percent busy). Compared with the simulator on the same
// YAML:
//  - each pool's time-weighted mean instance count over the load, within
//    3 x sd x sqrt(1 + 1/n) (sd: the model's spread of one run, from its n replications) plus a
//    floor of one evaluation interval of lead or lag on each step the model's first replication
//    takes (at least one): the scaler decides only at its fixed-rate ticks, so a metric near the
//    threshold may tip one tick earlier or later than in the model, and that moves one step by
//    `interval` seconds, i.e. the mean by interval x step / duration. So the band never collapses to
//    zero, even where every replication of the model agrees (web: 1 +- 0);
//  - back's first scale-out decided within one interval of the model's, and its boot lasting the
//    YAML's `boot` (the real start plus the injected rest; plus the enable's socket round trips);
//  - the new replica answered requests (back-lb sends it traffic) and no request failed.
// About 35-45 s on the shared machine.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate, type SimResult } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { Rng } from "../simulator/random.ts";
import { startAppPromise, type RunningApp, type ScalerView } from "./launcher.ts";
import { sdOfRun, metricSum } from "./testing.ts";
import { poissonWindow } from "./testing/link-windows.ts";

const RATE = 40;
const LOAD_S = 24;
const INTERVAL_S = 2;
const BOOT_S = 3;
const REPLICATIONS = 20;

const YAML = `
version: 1
name: t-pools
seed: 7
simulation: { duration: ${LOAD_S}s, warmup: 0s, replications: ${REPLICATIONS} }
load:
  model: open
  rate: ${RATE}/s
  classes:
    get:
      http: { method: GET, path: "/items/{key}" }
      keys: { count: 100 }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, backends: web }
  web:
    kind: service
    replicas: 1
    concurrency: 64
    autoscaling: { min: 1, max: 2, target: 0.8, interval: ${INTERVAL_S}s, cooldown_out: 3s, cooldown_in: 120s, boot: ${BOOT_S}s }
    handlers:
      get: [{ service: 1ms }, { call: back-lb }]
  back-lb: { kind: load_balancer, backends: back }
  back:
    kind: service
    replicas: 1
    concurrency: 2
    autoscaling: { min: 1, max: 4, target: 0.6, interval: ${INTERVAL_S}s, cooldown_out: 3s, cooldown_in: 120s, boot: ${BOOT_S}s }
    handlers:
      get: [{ service: { dist: exponential, mean: 40ms } }]
`;

/** The pool's instance count over the load, [t s from its start, count] steps, from the scaler's events (not off = counted, as the model's series counts). */
function steps(initial: number, view: ScalerView, startMs: number): Array<[number, number]> {
  const state = new Map<number, string>();
  for (let p = 1; p <= initial; p++) state.set(p, "serving");
  const count = () => [...state.values()].filter((s) => s !== "off").length;
  const out: Array<[number, number]> = [[0, count()]];
  for (const e of view.events) {
    state.set(e.place, e.state);
    if (count() !== out[out.length - 1]![1]) out.push([(e.t - startMs) / 1000, count()]);
  }
  return out;
}
const meanOver = (s: ReadonlyArray<readonly [number, number]>, to: number) =>
  s.reduce((a, [t, n], i) => a + n * Math.max(0, Math.min(to, s[i + 1]?.[0] ?? to) - Math.min(to, Math.max(0, t))), 0) / to;
/** Instance steps the model's first replication takes (sum of |change| over its series). */
const modelSteps = (series: readonly number[], initial: number) => series.reduce((a, n, i) => a + Math.abs(n - (i === 0 ? initial : series[i - 1]!)), 0);

describe("auto-scaling a pool behind an inner balancer (web -> back-lb -> back), against the model", () => {
  const scenario = scenarioOf(YAML, "pools.yaml");
  let model: SimResult;
  let app: RunningApp;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    model = simulate(scenario);
    ({ app, stop } = await startAppPromise(scenario, { file: "pools.yaml" }));
  }, 60_000);
  afterAll(async () => stop?.());

  it("runs one scaler per pool; back scales out through back-lb as the model predicts, web stays", async () => {
    expect(Object.keys(app.scalers)).toEqual(["web", "back"]);
    expect(app.scaling?.events).toBe(app.scalers.web!.events);
    let failed = 0;
    let sent = 0;
    const rng = new Rng(31, 0, "autoscaling-pools-e2e");
    const startMs = Date.now();
    for (const s of Object.values(app.scalers)) s.begin();
    await poissonWindow({ rate: RATE, warmupS: 0, loadS: LOAD_S, batches: 1 }, rng, async () => {
      sent++;
      const key = Math.floor(rng.next() * 100);
      try {
        const r = await fetch(`${app.url}/items/${key}`, { signal: AbortSignal.timeout(10_000) });
        await r.arrayBuffer();
        if (r.status !== 200) failed++;
      } catch {
        failed++;
      }
    }, async () => {});
    const report: string[] = [];
    for (const [name, initial] of [["web", 1], ["back", 1]] as const) {
      const measured = steps(initial, app.scalers[name]!, startMs);
      const est = model.components[name]!.instances!;
      const sd = sdOfRun(est, REPLICATIONS);
      const predictedSteps = Math.max(1, modelSteps(model.series!.components[name]!.instances, initial));
      const floor = (INTERVAL_S * predictedSteps) / LOAD_S;
      const tol = 3 * sd * Math.sqrt(1 + 1 / REPLICATIONS) + floor;
      const mean = meanOver(measured, LOAD_S);
      report.push(`${name}: measured ${mean.toFixed(3)} (steps ${measured.map(([t, n]) => `${t.toFixed(1)}s:${n}`).join(" ")}) model ${est.mean.toFixed(3)} +- ${(est.ci95 ?? 0).toFixed(3)} (sd of a run ${sd.toFixed(3)}, floor ${floor.toFixed(3)}) tolerance ${tol.toFixed(3)}`);
      expect.soft(Math.abs(mean - est.mean), report[report.length - 1]).toBeLessThanOrEqual(tol);
    }
    console.log(`${sent} requests, ${failed} failed\n${report.join("\n")}`);
    expect(failed).toBe(0);

    // back's first scale-out: decided within one interval of the model's first replication (its
    // first rise, at the end of the interval whose metric tipped it), and booting for `boot`
    const rise = model.series!.components.back!.instances.findIndex((n) => n > 1);
    const modelRiseS = model.series!.t[rise]!;
    const [booting, serving] = app.scalers.back!.events;
    expect(booting?.state).toBe("booting");
    expect(serving?.state).toBe("serving");
    expect(Math.abs((booting!.t - startMs) / 1000 - modelRiseS)).toBeLessThanOrEqual(INTERVAL_S);
    const log = readFileSync(join(app.runDir, "logs", "autoscaler-back.log"), "utf8");
    expect(log).toMatch(new RegExp(`replica 2 started in \\d+ ms; injected \\d+ ms of the ${BOOT_S} s boot`));
    if (!/exceeds it/.test(log)) {
      expect(serving!.t - booting!.t).toBeGreaterThanOrEqual(BOOT_S * 1000);
      expect(serving!.t - booting!.t).toBeLessThan(BOOT_S * 1000 + 1500);
    }
    // back-lb sent the new replica its share; web's scaler read web's own (few percent busy) slots
    expect(await metricSum([`${app.scalers.back!.urls[1]}/metrics`], "headroom_http_requests_total")).toBeGreaterThan(50);
    expect(Math.max(...app.scalers.web!.evaluations.map((e) => e.value))).toBeLessThan(0.8);
    const sample = await app.sample();
    expect(Object.keys(sample.pools ?? {})).toEqual(["web", "back"]);
    expect(sample.pools!.back!.total).toBe(app.scalers.back!.instances().total);
  }, 90_000);
});
