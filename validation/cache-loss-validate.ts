// The cache-loss validation (validate:dynamics on a scenario whose `failures` lose a cache): the
// cache comes back empty mid-run and the hit ratio climbs back as keys are read again (a miss
// storm on the database meanwhile), once or several times (the rows are means over the losses:
// one loss's recovery time swings by a quarter). The model's side is the hit-ratio series averaged over 8 runs
// (seeds seed..seed+7; one run's series swings by several points per interval); the measured side
// is the collector's Redis counters, one sample per `simulation.interval`, with the app's cache
// restarted empty (the admin fault: redis-server SIGKILLed, no persistence, started again with the
// same maxmemory) each `at` seconds after HAProxy counted the first request. While it is down the
// services read a failed GET as a miss and go to the database, as after a loss; the model's
// `lose` has no down time, the app's is a row of the report. Rows and targets:
// cache-loss-series.ts and docs/validation.md. Only a scenario whose failures are all losses of one
// cache is taken; anything else is an InputError naming the field.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { loadavg } from "node:os";
import { join } from "node:path";
import { simulate, type Scenario } from "../simulator/index.ts";
import { startAppPromise } from "../reference-app/launcher.ts";
import { runLoad } from "../k6/harness.ts";
import { firstRequest } from "../reference-app/first-request.ts";
import { cacheLossRows, cacheLossSide, measuredRatios, predictedRatios } from "./cache-loss-series.ts";
import type { DynamicsReport } from "./dynamics.ts";

export class CacheLossInputError extends Error {
  override readonly name = "InputError";
}

const RUNS = 8;

/** The lost cache and when (every loss, in order), or undefined when the scenario loses none. */
export function cacheLossTarget(file: string, s: Scenario): { cache: string; ats: number[] } | undefined {
  const fs = s.failures ?? [];
  if (!fs.some((f) => "lose" in f)) return undefined;
  const warmup = s.simulation?.warmup ?? 0;
  let cache: string | undefined;
  const ats: number[] = [];
  fs.forEach((f, i) => {
    if (!("lose" in f)) throw new CacheLossInputError(`${file}: failures[${i}]: the cache-loss validation takes cache losses only`);
    if (cache !== undefined && f.lose !== cache) throw new CacheLossInputError(`${file}: failures[${i}].lose: every loss must be of the same cache ('${cache}')`);
    if (f.at <= warmup) throw new CacheLossInputError(`${file}: failures[${i}].at: a loss must come after the warm-up (the hit ratio before it is the steady state)`);
    cache = f.lose;
    ats.push(f.at);
  });
  return { cache: cache!, ats: ats.sort((a, b) => a - b) };
}

async function readCacheSamples(path: string): Promise<Array<{ t: number; hits: number; misses: number }>> {
  const out: Array<{ t: number; hits: number; misses: number }> = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { t: number; cache?: { hits: number; misses: number } | null };
    if (o.cache) out.push({ t: o.t, hits: o.cache.hits, misses: o.cache.misses });
  }
  return out;
}

export async function validateCacheLoss(file: string, scenario: Scenario, outDir: string, log: (s: string) => void): Promise<DynamicsReport> {
  const { cache, ats } = cacheLossTarget(file, scenario)!;
  const sims = Array.from({ length: RUNS }, (_, k) => simulate(scenario, { seed: scenario.seed + k, replications: 1 }));
  const series = sims.map((r) => r.series!);
  const predicted = predictedRatios(series[0]!.t, series.map((s) => ({ hitRatio: s.components[cache]!.hitRatio!, lookups: s.components[cache]!.lookups! })));
  const { durationS, warmupS } = sims[0]!.run;
  const la0 = loadavg();
  // The app's own run dir (private, readable by the database's user), read before stop() removes it.
  const { app, stop } = await startAppPromise(scenario, { file });
  let loadStartMs = NaN;
  const lossAt: Array<ReturnType<typeof setTimeout>> = [];
  const killedAtMs: number[] = [];
  const restartMs: number[] = [];
  let samples: Array<{ t: number; hits: number; misses: number }> = [];
  try {
    log(`app up (${app.url}); load for ${durationS} s, the cache restarted empty at ${ats.join(", ")} s`);
    const watch = { done: false };
    const started = app.haproxyStatsSocket ? firstRequest(app.haproxyStatsSocket, watch) : Promise.resolve(Date.now());
    void started.then((t) => {
      loadStartMs = t;
      for (const at of ats) {
        lossAt.push(setTimeout(() => {
          log(`fault: restart ${cache} empty`);
          const killedMs = Date.now();
          app.faults.restartCache().then(() => { killedAtMs.push(killedMs); restartMs.push(Date.now() - killedMs); }, (e) => log(`restart failed: ${e}`));
        }, Math.max(0, t + at * 1000 - Date.now())));
      }
    });
    const run = await runLoad({ scenario, source: file, target: app.url, outDir: join(outDir, "k6"), engine: "auto", maxRunMs: (durationS + 60) * 1000 });
    watch.done = true;
    if (run.exitCode !== 0 && run.exitCode !== 99) throw new Error(`${file}: the load run (${run.engine}) ended with exit code ${run.exitCode}${run.message ? ` (${run.message})` : ""}`);
    await app.sample();
    samples = await readCacheSamples(app.timeseriesPath);
  } finally {
    for (const x of lossAt) clearTimeout(x);
    await stop();
  }
  if (!Number.isFinite(loadStartMs)) throw new Error(`${file}: HAProxy never counted a request`);
  if (killedAtMs.length !== ats.length) throw new Error(`${file}: the cache was restarted ${killedAtMs.length} times of ${ats.length}`);
  const measured = measuredRatios(samples, loadStartMs);
  const rows = cacheLossRows(cacheLossSide(predicted, warmupS, ats), cacheLossSide(measured, warmupS, ats));
  const spread = series.map((x) => cacheLossSide(predictedRatios(x.t, [{ hitRatio: x.components[cache]!.hitRatio!, lookups: x.components[cache]!.lookups! }]), warmupS, ats).recovery);
  rows.push({ name: "recovery time (s), slowest of the 8 simulated runs (one run's spread)", predicted: Math.max(...spread), measured: NaN, target: "shown", pass: null });
  rows.push({ name: "recovery time (s), fastest of the 8 simulated runs", predicted: Math.min(...spread), measured: NaN, target: "shown", pass: null });
  ats.forEach((at, i) => rows.push({ name: `loss ${i + 1}: Redis killed at (s from the load start)`, predicted: at, measured: (killedAtMs[i]! - loadStartMs) / 1000, target: "shown", pass: null }));
  ats.forEach((_, i) => rows.push({ name: `loss ${i + 1}: Redis down, killed to answering again (s)`, predicted: 0, measured: restartMs[i]! / 1000, target: "shown", pass: null }));
  const events = ats.map((at, i) => [at, `Redis restarted empty (loss ${i + 1})`] as const);
  return { scenario: scenario.name, loadAverage: [la0[0]!, loadavg()[0]!], rows, series: [{ name: `${cache} hit ratio per interval (model: mean of ${RUNS} runs)`, unit: "hit ratio", shape: "samples", predicted, measured, events }] };
}
