// The page's handle on the simulation worker: one job at a time, a promise per job, progress by
// callback, and cancel by terminating the worker (a fresh one is started for the next job). On two
// cores or more a second worker, started when a long charted run asks for it, makes the later half
// of its replications (helper.ts).
import type { FromWorker, RunOptions, SweepPoint, ToWorker } from "./protocol.ts";
import type { SeriesResult, SimResult } from "../../simulator/index.ts";
import type { PlanResult } from "../../planning/planner.ts";
import type { Checked } from "./validate.ts";

export class RunFailed extends Error {
  /** kind "too-big": the worker's estimate of the run's events, and the budget it is above (options.budget). */
  readonly events?: number;
  readonly budget?: number;
  constructor(readonly kind: "invalid" | "unsupported" | "internal" | "cancelled" | "too-big", message: string, events?: number, budget?: number) {
    super(message);
    this.events = events;
    this.budget = budget;
  }
}

export interface Job<T> {
  readonly done: Promise<T>;
  cancel(): void;
}

type Pending = { resolve: (m: FromWorker) => void; reject: (e: RunFailed) => void; onProgress: (f: number) => void; onPartial?: (p: Partial) => void; onChecked?: (c: Checked) => void };

/** Replication 0's intervals so far, while a run with options.bands goes on. */
export interface Partial {
  readonly series: SeriesResult;
  /** The series' last point is the interval in progress (its rates over the part simulated yet). */
  readonly inProgress: boolean;
  readonly durationS: number;
  readonly warmupS: number;
  readonly replications: number;
}

/** What a run answers: its result, wall time, and (by option) each replication's result or series. */
export interface RunOutcome {
  readonly result: SimResult;
  readonly elapsedMs: number;
  readonly replications?: SimResult[];
  readonly replicationSeries?: SeriesResult[];
}

/** The page's simulation worker (a module worker; Vite bundles sim.worker.ts on its own). */
export const browserSimWorker = (): Worker => new Worker(new URL("./sim.worker.ts", import.meta.url), { type: "module" });

/** A helper worker where the page has two cores or more (navigator.hardwareConcurrency). */
const helperWanted = (): boolean => (globalThis.navigator?.hardwareConcurrency ?? 1) >= 2;

export class SimClient {
  private worker: Worker | undefined;
  private helperWorker: Worker | undefined;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  /** withHelper: a second worker for options.bands runs (helper.ts); by default on two cores or more. */
  constructor(private readonly makeWorker: () => Worker, private readonly withHelper = helperWanted()) {}

  /** The helper worker, started when a run first asks for it; it posts only on its ports. */
  private helper(): Worker {
    if (this.helperWorker) return this.helperWorker;
    const w = this.makeWorker();
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.reset(new RunFailed("internal", `the helper simulation worker crashed: ${ev.message || "unknown error"}`));
    };
    this.helperWorker = w;
    return w;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = this.makeWorker();
    w.onmessage = (ev: MessageEvent<FromWorker>) => {
      const m = ev.data;
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === "progress") return p.onProgress(m.fraction);
      if (m.type === "checked") return p.onChecked?.(m.checked);
      // a long run asks for the helper worker: the two talk over the run's own channel, so the
      // page's thread carries no replication
      if (m.type === "helper") return this.helper().postMessage({ type: "helper", id: m.id, port: m.port } satisfies ToWorker, [m.port]);
      if (m.type === "partial") return p.onPartial?.({ series: m.series, inProgress: m.inProgress, durationS: m.durationS, warmupS: m.warmupS, replications: m.replications });
      this.pending.delete(m.id);
      if (m.type === "failed") p.reject(new RunFailed(m.kind, m.message));
      else if (m.type === "too-big") p.reject(new RunFailed("too-big", `estimated at ${m.events} events, above ${m.budget}`, m.events, m.budget));
      else p.resolve(m);
    };
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.reset(new RunFailed("internal", `the simulation worker crashed: ${ev.message || "unknown error"}`));
    };
    this.worker = w;
    return w;
  }

  private reset(reason: RunFailed): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.helperWorker?.terminate();
    this.helperWorker = undefined;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }

  private start<T>(build: (id: number) => ToWorker, pick: (m: FromWorker) => T, onProgress: (f: number) => void, onPartial?: (p: Partial) => void, onChecked?: (c: Checked) => void): Job<T> {
    const id = this.nextId++;
    const done = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: (m) => resolve(pick(m)), reject, onProgress, onPartial, onChecked });
    });
    const msg = build(id);
    this.ensure().postMessage(msg.type === "run" && msg.options.bands && this.withHelper ? { ...msg, helper: true } : msg);
    return { done, cancel: () => this.reset(new RunFailed("cancelled", "run cancelled")) };
  }

  /** A run; with options.byReplication, each replication's result too; with options.bands, every
   * replication's series and (onPartial) replication 0's intervals while it runs; with options.check, the text's check (onChecked) first. */
  run(text: string, options: RunOptions, onProgress: (f: number) => void, onPartial?: (p: Partial) => void, onChecked?: (c: Checked) => void): Job<RunOutcome> {
    return this.start(
      (id) => ({ type: "run", id, text, options }),
      (m) => (m.type === "done" ? { result: m.result, elapsedMs: m.elapsedMs, replications: m.replications, replicationSeries: m.replicationSeries } : unexpected(m)),
      onProgress,
      onPartial,
      onChecked,
    );
  }

  sweep(text: string, rates: number[], options: RunOptions, onProgress: (f: number) => void): Job<{ points: SweepPoint[]; elapsedMs: number }> {
    return this.start(
      (id) => ({ type: "sweep", id, text, rates, options }),
      (m) => (m.type === "swept" ? { points: m.points, elapsedMs: m.elapsedMs } : unexpected(m)),
      onProgress,
    );
  }

  /** headroom plan at `load`: progress is simulations made out of the most allowed. */
  plan(text: string, load: number, onProgress: (f: number) => void): Job<{ plan: PlanResult; elapsedMs: number }> {
    return this.start(
      (id) => ({ type: "plan", id, text, load }),
      (m) => (m.type === "planned" ? { plan: m.plan, elapsedMs: m.elapsedMs } : unexpected(m)),
      onProgress,
    );
  }

  dispose(): void {
    this.reset(new RunFailed("cancelled", "closed"));
  }
}

function unexpected(m: FromWorker): never {
  throw new RunFailed("internal", `unexpected worker message ${m.type}`);
}
