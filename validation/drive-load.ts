// One level's load and its reading, shared by the reference app's measurement (measure.ts) and a
// user's own system (target-measure.ts): drive the target with the scenario's k6 script while the
// generator's health is probed, refuse a failed or empty run, and read the per-class window stats
// after the warm-up. Whatever else the caller samples meanwhile it stops in onLoadEnd, which runs
// as soon as the load ends (also when it fails). Without k6 the built-in runner runs in a process of
// its own (k6/child-runner.ts), so the caller's sampling does not share the generator's event loop;
// its loop lag is then the one the level is judged by.
import { join } from "node:path";
import type { Scenario } from "../simulator/index.ts";
import { runLoad, type LoadRun } from "../k6/harness.ts";
import type { MeasuredInterval } from "../k6/ingest/intervals.ts";
import { readK6Results } from "../k6/ingest/ingest.ts";
import { windowStats, type WindowStats } from "./k6-window.ts";
import { startHealthProbe, describeHealth, DEFAULT_MAX_LAG_MS, type GeneratorHealth } from "./starvation.ts";

export class MeasureError extends Error {
  override readonly name = "MeasureError";
}

export interface DriveOptions {
  scenario: Scenario;
  file: string;
  target: string;
  outDir: string;
  durationS: number;
  warmupS: number;
  maxLagMs?: number;
  signal?: AbortSignal;
  onLoadEnd?: () => Promise<void>;
  /** The run's CA when the target is https (RunningApp.caFile): the generator's only trusted root. */
  caFile?: string;
  /** Each measured second as it completes (validate --dashboard): runLoad's onInterval. */
  onInterval?: (iv: MeasuredInterval) => void;
  /** With regions: each origin region's entry (runLoad's regionTargets). */
  regionTargets?: Readonly<Record<string, string>>;
  /** With regions and a CDN: each origin region's server of the edge (runLoad's cdnTargets). */
  cdnTargets?: Readonly<Record<string, string>>;
  /** Without regions, with a CDN: the edge's URL (runLoad's cdnTarget). */
  cdnTarget?: string;
  /** The load's t = 0, the run's first sample (runLoad's onFirstSample). */
  onFirstSample?: (epochMs: number) => void;
}

export interface Driven {
  run: LoadRun;
  generator: GeneratorHealth;
  requestsTotal: number;
  win: WindowStats;
}

export async function driveLoad(o: DriveOptions): Promise<Driven> {
  let run: LoadRun | undefined;
  let generator: GeneratorHealth | undefined;
  const health = startHealthProbe(o.maxLagMs ?? DEFAULT_MAX_LAG_MS);
  try {
    run = await runLoad({
      scenario: o.scenario,
      source: o.file,
      target: o.target,
      outDir: join(o.outDir, "k6"),
      plan: { durationS: o.durationS },
      engine: "auto",
      // the built-in runner on a loop of its own: the caller's scraping every 250 ms shares this one
      builtInChild: true,
      signal: o.signal,
      maxRunMs: (o.durationS + 60) * 1000,
      caFile: o.caFile,
      onInterval: o.onInterval,
      ...(o.regionTargets ? { regionTargets: o.regionTargets } : {}),
      ...(o.cdnTargets ? { cdnTargets: o.cdnTargets } : {}),
      ...(o.cdnTarget ? { cdnTarget: o.cdnTarget } : {}),
      ...(o.onFirstSample ? { onFirstSample: o.onFirstSample } : {}),
    });
  } finally {
    // the generator's starvation: its own process's loop lag when it ran in one (the built-in
    // runner's child), else this process's (a proxy under real k6)
    generator = health.stop(run?.loopLag);
    await o.onLoadEnd?.();
  }
  if (run.exitCode !== 0 && run.exitCode !== 99) throw new MeasureError(`${o.file}: the load run (${run.engine}) ended with exit code ${run.exitCode}${run.message ? ` (${run.message})` : ""}; ${describeHealth(generator)}`);
  const all = await readK6Results(run.ndjsonPath); // rejects truncated or foreign output
  const requestsTotal = all.metrics["http_reqs"]?.values.count ?? 0;
  if (requestsTotal === 0) throw new MeasureError(`${run.ndjsonPath}: k6 output holds no completed request: the target stalled (no answer within the run) or the load never started`);
  const win = await windowStats(run.ndjsonPath, o.warmupS, o.durationS);
  const sent = Object.values(win.classes).reduce((x, c) => x + c.offeredRate * win.windowS, 0);
  const answered = Object.values(win.classes).reduce((x, c) => x + c.requests, 0);
  if (answered === 0) throw new MeasureError(`${o.file}: the target stalled: ${Math.round(sent)} requests sent in the measurement window, none answered in it`);
  return { run, generator, requestsTotal, win };
}
