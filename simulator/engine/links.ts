// Bandwidth links as processor-sharing servers: a link of capacity C bytes/s serves its n transfers
// in flight at C/n each, so one large response slows every other transfer on it. Kept exactly with
// a virtual clock: V grows by C/n per second while the link is busy (the bytes each transfer has
// received), a transfer of s bytes starting at V0 ends when V reaches V0 + s (its finish tag),
// and the transfers sit in a binary min-heap of finish tags. An arrival or a departure advances V,
// and only the next completion is scheduled: one pending calendar event per link, with a
// generation counter so the kernel ignores the stale ones. An arrival that does not end first
// only delays the pending completion: that event is kept, and when it comes early it is
// rescheduled (schedule()), so most transfers cost one event, not two. O(log n) per transfer; nothing is
// allocated per transfer (typed arrays that double when full). Trades away fairness between
// flows of different round-trip times (TCP's share is not equal): every transfer gets C/n.
import { Histogram } from "./histogram.ts";

export interface LinkSpec {
  /** The component whose egress this is (-1: a link between regions). */
  readonly component: number;
  /** The component's name, or "from->to" for a link between regions. */
  readonly name: string;
  /** Capacity, bytes per second. */
  readonly capacity: number;
}

export interface LinkStats {
  /** Time with at least one transfer in flight (in the statistics window). */
  busyArea: number;
  /** Integral of transfers in flight over time. */
  flightArea: number;
  /** Transfers finished and their bytes. */
  completions: number;
  bytes: number;
  /** Time from a transfer's start to its end. */
  readonly transfer: Histogram;
}

export class LinkRuntime {
  /** Bumped whenever a link's pending event is replaced: an event with an older generation is stale. */
  readonly gen: Int32Array;
  /** When link l's pending event fires (Infinity: none pending). */
  readonly pending: Float64Array;
  /** Tasks whose transfers finished in the last complete() call: done[0 .. count). */
  done = new Int32Array(16);
  /** When each of those transfers started (done[i]'s start is doneStart[i]): its time on the link, for the hop breakdown. */
  doneStart = new Float64Array(16);
  readonly stats: LinkStats[];
  private readonly capacity: Float64Array;
  private readonly v: Float64Array;
  private readonly last: Float64Array;
  private readonly n: Int32Array;
  private tags: Float64Array[];
  private tasks: Int32Array[];
  private starts: Float64Array[];
  private sizes: Float64Array[];

  constructor(specs: readonly LinkSpec[]) {
    const k = specs.length;
    this.capacity = Float64Array.from(specs, (s) => s.capacity);
    this.gen = new Int32Array(k);
    this.pending = new Float64Array(k).fill(Infinity);
    this.v = new Float64Array(k);
    this.last = new Float64Array(k);
    this.n = new Int32Array(k);
    this.tags = specs.map(() => new Float64Array(16));
    this.tasks = specs.map(() => new Int32Array(16));
    this.starts = specs.map(() => new Float64Array(16));
    this.sizes = specs.map(() => new Float64Array(16));
    this.stats = specs.map(() => ({ busyArea: 0, flightArea: 0, completions: 0, bytes: 0, transfer: new Histogram() }));
  }

  /** Transfers in flight on link l. */
  inFlight(l: number): number {
    return this.n[l];
  }

  /** Brings link l's virtual clock and its time-weighted areas up to `now`. */
  advance(l: number, now: number): void {
    const dt = now - this.last[l];
    if (dt <= 0) return;
    const n = this.n[l];
    if (n > 0) {
      this.v[l] += (dt * this.capacity[l]) / n;
      const st = this.stats[l];
      st.busyArea += dt;
      st.flightArea += n * dt;
    }
    this.last[l] = now;
  }

  /**
   * Task t starts sending `bytes` on link l. Returns the time of a new event to schedule with
   * gen[l], or -1 when the pending one (now early) stays.
   */
  start(l: number, t: number, bytes: number, now: number): number {
    this.advance(l, now);
    let i = this.n[l];
    if (i === this.tags[l].length) this.grow(l);
    const tags = this.tags[l], tasks = this.tasks[l], starts = this.starts[l], sizes = this.sizes[l];
    const tag = this.v[l] + bytes;
    // sift up
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (tags[parent] <= tag) break;
      tags[i] = tags[parent]; tasks[i] = tasks[parent]; starts[i] = starts[parent]; sizes[i] = sizes[parent];
      i = parent;
    }
    tags[i] = tag; tasks[i] = t; starts[i] = now; sizes[i] = bytes;
    this.n[l]++;
    return this.schedule(l, now, false);
  }

  /**
   * The event link l needs now: when its next transfer ends. A pending event at or before that
   * time stays (it will come early and call this again) unless `replace`; else the generation
   * moves on and the new time is returned for the caller to schedule. -1: nothing to schedule.
   */
  schedule(l: number, now: number, replace: boolean): number {
    const at = this.nextEnd(l, now);
    if (!replace && this.pending[l] <= at) return -1;
    this.gen[l]++;
    this.pending[l] = at;
    return at === Infinity ? -1 : at;
  }

  /** When link l's next transfer ends, at the current share; Infinity when idle. */
  nextEnd(l: number, now: number): number {
    const n = this.n[l];
    if (n === 0) return Infinity;
    return now + (Math.max(0, this.tags[l][0] - this.v[l]) * n) / this.capacity[l];
  }

  /**
   * Link l's pending event fired: the transfers that are through (none when the event came early,
   * arrivals having slowed the link since) go to `done`; returns how many. The caller then asks
   * schedule(l, now, true) for the next event.
   */
  complete(l: number, now: number, measuring: boolean): number {
    this.advance(l, now);
    this.pending[l] = Infinity;
    const tags = this.tags[l];
    if (this.n[l] === 0) return 0;
    // Early (the share fell since it was set): nothing is through yet.
    if (((tags[0] - this.v[l]) * this.n[l]) / this.capacity[l] > 1e-9) return 0;
    // The top transfer ends now, whatever rounding left of it.
    if (tags[0] > this.v[l]) this.v[l] = tags[0];
    const limit = this.v[l] + 1e-9 * Math.max(1, this.v[l]);
    let k = 0;
    while (this.n[l] > 0 && tags[0] <= limit) {
      if (k === this.done.length) {
        const d = new Int32Array(k * 2); d.set(this.done); this.done = d;
        const ds = new Float64Array(k * 2); ds.set(this.doneStart); this.doneStart = ds;
      }
      this.doneStart[k] = this.starts[l][0];
      this.done[k++] = this.tasks[l][0];
      if (measuring) {
        const st = this.stats[l];
        st.completions++;
        st.bytes += this.sizes[l][0];
        st.transfer.record(now - this.starts[l][0]);
      }
      this.popTop(l);
    }
    if (this.n[l] === 0) this.v[l] = 0; // no tags left: restart the clock (keeps it small)
    return k;
  }

  /** Opens the statistics window: areas and counts restart from `now`. */
  startMeasuring(now: number): void {
    for (let l = 0; l < this.n.length; l++) {
      this.advance(l, now);
      const st = this.stats[l];
      st.busyArea = 0; st.flightArea = 0; st.completions = 0; st.bytes = 0;
    }
  }

  private popTop(l: number): void {
    const tags = this.tags[l], tasks = this.tasks[l], starts = this.starts[l], sizes = this.sizes[l];
    const n = --this.n[l];
    if (n === 0) return;
    const tag = tags[n], task = tasks[n], start = starts[n], size = sizes[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && tags[c + 1] < tags[c]) c++;
      if (tags[c] >= tag) break;
      tags[i] = tags[c]; tasks[i] = tasks[c]; starts[i] = starts[c]; sizes[i] = sizes[c];
      i = c;
    }
    tags[i] = tag; tasks[i] = task; starts[i] = start; sizes[i] = size;
  }

  private grow(l: number): void {
    const n = this.tags[l].length * 2;
    const tags = new Float64Array(n); tags.set(this.tags[l]); this.tags[l] = tags;
    const tasks = new Int32Array(n); tasks.set(this.tasks[l]); this.tasks[l] = tasks;
    const starts = new Float64Array(n); starts.set(this.starts[l]); this.starts[l] = starts;
    const sizes = new Float64Array(n); sizes.set(this.sizes[l]); this.sizes[l] = sizes;
  }
}
