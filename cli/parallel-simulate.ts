// `simulate` on several cores: a run's replications go to worker threads (the capacity pool,
// planning/pool.ts), come back as raw statistics and are combined here in replication order,
// so the result is byte-identical to simulate()'s one-after-another run (each replication draws
// from its own seeded streams; cli/tests/parallel-simulate.test.ts compares the bytes). Trades a
// thread start-up, a compile per replication and a copy of each replication's histograms (about
// 23 KB each) for the cores: worth it from two replications of more than a second or so, so by
// default a shorter run stays in this thread.

/**
 * By default, a thread for every this many expected events (about a second of simulation): a
 * thread's start costs about 0.6 s of CPU (the simulator and its schema library load in each),
 * which a 2-minute single-service run (0.2 s of simulation) would not win back.
 */
export const EVENTS_PER_THREAD = 2_000_000;
import { combineReplications, expectedEvents, expectedMemory, reviveReplication, runWindow, simulate, RUN_MEMORY_LIMIT, type RunWindowOptions, type Scenario, type SimResult } from "../simulator/index.ts";
import { WorkerPool, defaultThreads } from "../planning/pool.ts";

export interface ParallelOptions extends RunWindowOptions {
  /** Threads at most; 1 runs every replication in this thread. Default: one per core, fewer for a short run. */
  readonly jobs?: number;
  /** The memory budget (bytes): threads hold a replication each, so at most budget / estimate of them run at once. */
  readonly maxMemory?: number;
  /** Names the scenario in error messages (its file). */
  readonly file: string;
}

/**
 * How many threads a run gets: no more than asked (default: the cores and one per
 * EVENTS_PER_THREAD expected events), than replications, or than the memory budget allows.
 */
export function threadsFor(scenario: Scenario, o: ParallelOptions): number {
  const { replications } = runWindow(scenario, o);
  const perReplication = expectedMemory(scenario, o).bytes;
  const byMemory = perReplication > 0 ? Math.floor((o.maxMemory ?? RUN_MEMORY_LIMIT) / perReplication) : Infinity;
  const asked = o.jobs ?? Math.min(defaultThreads(), Math.floor(expectedEvents(scenario, o) / EVENTS_PER_THREAD));
  return Math.max(1, Math.min(asked, replications, byMemory));
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
