// The capacity pool's interface (planning/pool.ts: `run(task)`) over a JobRunner, so
// `capacity` and `check` can send their searches and simulations to a queue unchanged: tasks asked
// for in the same tick go as one batch of self-contained jobs. A task's scenario must be one the
// command read from a file (registered with `source`), since a job carries the file's text, not
// parsed objects; a derived scenario travels as its derivation (the planner's candidates: load and
// knob values). Trades a tick of latency per batch for one queue run per batch.
import type { Scenario } from "../simulator/index.ts";
import type { Task, TaskPool, TaskResult } from "../planning/pool.ts";
import { decode } from "../planning/codec.ts";
import { JOB_VERSION, type JobOutcome, type SimJob } from "../planning/job.ts";
import type { JobRunner } from "./runner.ts";
import { InputError } from "../shared/errors.ts";

type Pending = { job: SimJob; raw: boolean; resolve: (v: never) => void; reject: (e: unknown) => void };

export class QueuePool implements TaskPool {
  private readonly sources = new Map<Scenario, { file: string; text: string }>();
  private batch: Pending[] = [];
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly runner: JobRunner, private readonly onDone: () => void = () => {}) {}

  /** Registers the text a scenario was parsed from. */
  source(s: Scenario, file: string, text: string): void {
    this.sources.set(s, { file, text });
  }

  run<T extends Task>(task: T): Promise<TaskResult<T>> {
    const scenario = task.kind === "search" ? task.spec.scenario : task.kind === "simulate" ? (task.derivedFrom?.base ?? task.scenario) : null;
    const src = scenario ? this.sources.get(scenario) : undefined;
    if (!src) return Promise.reject(new Error("queue pool: a task whose scenario was not read from a file cannot be sent as a job"));
    const base = { v: JOB_VERSION, file: src.file, text: src.text } as const;
    let job: SimJob;
    if (task.kind === "search") {
      const p = task.spec;
      job = { ...base, seed: p.seed, replications: 1, duration: p.duration, warmup: p.warmup, search: { lo: p.lo, hi: p.hi, tolerance: p.tolerance, maxRuns: p.maxRuns } };
    } else if (task.kind === "simulate") {
      const d = task.derivedFrom;
      job = { ...base, seed: task.seed, replications: task.replications, duration: task.duration, warmup: task.warmup, summaryAt: task.level, ...(d ? { candidate: { load: d.load, assignment: d.assignment } } : {}) };
    } else if (task.kind === "job") {
      job = task.job;
    } else {
      return Promise.reject(new Error("queue pool: a simulate replication runs on local threads only"));
    }
    return new Promise((resolve, reject) => {
      if (this.batch.length === 0) setImmediate(() => this.flush());
      this.batch.push({ job, raw: task.kind === "job", resolve, reject });
    });
  }

  async close(): Promise<void> {
    await this.running.catch(() => undefined);
    await this.runner.close();
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    // one queue run at a time: the runner is not re-entrant
    this.running = this.running.catch(() => undefined).then(async () => {
      try {
        const out = await this.runner.run(batch.map((p) => p.job), () => this.onDone());
        out.forEach((text, i) => {
          const o = decode<JobOutcome<unknown>>(text);
          // a "job" task gets the encoded text, as from the thread pool
          if (batch[i].raw) batch[i].resolve(text as never);
          else if (o.ok) batch[i].resolve(o.value as never);
          else batch[i].reject(new InputError(o.error));
        });
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    });
  }
}
