// A replica's concurrency slots and accept queue: `concurrency` requests run at once, up to
// `backlog` more wait in FIFO order (any number when it is undefined, the simulator's default), and
// beyond that a request is refused (the service answers 503). With a queue timeout (a station's
// `queue_timeout`: reneging), a request still waiting after it leaves the queue (503 too).
// This stands in for a thread pool with a bounded accept queue, the way the model sees a replica.
// It also integrates busy slots over time (busySeconds), the counter an auto-scaler divides by the
// interval to get the time-average the simulator's scaler sees (a gauge read once would be a sample).

export class Slots {
  private busy = 0;
  private readonly waiting: Array<{ grant: () => void; timer?: NodeJS.Timeout }> = [];
  rejected = 0;
  /** Requests that left the queue after `queueTimeoutMs` (reneged). */
  reneged = 0;
  private busyArea = 0;
  private changedAt: number;

  constructor(
    readonly concurrency: number,
    readonly backlog: number = Infinity,
    private readonly clock: () => number = () => performance.now() / 1000,
    /** A waiting request leaves after this long (ms); none: it waits as long as it takes. */
    private readonly queueTimeoutMs?: number,
  ) {
    this.changedAt = clock();
  }

  /** Slot-seconds held since the start: the integral of busy slots over time. */
  busySeconds(): number {
    const now = this.clock();
    return this.busyArea + this.busy * (now - this.changedAt);
  }

  private setBusy(n: number): void {
    const now = this.clock();
    this.busyArea += this.busy * (now - this.changedAt);
    this.changedAt = now;
    this.busy = n;
  }

  get inUse(): number {
    return this.busy;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is held; null when the queue is full; "timeout" when it waited too long. */
  acquire(): Promise<(() => void) | null | "timeout"> {
    if (this.busy < this.concurrency) {
      this.setBusy(this.busy + 1);
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.backlog) {
      this.rejected++;
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      const w: { grant: () => void; timer?: NodeJS.Timeout } = { grant: () => resolve(this.releaser()) };
      if (this.queueTimeoutMs !== undefined) {
        w.timer = setTimeout(() => {
          const i = this.waiting.indexOf(w);
          if (i < 0) return;
          this.waiting.splice(i, 1);
          this.reneged++;
          resolve("timeout");
        }, this.queueTimeoutMs);
      }
      this.waiting.push(w);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `busy` stays the same.
      if (next) {
        if (next.timer) clearTimeout(next.timer);
        next.grant();
      } else this.setBusy(this.busy - 1);
    };
  }
}
