// `headroom worker`: processes the simulations that `headroom sweep --queue` (and the other
// commands' --queue) put on a Redis queue, as many at once as it has threads; runs until Ctrl-C or
// SIGTERM, then lets running jobs finish. See docs/distributed.md.
import { parseFlags } from "../flags.ts";
import { UsageError } from "../../shared/errors.ts";
import { intFlag, durationFlag } from "../value-flags.ts";
import { defaultThreads } from "../../planning/pool.ts";
import { parseRedisUrl, RedisUrlError } from "../../distributed/redis-url.ts";
import { startQueueWorker } from "../../distributed/queue-worker.ts";
import { QUEUE_NAME } from "../../distributed/queue-runner.ts";
import type { Command } from "./index.ts";

const HELP = `usage: headroom worker --queue redis://HOST:PORT[/DB] [options]

Takes simulation jobs from the queue '${QUEUE_NAME}' on that Redis and runs them on worker
threads, one job per thread. Start as many as you like, on any machines that reach the Redis and
run the same headroom version; a result does not depend on which worker ran it.

options:
  --queue URL         the Redis holding the queue (required); redis://[user:password@]host:port[/db]
  --threads N         jobs at once (default: one per core; env HEADROOM_THREADS)
  --lock D            lock period: a job whose worker dies is retried after about this long
                      (default 30s; every worker on a queue should use the same)
  --quiet             no line per job on stderr
  -h, --help          this help

SIGINT or SIGTERM stops taking jobs and waits for running ones; a second signal abandons them
(another worker retries them once their lock expires).

exit codes: 0 stopped by a signal, 2 invalid flags, 1 internal error`;

export const workerCommand: Command = {
  summary: "process simulation jobs from a Redis queue (for --queue runs)",
  async run(argv) {
    const args = parseFlags("worker", argv, HELP, {
      queue: { type: "string" }, threads: { type: "string" }, lock: { type: "string" },
      quiet: { type: "boolean" }, help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) { process.stdout.write(HELP + "\n"); return 0; }
    if (args.positionals.length > 0) throw new UsageError(`headroom worker: takes no file (jobs carry their scenarios)\n\n${HELP}`);
    if (v.queue === undefined) throw new UsageError(`headroom worker: --queue is required\n\n${HELP}`);
    let target;
    try { target = parseRedisUrl(v.queue); } catch (e) { if (e instanceof RedisUrlError) throw new UsageError(`headroom worker: ${e.message}`); throw e; }
    const threads = v.threads === undefined ? defaultThreads() : intFlag("worker", "--threads", v.threads, 1);
    const lockMs = v.lock === undefined ? 30_000 : Math.round(durationFlag("worker", "--lock", v.lock) * 1000);
    if (lockMs < 1000) throw new UsageError("headroom worker: --lock must be at least 1s");
    const say = (line: string) => process.stderr.write(`worker ${process.pid}: ${line}\n`);
    const log = v.quiet ? (line: string) => { if (!line.startsWith("job ") || line.includes("stalled") || line.includes("failed")) say(line); } : say;
    const worker = await startQueueWorker({ target, threads, lockMs, log });
    say(`taking jobs from ${QUEUE_NAME} at ${target.display} on ${threads} thread${threads === 1 ? "" : "s"}`);
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = () => {
        if (stopping) { say("second signal: abandoning running jobs"); void worker.close(true).finally(resolve); return; }
        stopping = true;
        say("stopping: finishing running jobs (signal again to abandon them)");
        void worker.close().finally(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    say("stopped");
    return 0;
  },
};
