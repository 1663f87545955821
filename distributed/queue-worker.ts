// `headroom worker`'s engine: a BullMQ Worker on the `headroom-simulations` queue whose processor
// hands each job to a local worker-thread pool (planning/pool.ts). The simulation is
// synchronous and CPU-bound; run on this event loop it would block BullMQ's lock renewal and every
// long job would look stalled. Threads keep the loop free: locks are renewed, and a job whose
// process dies is found stalled after about one lock period and retried by another worker.
// Trades a thread hop per job (well under a millisecond) for that.
import { Worker, type Job } from "bullmq";
import { WorkerPool } from "../planning/pool.ts";
import { QUEUE_NAME } from "./queue-runner.ts";
import { connectionOptions, type RedisTarget } from "./redis-url.ts";
import type { SimJob } from "../planning/job.ts";

export interface QueueWorkerOptions {
  readonly target: RedisTarget;
  /** Jobs at once, one thread each. */
  readonly threads: number;
  /** Lock period in ms: a job whose worker stops renewing is stalled after about this long (default 30000). */
  readonly lockMs?: number;
  readonly log: (line: string) => void;
}

export interface QueueWorker {
  /** Stops taking jobs, lets running ones finish (or abandons them with force), ends the threads. */
  close(force?: boolean): Promise<void>;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const pool = new WorkerPool(o.threads);
  const lockDuration = o.lockMs ?? 30_000;
  let lastError = "";
  const worker = new Worker(QUEUE_NAME, async (job: Job<SimJob, string>) => {
    o.log(`job ${job.id} started (attempt ${job.attemptsMade + 1})`);
    const t0 = Date.now();
    const out = await pool.run({ kind: "job", job: job.data });
    o.log(`job ${job.id} done in ${Date.now() - t0} ms`);
    return out;
  }, {
    connection: connectionOptions(o.target, { maxRetriesPerRequest: null }) as never,
    concurrency: o.threads,
    lockDuration,
    stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
    // a job whose worker died twice more is still retried; a fourth stall fails it
    maxStalledCount: 3,
    autorun: false,
  });
  worker.on("error", (e) => {
    // ioredis repeats the same error on every reconnection attempt: say it once per change
    if (e.message !== lastError) o.log(`redis: ${e.message}`);
    lastError = e.message;
  });
  worker.on("ready", () => { if (lastError) o.log("redis: connected again"); lastError = ""; });
  worker.on("stalled", (id) => o.log(`job ${id} stalled (its worker stopped renewing the lock): back in the queue`));
  worker.on("failed", (job, e) => o.log(`job ${job?.id ?? "?"} failed: ${e.message}`));
  void worker.run();
  await worker.waitUntilReady();
  return {
    async close(force = false) {
      await worker.close(force);
      await pool.close();
    },
  };
}
