// The simulator's public entry: parse a scenario, run its replications, get a result. Pure
// TypeScript with no Node imports, so the dashboard's Web Worker runs exactly this code.
import type { Scenario } from "./model/schema.ts";
import { compile } from "./engine/program.ts";
import { runReplication, Cancelled } from "./engine/simulation.ts";
import { buildResult, type SimResult } from "./result.ts";
import { runWindow, type RunWindowOptions } from "./model/run-size.ts";

export * from "./model/index.ts";
export * from "./result.ts";
export { Cancelled } from "./engine/simulation.ts";
export { UnsupportedError } from "./engine/program.ts";

export interface SimulateOptions extends RunWindowOptions {
  /** Progress in [0, 1] over all replications; return true to cancel (throws Cancelled). */
  readonly onProgress?: (fraction: number) => boolean | void;
}

export function simulate(scenario: Scenario, o: SimulateOptions = {}): SimResult {
  const w = runWindow(scenario, o);
  const program = compile(scenario);
  const reps = [];
  for (let r = 0; r < w.replications; r++) {
    reps.push(runReplication(program, {
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
  return buildResult(program, reps, w);
}
