// A worker thread of the capacity pool: runs capacity searches and plain simulations sent by
// pool.ts and posts back compact summaries (a full result with its series is not needed there),
// and single replications of a `simulate` run, whose raw statistics go back whole.
import { parentPort } from "node:worker_threads";
import { simulate, simulateReplication, UnsupportedError } from "../simulator/index.ts";
import { runSearch } from "./search.ts";
import { summarize } from "./verdict.ts";
import type { Task } from "./pool.ts";
import { runJob } from "./job.ts";

parentPort!.on("message", (msg: { id: number; task: Task }) => {
  try {
    const t = msg.task;
    const value = t.kind === "search"
      ? runSearch(t.spec)
      : t.kind === "job" ? runJob(t.job)
      : t.kind === "replication" ? simulateReplication(t.scenario, t.window, t.replication)
      : summarize(t.level, simulate(t.scenario, { seed: t.seed, replications: t.replications, duration: t.duration, warmup: t.warmup }));
    parentPort!.postMessage({ id: msg.id, ok: true, value });
  } catch (e) {
    // A model the simulator cannot run is the user's input problem; anything else is a bug (with its stack).
    parentPort!.postMessage({ id: msg.id, ok: false, input: e instanceof UnsupportedError, error: e instanceof UnsupportedError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
