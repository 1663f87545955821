// Links beyond the entry realized (scenarios/validation/links-beyond-entry.yaml): a called
// service's egress link (`store`: its answers to the API) and a balancer's between services
// (`inner`: its requests to `deep` and deep's answers back to the API), each 40 Mbit/s through the
// run's link relay, driven by an open Poisson load on loopback (the YAML's 100/s and class mix for
// LOAD_S, a fixed seed), compared with the simulator:
//   - each link's bytes per second (the relay's count over the window) vs the model's link
//     throughput at the load the window really offered (its measured arrival rates): the issue's
//     3% target for bytes/s, with a band from the sampling error of the sizes;
//   - each link's busy share (the relay's accounting) vs the model's link.utilization;
//   - the time a sized call spends on its link as the users see it: per batch, a blob's mean
//     latency less a blob_direct's (the same bytes and work to a twin without the link, under the
//     same machine load), and a chunk's less a chunk_direct's, less the relay's own hops on that
//     path (tiny less tiny_direct, tiny_inner less tiny_inner_direct: 0.5 and 2.4 ms at load 10,
//     the inner path crossing two routes each way), vs the same difference in the model.
// The transfer times run mostly over the model on the loaded machine (-5 to +10% at load average 8-10, the
// hops subtracted; docs/reference-app.md, Bandwidth links), inside bands of 15-21%.
// Which prediction: a 50 s window offers each link a few per cent more or less than the long run,
// and a PS link's time goes as 1 / (1 - rho), so the model runs at the window's measured arrival
// rates (as bandwidth-link.e2e.test.ts does); the nominal figures are printed beside it.
// Tolerances: transfers overlap, so the window is cut into BATCHES batches; the half-width is
// t(0.975, BATCHES - 1) x the batch means' standard error, plus the model's 95% half-width. For
// bytes/s (the model's bytes per sized request times the window's arrivals of them): 1.96
// standard errors of the mean size over the window's requests (lognormal cv 0.5; a chunk's two
// sizes summed) and over the model's, plus the HTTP heads (at most HEAD_BYTES a message, the tiny
// classes' messages included) on the upper side.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import http from "node:http";
import { scenarioOf } from "../simulator/testing.ts";
import { simulate } from "../simulator/index.ts";
import { Rng } from "../simulator/random.ts";
import type { Scenario } from "../simulator/model/index.ts";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import type { LinkReport } from "./parts/link-relay.ts";
import { batchMeans as windowBatchMeans, poissonWindow, T_975_7 } from "./testing/link-windows.ts";

const FILE = "scenarios/validation/links-beyond-entry.yaml";
const scenario = scenarioOf(readFileSync(new URL(`../${FILE}`, import.meta.url), "utf8"), FILE);
const CLASSES = ["blob", "blob_direct", "chunk", "chunk_direct", "tiny", "tiny_direct", "tiny_inner", "tiny_inner_direct"] as const;
type Cls = (typeof CLASSES)[number];
const PATHS: Record<Cls, string> = { blob: "blobs", blob_direct: "blobs-direct", chunk: "chunks", chunk_direct: "chunks-direct", tiny: "tiny", tiny_direct: "tiny-direct", tiny_inner: "tiny-inner", tiny_inner_direct: "tiny-inner-direct" };
/** The YAML's rate and weights. */
const RATE = 140;
const WEIGHTS: Record<Cls, number> = { blob: 40, blob_direct: 20, chunk: 40, chunk_direct: 20, tiny: 5, tiny_direct: 5, tiny_inner: 5, tiny_inner_direct: 5 };
const WARMUP_S = 5;
const LOAD_S = 55;
const BATCHES = 8;
const WINDOW = { rate: RATE, warmupS: WARMUP_S, loadS: LOAD_S, batches: BATCHES };
const HEAD_BYTES = 400;
/** The YAML's cv of every size, and the relative sd of one transfer's bytes on each link (a chunk: 20 KB and 30 KB, one transfer each). */
const CV = 0.5;

interface Done {
  cls: Cls;
  start: number;
  ms: number;
  status: number;
}

let app: RunningApp;
let stop: () => Promise<void>;
const done: Done[] = [];
/** Per batch boundary, the relay's cumulative figures by link name (the first: the window's start). */
const reports: Array<Record<string, LinkReport>> = [];
let windowStart = 0;
let failed = 0;

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(scenario, { file: FILE }));
  expect(app.links, "the run has a link relay").toBeDefined();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const url = new URL(app.url);
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.get({ host: url.hostname, port: url.port, path, agent, timeout: 10_000 }, (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
    });
  const byName = (r: LinkReport[]) => Object.fromEntries(r.map((x) => [x.name, x]));
  try {
    for (let i = 0; i < 10; i++) for (const c of CLASSES) await get(`/${PATHS[c]}/${i}`); // warm the paths and a few connections
    const rng = new Rng(23, 0, "links-beyond-entry-e2e");
    windowStart = await poissonWindow(
      WINDOW,
      rng,
      () => {
        let u = rng.next() * RATE;
        const cls = CLASSES.find((c) => (u -= WEIGHTS[c]) < 0) ?? "tiny_inner_direct";
        const key = Math.floor(rng.next() * 1000);
        const start = performance.now();
        return get(`/${PATHS[cls]}/${key}`).then((status) => void done.push({ cls, start, ms: performance.now() - start, status }), () => void failed++);
      },
      // the window opens: the relay's figures restart; each later boundary: its cumulative figures
      (i) => (i === 0 ? app.links!.reset() : app.links!.report().then((r) => void (reports[i] = byName(r)))),
    );
  } finally {
    agent.destroy();
  }
}, 120_000);
afterAll(async () => {
  await stop?.();
});

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
const inWindow = () => done.filter((d) => d.start >= windowStart);

/** The mean over batches of f(batch's requests), and its 95% half-width (batch means). */
const batchMeans = (f: (xs: Done[]) => number) => windowBatchMeans(done, windowStart, WINDOW, T_975_7, f);

describe("links beyond the entry in the reference app against the model (M/G/1-PS)", () => {
  const nominal = simulate(scenario);
  /** The window's arrivals per second of each class. */
  const offered = (): Record<Cls, number> => {
    const w = inWindow();
    return Object.fromEntries(CLASSES.map((c) => [c, w.filter((d) => d.cls === c).length / (LOAD_S - WARMUP_S)])) as Record<Cls, number>;
  };
  let atOfferedRun: ReturnType<typeof simulate> | undefined;
  /** The model at the window's offered load (its arrival rates as the classes' weights). */
  const atOffered = () => {
    if (atOfferedRun) return atOfferedRun;
    const o = offered();
    const cls = scenario.load.classes;
    const s = {
      ...scenario,
      load: { ...scenario.load, rate: CLASSES.reduce((a, c) => a + o[c], 0), classes: Object.fromEntries(CLASSES.map((c) => [c, { ...cls[c]!, weight: o[c] }])) },
    } as Scenario;
    return (atOfferedRun = simulate(s));
  };

  it("every request was answered in full", () => {
    expect(failed).toBe(0);
    expect(done.every((d) => d.status === 200)).toBe(true);
    // about RATE x (LOAD_S - WARMUP_S) = 7000 arrivals in the window
    expect(inWindow().length).toBeGreaterThan(0.9 * RATE * (LOAD_S - WARMUP_S));
  });

  // link, its sized class and its twin without the link, the class carrying no bytes across it
  // (if any), messages per sized request on it, and the relative sd of a sized request's bytes:
  // store's blobs (cv 0.5) and inner's chunks (20 KB and 30 KB of cv 0.5 per chunk)
  const cases = [
    { link: "store", sized: "blob", direct: "blob_direct", tiny: "tiny", tinyDirect: "tiny_direct", perRequest: 1, sdPerRequest: CV },
    { link: "inner", sized: "chunk", direct: "chunk_direct", tiny: "tiny_inner", tinyDirect: "tiny_inner_direct", perRequest: 2, sdPerRequest: (CV * Math.hypot(20, 30)) / 50 },
  ] as const;

  for (const c of cases) {
    it(`${c.link}'s link carries the model's bytes per second (within the sampling band and 3%) and is as busy`, () => {
      expect(reports.length).toBe(BATCHES + 1);
      const last = reports[BATCHES]![c.link]!;
      const model = atOffered();
      const at = model.components[c.link]!.link!;
      const measured = last.bytes / last.seconds;
      // the model's bytes per sized request times the window's arrivals of them: the arrival
      // count's own noise, the model's and the window's, drops out; the sizes' remains
      const o = offered();
      const perRequest = at.throughputBitsPerSecond.mean / 8 / model.classes[c.sized]!.throughput.mean;
      const predicted = perRequest * o[c.sized];
      const n = o[c.sized] * (LOAD_S - WARMUP_S);
      const nModel = model.classes[c.sized]!.throughput.mean * (model.run.durationS - model.run.warmupS) * model.run.replications;
      const band = 1.96 * c.sdPerRequest * (1 / Math.sqrt(n) + 1 / Math.sqrt(nModel));
      // the heads of every message on the link: the sized class's transfers and the tiny class's answers (and requests on inner's)
      const heads = (HEAD_BYTES * (o[c.sized] + o[c.tiny]) * c.perRequest) / predicted;
      const rel = measured / predicted - 1;
      console.log(`${c.link} bytes/s: measured ${(measured / 1e6).toFixed(4)} MB/s (${last.transfers} transfers in ${last.seconds.toFixed(1)} s), model at the offered load ${(predicted / 1e6).toFixed(4)} MB/s, nominal ${(nominal.components[c.link]!.link!.throughputBitsPerSecond.mean / 8e6).toFixed(4)}; error ${(rel * 100).toFixed(2)}% (band -${(band * 100).toFixed(2)}% .. +${((band + heads) * 100).toFixed(2)}%)`);
      expect(rel).toBeGreaterThanOrEqual(-band);
      expect(rel).toBeLessThanOrEqual(band + heads);
      // the sampling band itself is within the 3% (the heads, at most ~1%, only add)
      expect(band, "the bytes band is within 3%").toBeLessThan(0.03);

      const busy: number[] = [];
      for (let b = 1; b <= BATCHES; b++) {
        const r = reports[b]![c.link]!, p = reports[b - 1]?.[c.link];
        busy.push((r.utilization * r.seconds - (p ? p.utilization * p.seconds : 0)) / (r.seconds - (p?.seconds ?? 0)));
      }
      const bm = mean(busy);
      const sd = Math.sqrt(busy.reduce((a, x) => a + (x - bm) ** 2, 0) / (BATCHES - 1));
      const hw = (T_975_7 * sd) / Math.sqrt(BATCHES) + (at.utilization.ci95 ?? 0);
      console.log(`${c.link} busy: measured ${(bm * 100).toFixed(1)}% ± ${(hw * 100).toFixed(1)} (in flight ${last.inFlight.toFixed(2)}, releases ${last.meanLateMs.toFixed(3)} ms late on average), model at the offered load ${(at.utilization.mean * 100).toFixed(1)}%, nominal ${(nominal.components[c.link]!.link!.utilization.mean * 100).toFixed(1)}%`);
      expect(Math.abs(bm - at.utilization.mean)).toBeLessThanOrEqual(hw);
    });

    it(`a ${c.sized}'s time on ${c.link}'s link, as the users see it, is the model's within the two confidence intervals`, () => {
      const ms = (xs: Done[], cls: Cls) => xs.filter((d) => d.cls === cls).map((d) => d.ms);
      const v = (xs: number[]) => xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1);
      const w = inWindow();
      // the relay's own hops on this path (its TCP hops and handoffs, which the model does not
      // have): the tiny class through the same routes less its twin straight, with its 95% half-width
      const tl = ms(w, c.tiny), td = ms(w, c.tinyDirect);
      const hop = mean(tl) - mean(td);
      const hopHw = 1.96 * Math.sqrt(v(tl) / tl.length + v(td) / td.length);
      // per batch: a sized request through the link less its twin's (the same bytes and work, no
      // link, under the same machine load), less the hops
      const m = batchMeans((xs) => mean(ms(xs, c.sized)) - mean(ms(xs, c.direct)));
      const measured = m.mean - hop;
      const model = atOffered().classes;
      const predicted = model[c.sized]!.latencyMs.mean.mean - model[c.direct]!.latencyMs.mean.mean;
      const band = m.hw + hopHw + (model[c.sized]!.latencyMs.mean.ci95 ?? 0) + (model[c.direct]!.latencyMs.mean.ci95 ?? 0);
      const nom = nominal.classes[c.sized]!.latencyMs.mean.mean - nominal.classes[c.direct]!.latencyMs.mean.mean;
      console.log(
        `${c.sized} on ${c.link}'s link: measured ${measured.toFixed(2)} ms ± ${(m.hw + hopHw).toFixed(2)} (less the relay's hops ${hop.toFixed(2)} ± ${hopHw.toFixed(2)} ms: ${c.tiny} less ${c.tinyDirect}; ` +
          `batch means before ${m.batches.map((x) => x.toFixed(1)).join(", ")}; ${c.sized} ${mean(ms(w, c.sized)).toFixed(2)} ms, ${c.direct} ${mean(ms(w, c.direct)).toFixed(2)} ms), ` +
          `model at the offered load ${predicted.toFixed(2)} ms, error ${((measured / predicted - 1) * 100).toFixed(1)}% (band ±${((band / predicted) * 100).toFixed(1)}%); nominal model ${nom.toFixed(2)} ms`,
      );
      expect(Math.abs(measured - predicted), "measured vs the model's PS transfer time").toBeLessThanOrEqual(band);
      // the band can tell a wrong capacity: a link 25% slower or faster would be outside it
      expect(band / predicted, "the band is narrower than 25%").toBeLessThan(0.25);
    });
  }
});
