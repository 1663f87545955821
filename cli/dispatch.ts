// The flags that say where a command's simulations run (--threads, --queue, --queue-timeout) and
// the one call that runs a batch there with progress on stderr, Ctrl-C cleanup (threads ended,
// this run's unstarted queue jobs removed) and a clear message when a queue run cannot finish.
// Shared by every command that fans out simulations, so they all read the same flags the same way.
import { UsageError } from "../shared/errors.ts";
import { intFlag, durationFlag } from "./value-flags.ts";
import { parseRedisUrl, RedisUrlError, type RedisTarget } from "../distributed/redis-url.ts";
import { serialRunner, threadRunner, type JobRunner } from "../distributed/runner.ts";
import { queueRunner, QueueError } from "../distributed/queue-runner.ts";
import { progressLine } from "../distributed/progress.ts";
import type { SimJob } from "../planning/job.ts";

export const DISPATCH_FLAGS = {
  threads: { type: "string" },
  queue: { type: "string" },
  "queue-timeout": { type: "string" },
} as const;

export const DISPATCH_HELP =
  `  --threads N         local worker threads (default: one per core; env HEADROOM_THREADS); 0 runs\n` +
  `                      every simulation in the command's own thread, one after another\n` +
  `  --queue URL         run each simulation as a BullMQ job on Redis (redis://HOST:PORT[/DB]);\n` +
  `                      start workers with 'headroom worker --queue URL'\n` +
  `  --queue-timeout D   with --queue, fail after Redis has not answered for D (default 60s)`;

export type Dispatch =
  | { readonly kind: "threads"; readonly threads: number }
  | { readonly kind: "queue"; readonly target: RedisTarget; readonly outageTimeout: number };

export function dispatchFlags(cmd: string, v: { threads?: string; queue?: string; "queue-timeout"?: string }, threads: number): Dispatch {
  if (v.queue !== undefined) {
    if (v.threads !== undefined) throw new UsageError(`headroom ${cmd}: --threads and --queue exclude each other (a queue's workers choose their own threads)`);
    let target: RedisTarget;
    try { target = parseRedisUrl(v.queue); } catch (e) { if (e instanceof RedisUrlError) throw new UsageError(`headroom ${cmd}: ${e.message}`); throw e; }
    const outageTimeout = v["queue-timeout"] === undefined ? 60 : durationFlag(cmd, "--queue-timeout", v["queue-timeout"]);
    return { kind: "queue", target, outageTimeout };
  }
  if (v["queue-timeout"] !== undefined) throw new UsageError(`headroom ${cmd}: --queue-timeout needs --queue`);
  return { kind: "threads", threads: v.threads === undefined ? threads : intFlag(cmd, "--threads", v.threads, 0) };
}

export function makeRunner(d: Dispatch): JobRunner {
  if (d.kind === "queue") return queueRunner({ target: d.target, outageTimeout: d.outageTimeout });
  return d.threads === 0 ? serialRunner() : threadRunner(d.threads);
}

/**
 * Runs the jobs where `d` says, outcomes in job order. A queue run that cannot finish prints its
 * reason and returns null (the command exits 1); Ctrl-C cleans up and exits 130.
 */
export async function runJobs(cmd: string, jobs: ReadonlyArray<SimJob>, d: Dispatch): Promise<string[] | null> {
  const runner = makeRunner(d);
  const progress = progressLine(`${cmd} on ${runner.where}`, jobs.length);
  const onSignal = () => {
    process.stderr.write(`\nheadroom ${cmd}: interrupted; cleaning up\n`);
    void runner.close().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const out = await runner.run(jobs, () => progress.done());
    progress.finish();
    return out;
  } catch (e) {
    if (e instanceof QueueError) {
      process.stderr.write(`\nheadroom ${cmd}: ${e.message}\n`);
      return null;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await runner.close();
  }
}
