// The simulator's public entry: parse a scenario, run its replications, get a result. Pure
// TypeScript with no Node imports, so the dashboard's Web Worker runs exactly this code.
import type { Scenario } from "./model/schema.ts";
import { compile } from "./engine/program.ts";
import { runReplication, Cancelled } from "./engine/simulation.ts";
import { buildResult, type SimResult } from "./result.ts";

export * from "./model/index.ts";
export * from "./result.ts";
export { Cancelled } from "./engine/simulation.ts";
export { UnsupportedError } from "./engine/program.ts";

export interface SimulateOptions {
  readonly seed?: number;
  readonly replications?: number;
  /** Simulated seconds per replication. */
  readonly duration?: number;
  readonly warmup?: number;
  /** Progress in [0, 1] over all replications; return true to cancel (throws Cancelled). */
  readonly onProgress?: (fraction: number) => boolean | void;
}

/** Duration, warm-up and interval a scenario runs with, after defaults and overrides. */
export function runWindow(scenario: Scenario, o: SimulateOptions = {}): { duration: number; warmup: number; interval: number; replications: number; seed: number } {
  const sim = scenario.simulation;
  let stagesEnd = 0;
  for (const s of scenario.load.stages ?? []) stagesEnd += s.duration;
  const duration = o.duration ?? sim.duration ?? (stagesEnd > 0 ? stagesEnd : 60);
  const warmup = o.warmup ?? (o.duration !== undefined && sim.warmup !== undefined && sim.warmup >= duration ? duration * 0.1 : sim.warmup ?? duration * 0.1);
  return { duration, warmup, interval: sim.interval, replications: o.replications ?? sim.replications, seed: o.seed ?? scenario.seed };
}

export function simulate(scenario: Scenario, o: SimulateOptions = {}): SimResult {
  const w = runWindow(scenario, o);
  const program = compile(scenario);
  const reps = [];
  for (let r = 0; r < w.replications; r++) {
    reps.push(runReplication(program, scenario, {
      seed: w.seed,
      replication: r,
      duration: w.duration,
      warmup: w.warmup,
      interval: w.interval,
      series: r === 0,
      onTick: o.onProgress ? (f) => o.onProgress!((r + f) / w.replications) : undefined,
    }));
    if (o.onProgress?.((r + 1) / w.replications)) throw new Cancelled();
  }
  return buildResult(scenario, program, reps, w);
}
