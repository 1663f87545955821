// The command's side of a distributed run: every job becomes a BullMQ job on the queue
// `headroom-simulations` (job ids `<run id>-<index>`, the run id random per run), and the outcomes
// are read back from Redis. `headroom worker` processes (queue-worker.ts) do the work.
//
// What it guarantees, and how:
// - Each outcome is counted once: it is stored by job index the first time it is read, and a job
//   that ran twice (retried after a stall) gives the same text anyway (job.ts).
// - A worker killed mid-job: BullMQ's stalled-job check (run by the other workers) puts the job
//   back in the wait list; nothing to do here.
// - Redis restarted: the poll notices jobs that no longer exist and adds them again (their data is
//   kept here), so the run resumes; if Redis does not answer for `outageTimeout` seconds the run
//   fails with a QueueError naming what was done, and nothing partial is written.
// QueueEvents only wakes the poll early; the poll (HMGET of four fields per unfinished job,
// pipelined) is what decides, so a lost event never loses a result. Trades one round trip per
// unfinished job per second for not depending on event delivery across a Redis restart.
import { randomUUID } from "node:crypto";
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import type { JobRunner } from "./runner.ts";
import type { SimJob } from "../planning/job.ts";
import { connectionOptions, type RedisTarget } from "./redis-url.ts";

export const QUEUE_NAME = "headroom-simulations";
/** Attempts per job when its worker process throws (a stall is counted separately by BullMQ). */
export const JOB_ATTEMPTS = 3;

const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|closed|writeable|LOADING|connect/i;

/** A distributed run that cannot finish: Redis gone, a job failed on every attempt. Exit 1. */
export class QueueError extends Error {
  override readonly name = "QueueError";
}

export interface QueueRunnerOptions {
  readonly target: RedisTarget;
  /** Seconds without an answer from Redis before the run fails (default 60). */
  readonly outageTimeout?: number;
  /** Poll period in milliseconds (default 1000). */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export function queueRunner(o: QueueRunnerOptions): JobRunner {
  const outageMs = (o.outageTimeout ?? 60) * 1000;
  const pollMs = o.pollMs ?? 1000;
  const log = o.log ?? ((line: string) => process.stderr.write(line + "\n"));
  let queue: Queue | null = null;
  let events: QueueEvents | null = null;
  let pendingIds: string[] = [];
  let stopped = false;

  return {
    where: `the queue at ${o.target.display}`,
    async run(jobs, onDone) {
      const runId = randomUUID();
      const ids = jobs.map((_, i) => `${runId}-${i}`);
      // enableOfflineQueue off: while Redis is away a command fails at once instead of piling up,
      // so the outage clock below sees it.
      // BullMQ makes its own connections (and duplicates); all of them stop reconnecting once this
      // runner is closed, or a run that gave up on Redis would never exit.
      const retryStrategy = (times: number) => (stopped ? null : Math.min(times * 200, 2000));
      queue = new Queue(QUEUE_NAME, { connection: connectionOptions(o.target, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy }) as never });
      events = new QueueEvents(QUEUE_NAME, { connection: connectionOptions(o.target, { retryStrategy }) as never });
      let wake: (() => void) | null = null;
      const nudge = () => { const w = wake; wake = null; w?.(); };
      let lastRedisError = "";
      const onError = (e: Error) => { lastRedisError = e.message; };
      queue.on("error", onError);
      events.on("error", onError);
      events.on("completed", nudge);
      events.on("failed", nudge);

      const results: Array<string | undefined> = new Array(jobs.length);
      const remaining = new Set(ids.map((_, i) => i));
      pendingIds = ids;
      const add = async (indices: number[]) => {
        await queue!.addBulk(indices.map((i) => ({
          name: "simulate", data: jobs[i] as SimJob,
          opts: { jobId: ids[i], attempts: JOB_ATTEMPTS, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } },
        })));
      };
      let downSince: number | null = null;
      let resubmitted = 0;
      const start = Date.now();
      let hinted = false;
      // First submission: retried through a short outage like every later call.
      let submitted = false;
      let client: Redis | null = null;
      const round = async () => {
        if (!submitted) { await add([...remaining]); submitted = true; }
        const q = queue!;
        client ??= (await q.client) as unknown as Redis;
        const order = [...remaining];
        const pipe = client.pipeline();
        for (const i of order) pipe.hmget(q.toKey(ids[i]), "timestamp", "finishedOn", "returnvalue", "failedReason");
        const replies = (await pipe.exec()) ?? [];
        const lost: number[] = [];
        const finished: string[] = [];
        for (let k = 0; k < order.length; k++) {
          const [err, fields] = replies[k] ?? [new Error("no reply"), null];
          if (err) throw err;
          const [timestamp, finishedOn, returnvalue, failedReason] = fields as Array<string | null>;
          const i = order[k];
          if (!remaining.has(i)) continue; // read by a round that outlived its timeout
          if (timestamp === null) { lost.push(i); continue; }
          if (finishedOn === null) continue;
          if (returnvalue !== null && returnvalue !== "null") {
            results[i] = JSON.parse(returnvalue) as string;
            remaining.delete(i);
            finished.push(ids[i]);
            onDone(i);
          } else if (failedReason !== null) {
            throw new QueueError(`simulation ${i} failed on every one of its ${JOB_ATTEMPTS} attempts; the last worker said: ${failedReason}`);
          }
        }
        if (downSince !== null) log(`queue: Redis at ${o.target.display} answers again`);
        downSince = null;
        if (lost.length > 0 && submitted) {
          resubmitted += lost.length;
          log(`queue: ${lost.length} job${lost.length === 1 ? "" : "s"} of this run no longer in Redis (restarted without its data?): submitting ${lost.length === 1 ? "it" : "them"} again`);
          await add(lost);
        }
        // Finished jobs are removed at once: their results are here now.
        if (finished.length > 0) await Promise.all(finished.map((id) => q.remove(id).catch(() => 0)));
        if (!hinted && remaining.size === jobs.length && Date.now() - start > 15_000) {
          hinted = true;
          log(`queue: no job taken after 15 s: is a worker running? start one with: headroom worker --queue ${o.target.display}`);
        }
      };
      // While Redis is down BullMQ waits for it rather than failing; each round is bounded so the
      // outage clock keeps running.
      const roundMs = Math.max(2000, Math.min(outageMs, 10_000));
      while (remaining.size > 0) {
        if (stopped) throw new QueueError("stopped");
        try {
          await withTimeout(round(), roundMs);
        } catch (e) {
          if (e instanceof QueueError) throw e;
          // An error from a Redis that is up is not an outage to wait out (a bad reply, a refused command).
          if ((client as Redis | null)?.status === "ready" && !CONNECTION_ERROR.test((e as Error).message)) throw new QueueError(`Redis at ${o.target.display} refused a command: ${(e as Error).message}`);
          const now = Date.now();
          if (downSince === null) {
            downSince = now;
            log(`queue: Redis at ${o.target.display} does not answer (${(e as Error).message || lastRedisError}); waiting up to ${outageMs / 1000} s`);
          } else if (now - downSince >= outageMs) {
            throw new QueueError(`lost Redis at ${o.target.display}: no answer for ${Math.round((now - downSince) / 1000)} s (${jobs.length - remaining.size} of ${jobs.length} simulations finished); nothing was written`);
          }
        }
        if (remaining.size === 0) break;
        await new Promise<void>((resolve) => { wake = resolve; setTimeout(nudge, pollMs); });
      }
      pendingIds = [];
      if (resubmitted > 0) log(`queue: ${resubmitted} job${resubmitted === 1 ? " was" : "s were"} submitted again after Redis lost them; every result was counted once`);
      return results as string[];
    },
    async close() {
      stopped = true;
      const q = queue, ev = events;
      queue = null; events = null;
      // Jobs of an interrupted run that no worker has started are removed; active ones finish and expire.
      if (q && pendingIds.length > 0) await Promise.race([Promise.all(pendingIds.map((id) => q.remove(id).catch(() => 0))), new Promise((r) => setTimeout(r, 2000))]);
      pendingIds = [];
      // A graceful close waits for Redis; with Redis gone it would wait forever: at most 2 s, then
      // the connections are left to end (retryStrategy above stops their reconnecting).
      const graceful = Promise.all([q?.close().catch(() => undefined), ev?.close().catch(() => undefined)]);
      await Promise.race([graceful, new Promise((r) => setTimeout(r, 2000).unref())]);
    },
  };
}
