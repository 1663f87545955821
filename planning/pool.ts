// A pool of worker threads (one per core, at most one per task) for capacity searches and
// simulations: the simulator is single-threaded and CPU-bound, so independent runs go to separate
// threads. Workers are terminated when the batch ends, also when a task fails.
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import type { RunWindowOptions, Scenario } from "../simulator/index.ts";
import { InputError } from "../shared/errors.ts";
import type { SearchOutcome, SearchSpec } from "./search.ts";
import type { RunSummary } from "./verdict.ts";
import type { SimJob } from "./job.ts";
import { bundledEntry } from "../shared/bundle-entry.ts";

export type Task =
  | { readonly kind: "search"; readonly spec: SearchSpec }
  /** A self-contained job (planning/job.ts): its result comes back encoded, as from a queue. */
  | { readonly kind: "job"; readonly job: SimJob }
  /** One replication of a `simulate` run (cli/parallel-simulate.ts); `file` names the scenario in messages. */
  | { readonly kind: "replication"; readonly file: string; readonly scenario: Scenario; readonly window: RunWindowOptions; readonly replication: number }
  | { readonly kind: "simulate"; readonly scenario: Scenario; readonly level: number; readonly seed: number; readonly replications: number; readonly duration: number; readonly warmup: number;
      /** How `scenario` was made from a file's scenario (the planner's candidates), so a queue job can carry the file's text. */
      readonly derivedFrom?: { readonly base: Scenario; readonly load: number; readonly assignment: Record<string, number> } };

type Result<T extends Task> = T extends { kind: "search" } ? SearchOutcome : T extends { kind: "job" } ? string
  /** A structured clone: reviveReplication() gives its histograms their class back. */
  : T extends { kind: "replication" } ? unknown : RunSummary;
export type TaskResult<T extends Task> = Result<T>;

/** What capacity searches and the gate need of a pool: this one, or distributed/queue-pool.ts. */
export interface TaskPool {
  run<T extends Task>(task: T): Promise<Result<T>>;
}

export function defaultThreads(): number {
  const env = Number(process.env.HEADROOM_THREADS);
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, availableParallelism());
}

/** Worker threads that take tasks as they free up; close() terminates them (call it in a finally). */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly waiting: Array<(w: Worker) => void> = [];
  private nextId = 0;

  constructor(private readonly threads = defaultThreads()) {}

  async run<T extends Task>(task: T): Promise<Result<T>> {
    const w = await this.acquire();
    try {
      return (await send(w, this.nextId++, task)) as Result<T>;
    } finally {
      const next = this.waiting.shift();
      if (next) next(w); else this.idle.push(w);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    if (this.all.length < this.threads) {
      const fresh = new Worker(bundledEntry("sim-worker.mjs") ?? new URL("./worker-entry.mjs", import.meta.url));
      fresh.unref();
      this.all.push(fresh);
      return Promise.resolve(fresh);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** Runs every task on a fresh pool, results in task order. */
export async function runTasks<T extends Task>(tasks: ReadonlyArray<T>, threads = defaultThreads()): Promise<Array<Result<T>>> {
  const pool = new WorkerPool(Math.min(threads, tasks.length));
  try {
    return await Promise.all(tasks.map((t) => pool.run(t)));
  } finally {
    await pool.close();
  }
}

function scenarioName(t: Task): string {
  return t.kind === "search" ? t.spec.scenario.name : t.kind === "job" ? t.job.file : t.kind === "replication" ? t.file : t.scenario.name;
}

function send(w: Worker, id: number, task: Task): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { id: number; ok: boolean; value?: unknown; error?: string; input?: boolean }) => {
      if (m.id !== id) return;
      cleanup();
      if (m.ok) resolve(m.value);
      else reject(m.input ? new InputError(`${scenarioName(task)}: ${m.error}`) : new Error(`in a capacity worker: ${m.error}`));
    };
    const onError = (e: Error) => { cleanup(); reject(e); };
    const onExit = (code: number) => { cleanup(); reject(new Error(`capacity worker exited with code ${code}`)); };
    const cleanup = () => { w.off("message", onMessage); w.off("error", onError); w.off("exit", onExit); };
    w.on("message", onMessage);
    w.on("error", onError);
    w.on("exit", onExit);
    w.postMessage({ id, task });
  });
}
