// Where a batch of jobs runs, behind one interface: in this thread one after another (the
// reference a distributed run is compared with, byte for byte), on this machine's worker threads
// (the default), or as BullMQ jobs (queue-runner.ts). Every runner returns the encoded outcomes in
// job order and reports each completion once, so the caller's output does not depend on which
// one ran.
import { WorkerPool, defaultThreads } from "../planning/pool.ts";
import { runJob, type SimJob } from "../planning/job.ts";

export interface JobRunner {
  /** Encoded outcomes (codec.ts) in the order of `jobs`; `onDone` is called once per finished job. */
  run(jobs: ReadonlyArray<SimJob>, onDone: (index: number) => void): Promise<string[]>;
  /** Releases threads, connections and queued jobs; safe to call twice. */
  close(): Promise<void>;
  /** Where the jobs run, for progress lines (never written into results). */
  readonly where: string;
}

/** In this thread, in order: slow, but the definition of the right answer. */
export function serialRunner(): JobRunner {
  return {
    where: "this thread",
    async run(jobs, onDone) {
      return jobs.map((j, i) => { const out = runJob(j); onDone(i); return out; });
    },
    async close() {},
  };
}

/** On worker threads of this machine (one per core by default). */
export function threadRunner(threads = defaultThreads()): JobRunner {
  let pool: WorkerPool | null = null;
  return {
    where: `${threads} local thread${threads === 1 ? "" : "s"}`,
    async run(jobs, onDone) {
      pool = new WorkerPool(Math.max(1, Math.min(threads, jobs.length)));
      return Promise.all(jobs.map((job, i) => pool!.run({ kind: "job", job }).then((out) => { onDone(i); return out; })));
    },
    async close() {
      await pool?.close();
      pool = null;
    },
  };
}
