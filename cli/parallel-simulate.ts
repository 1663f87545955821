// `simulate` on several cores: a run's replications go to worker threads (the capacity pool,
// cli/capacity/pool.ts), come back as raw statistics and are combined here in replication order,
// so the result is byte-identical to simulate()'s one-after-another run (each replication draws
// from its own seeded streams; cli/tests/parallel-simulate.test.ts compares the bytes). Trades a
// thread start-up, a compile per replication and a copy of each replication's histograms (about
// 23 KB each) for the cores: worth it from two replications of more than a few seconds.
import { combineReplications, expectedMemory, reviveReplication, runWindow, simulate, RUN_MEMORY_LIMIT, type RunWindowOptions, type Scenario, type SimResult } from "../simulator/index.ts";
import { WorkerPool } from "./capacity/pool.ts";

export interface ParallelOptions extends RunWindowOptions {
  /** Threads at most; 1 runs every replication in this thread. */
  readonly jobs: number;
  /** The memory budget (bytes): threads hold a replication each, so at most budget / estimate of them run at once. */
  readonly maxMemory?: number;
  /** Names the scenario in error messages (its file). */
  readonly file: string;
}

/** How many threads a run gets: no more than asked, than replications, or than the memory budget allows. */
export function threadsFor(scenario: Scenario, o: ParallelOptions): number {
  const { replications } = runWindow(scenario, o);
  const perReplication = expectedMemory(scenario, o).bytes;
  const byMemory = perReplication > 0 ? Math.floor((o.maxMemory ?? RUN_MEMORY_LIMIT) / perReplication) : Infinity;
  return Math.max(1, Math.min(o.jobs, replications, byMemory));
}

/** simulate(scenario, o) with the replications spread over threadsFor() threads. */
export async function simulateParallel(scenario: Scenario, o: ParallelOptions): Promise<SimResult> {
  const window: RunWindowOptions = { seed: o.seed, replications: o.replications, duration: o.duration, warmup: o.warmup };
  const threads = threadsFor(scenario, o);
  if (threads <= 1) return simulate(scenario, window);
  const { replications } = runWindow(scenario, window);
  const pool = new WorkerPool(threads);
  try {
    const copies = await Promise.all(Array.from({ length: replications }, (_, replication) =>
      pool.run({ kind: "replication", file: o.file, scenario, window, replication })));
    return combineReplications(scenario, window, copies.map(reviveReplication));
  } finally {
    await pool.close();
  }
}
