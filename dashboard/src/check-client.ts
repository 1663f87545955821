// The page's handle on the check worker: only the newest text waits to be checked (older queued
// texts are dropped, as the editor has moved on), one check runs at a time, and one that takes
// longer than the timeout, or a worker that dies, is ended by terminating the worker and answered
// with a `failure` message; a fresh worker takes the next text. So every request that is not
// superseded gets exactly one answer, and the page never waits for ever ("loading…").
import type { Checked } from "./validate.ts";

export interface CheckRequest {
  readonly id: number;
  readonly text: string;
}

export interface CheckReply {
  readonly id: number;
  readonly checked: Checked;
}

/** How long a check may take before the worker is stopped. */
export const CHECK_TIMEOUT_MS = 10_000;

type Request = { readonly id: number; readonly text: string; readonly answer: (c: Checked) => void };

/** The minimal worker surface used: a real Worker in the page, worker_threads in tests. */
export interface WorkerLike {
  postMessage(m: CheckRequest): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent<CheckReply>) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
}

const failed = (text: string, failure: string): Checked => ({ text, scenario: null, diagnostics: [], errors: 0, failure });

export class CheckClient {
  private worker: WorkerLike | undefined;
  private nextId = 1;
  private running: (Request & { timer: ReturnType<typeof setTimeout> }) | undefined;
  private queued: Request | undefined;

  constructor(private readonly makeWorker: () => WorkerLike, private readonly timeoutMs = CHECK_TIMEOUT_MS) {}

  /** Checks text; `answer` is called once, unless a newer check replaces this one while it waits. */
  check(text: string, answer: (c: Checked) => void): void {
    this.queued = { id: this.nextId++, text, answer };
    if (!this.running) this.next();
  }

  private ensure(): WorkerLike {
    if (this.worker) return this.worker;
    const w = this.makeWorker();
    w.onmessage = (ev) => {
      const r = this.running;
      if (!r || ev.data?.id !== r.id) return;
      this.finish(ev.data.checked);
    };
    w.onerror = (ev) => {
      ev.preventDefault?.();
      this.kill();
      this.finish(failed(this.running?.text ?? "", `the scenario checker stopped: ${ev.message || "unknown error"}`));
    };
    this.worker = w;
    return w;
  }

  private next(): void {
    const q = this.queued;
    this.queued = undefined;
    if (!q) return;
    const timer = setTimeout(() => {
      this.kill();
      const kb = Math.round(q.text.length / 1024);
      this.finish(failed(q.text, `checking this scenario (${kb} kB) took longer than ${this.timeoutMs / 1000} s and was stopped; it cannot be run from the page. Shorten it, or check it with headroom check.`));
    }, this.timeoutMs);
    this.running = { ...q, timer };
    try {
      this.ensure().postMessage({ id: q.id, text: q.text });
    } catch (e) {
      this.kill();
      this.finish(failed(q.text, `the scenario checker could not be started: ${(e as Error)?.message ?? String(e)}`));
    }
  }

  private finish(c: Checked): void {
    const r = this.running;
    if (!r) return;
    clearTimeout(r.timer);
    this.running = undefined;
    try {
      r.answer(c);
    } finally {
      this.next();
    }
  }

  private kill(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }

  /** Drops what is pending and stops the worker; a later check starts a fresh one. */
  dispose(): void {
    if (this.running) clearTimeout(this.running.timer);
    this.running = undefined;
    this.queued = undefined;
    this.kill();
  }
}

/** The page's check worker (a module worker bundled by Vite). */
export const browserCheckWorker = (): WorkerLike =>
  new Worker(new URL("./check.worker.ts", import.meta.url), { type: "module" }) as unknown as WorkerLike;
